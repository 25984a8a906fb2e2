/** Schema definitions: scheduling-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const schedulingV1Definitions: Definition[] = [];

/** Schema definitions: core-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const coreV1Definitions: Definition[] = [];

/** Schema definitions: coordination-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const coordinationV1Definitions: Definition[] = [];

/** Schema definitions: batch-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const batchV1Definitions: Definition[] = [];

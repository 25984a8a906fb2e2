/** Schema definitions: storage-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const storageV1Definitions: Definition[] = [];

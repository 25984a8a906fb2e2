/** Schema definitions: meta-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const metaV1Definitions: Definition[] = [];

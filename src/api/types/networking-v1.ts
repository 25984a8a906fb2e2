/** Schema definitions: networking-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const networkingV1Definitions: Definition[] = [];

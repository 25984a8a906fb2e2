/** Schema definitions: authorization-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const authorizationV1Definitions: Definition[] = [];

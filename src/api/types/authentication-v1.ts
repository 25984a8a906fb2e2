/** Schema definitions: authentication-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const authenticationV1Definitions: Definition[] = [];

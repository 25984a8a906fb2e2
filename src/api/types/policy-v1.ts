/** Schema definitions: policy-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const policyV1Definitions: Definition[] = [];

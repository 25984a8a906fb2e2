/** Schema definitions: rbac-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const rbacV1Definitions: Definition[] = [];

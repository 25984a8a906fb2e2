/** Schema definitions: apps-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const appsV1Definitions: Definition[] = [];

/** Schema definitions: discovery-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const discoveryV1Definitions: Definition[] = [];

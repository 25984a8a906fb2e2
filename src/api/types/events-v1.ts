/** Schema definitions: events-v1 (to be written). */
import type { Definition } from '../schema/types.js';

export const eventsV1Definitions: Definition[] = [];

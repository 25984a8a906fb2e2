/** Schema definitions: autoscaling (to be written). */
import type { Definition } from '../schema/types.js';

export const autoscalingDefinitions: Definition[] = [];

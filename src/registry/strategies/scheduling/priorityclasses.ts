/**
 * PriorityClass strategy: defaults, reserved system names, immutable value and preemption policy.
 */
import { defaultPriorityClass } from '../../../api/scheduling/defaults.js';
import { validatePriorityClass, validatePriorityClassUpdate } from '../../../api/scheduling/validation.js';
import type { Strategy } from '../../strategy.js';

export const priorityClassStrategy: Strategy = {
  defaults: defaultPriorityClass,
  validate: (obj) => validatePriorityClass(obj),
  validateUpdate: (obj, old) => validatePriorityClassUpdate(obj, old),
};

/**
 * PodDisruptionBudget strategy: status kept apart (zero counters on create), generation on spec
 * change.
 */
import {
  validatePodDisruptionBudget,
  validatePodDisruptionBudgetStatusUpdate,
} from '../../../api/policy/validation.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

export const podDisruptionBudgetStrategy: Strategy = {
  generation: true,
  prepareForCreate(obj) {
    resetStatusOnCreate(obj, {
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validatePodDisruptionBudget(obj),
  validateUpdate: (obj) => validatePodDisruptionBudget(obj),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj) => validatePodDisruptionBudgetStatusUpdate(obj),
  },
};

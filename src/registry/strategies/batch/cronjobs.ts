/**
 * CronJob strategy: status kept apart, generation on spec change.
 */
import { defaultCronJob } from '../../../api/batch/defaults.js';
import { validateCronJob, validateCronJobUpdate } from '../../../api/batch/validation/cronjob.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

export const cronJobStrategy: Strategy = {
  generation: true,
  defaults: defaultCronJob,
  prepareForCreate(obj) {
    resetStatusOnCreate(obj);
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateCronJob(obj),
  validateUpdate: (obj, old) => validateCronJobUpdate(obj, old),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: () => [],
  },
};

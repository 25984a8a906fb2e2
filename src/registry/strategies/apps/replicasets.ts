/**
 * ReplicaSet strategy: defaults, status kept apart, generation bumped on spec change, and the
 * `status.replicas` field selector.
 */
import { defaultReplicaSet } from '../../../api/apps/defaults.js';
import {
  validateReplicaSet,
  validateReplicaSetStatusUpdate,
  validateReplicaSetUpdate,
} from '../../../api/apps/validation/replicaset.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

export const replicaSetStrategy: Strategy = {
  generation: true,
  defaults: defaultReplicaSet,
  prepareForCreate(obj) {
    resetStatusOnCreate(obj, { replicas: 0 });
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateReplicaSet(obj),
  validateUpdate: (obj, old) => validateReplicaSetUpdate(obj, old),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj) => validateReplicaSetStatusUpdate(obj),
  },
  selectableFields(obj) {
    const status = obj['status'] as { replicas?: unknown } | undefined;
    return { 'status.replicas': String(typeof status?.replicas === 'number' ? status.replicas : 0) };
  },
};

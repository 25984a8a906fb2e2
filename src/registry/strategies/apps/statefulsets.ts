/**
 * StatefulSet strategy: names are DNS labels (they prefix pod hostnames), status kept apart,
 * generation bumped on spec change, the alpha rollingUpdate.maxUnavailable dropped.
 */
import { defaultStatefulSet } from '../../../api/apps/defaults.js';
import {
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from '../../../api/apps/validation/statefulset.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

function rollingUpdate(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  const spec = obj?.['spec'] as { updateStrategy?: { rollingUpdate?: unknown } } | undefined;
  const ru = spec?.updateStrategy?.rollingUpdate;
  return typeof ru === 'object' && ru !== null ? (ru as Record<string, unknown>) : undefined;
}

/** MaxUnavailableStatefulSet is an alpha feature (off): the field is kept only when already in use. */
function dropDisabledFields(obj: KubeObject, old: KubeObject | undefined): void {
  const ru = rollingUpdate(obj);
  const oldRu = rollingUpdate(old);
  if (ru && (oldRu?.['maxUnavailable'] === undefined || oldRu['maxUnavailable'] === null))
    delete ru['maxUnavailable'];
}

export const statefulSetStrategy: Strategy = {
  generation: true,
  nameValidation: 'label',
  defaults: defaultStatefulSet,
  prepareForCreate(obj) {
    resetStatusOnCreate(obj, { replicas: 0, availableReplicas: 0 });
    dropDisabledFields(obj, undefined);
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    dropDisabledFields(obj, old);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateStatefulSet(obj),
  validateUpdate: (obj, old) => validateStatefulSetUpdate(obj, old),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj, old) => validateStatefulSetStatusUpdate(obj, old),
  },
};

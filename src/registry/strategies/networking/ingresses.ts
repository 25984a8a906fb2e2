/**
 * Ingress strategy: status kept apart, generation on spec change, the class-annotation warning.
 */
import type { KubeObject } from '../../../api/meta.js';
import {
  ingressWarnings,
  validateIngress,
  validateIngressStatusUpdate,
  validateIngressUpdate,
} from '../../../api/networking/validation/ingress.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, keepOldSpec, keepOldStatus, resetStatusOnCreate } from '../groups-helpers.js';

export const ingressStrategy: Strategy = {
  generation: true,
  prepareForCreate(obj) {
    resetStatusOnCreate(obj, { loadBalancer: {} });
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateIngress(obj),
  validateUpdate: (obj, old) => validateIngressUpdate(obj, old),
  warnings: (obj: KubeObject, old: KubeObject | undefined) => (old ? [] : ingressWarnings(obj)),
  status: {
    prepareForUpdate: keepOldSpec,
    validateUpdate: (obj, old) => validateIngressStatusUpdate(obj, old),
  },
};

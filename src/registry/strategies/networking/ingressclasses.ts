/**
 * IngressClass strategy: cluster-scoped, generation on spec change, immutable controller.
 */
import { defaultIngressClass } from '../../../api/networking/defaults.js';
import {
  validateIngressClass,
  validateIngressClassUpdate,
} from '../../../api/networking/validation/ingressclass.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, initGeneration } from '../groups-helpers.js';

export const ingressClassStrategy: Strategy = {
  generation: true,
  defaults: defaultIngressClass,
  prepareForCreate(obj) {
    initGeneration(obj);
  },
  prepareForUpdate(obj, old) {
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateIngressClass(obj),
  validateUpdate: (obj, old) => validateIngressClassUpdate(obj, old),
};

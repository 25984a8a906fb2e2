/**
 * NetworkPolicy strategy: defaults, generation on spec change.
 */
import { defaultNetworkPolicy } from '../../../api/networking/defaults.js';
import {
  validateNetworkPolicy,
  validateNetworkPolicyUpdate,
} from '../../../api/networking/validation/networkpolicy.js';
import type { Strategy } from '../../strategy.js';
import { bumpGeneration, initGeneration } from '../groups-helpers.js';

export const networkPolicyStrategy: Strategy = {
  generation: true,
  defaults: defaultNetworkPolicy,
  prepareForCreate(obj) {
    initGeneration(obj);
  },
  prepareForUpdate(obj, old) {
    bumpGeneration(obj, old);
  },
  validate: (obj) => validateNetworkPolicy(obj),
  validateUpdate: (obj, old) => validateNetworkPolicyUpdate(obj, old),
};

/**
 * ConfigMaps, Secrets and ServiceAccounts: data-only kinds without status.
 */
import { defaultSecret } from '../../../api/core/defaults/kinds.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
  validateSecretUpdate,
} from '../../../api/core/validation/configdata.js';
import type { Strategy } from '../../strategy.js';
import { fieldValue } from './common.js';

export const configMapStrategy: Strategy = {
  validate(obj) {
    return validateConfigMap(obj);
  },
  validateUpdate(obj, old) {
    return validateConfigMapUpdate(obj, old);
  },
};

export const secretStrategy: Strategy = {
  defaults(obj) {
    defaultSecret(obj);
  },
  validate(obj) {
    return validateSecret(obj);
  },
  validateUpdate(obj, old) {
    return validateSecretUpdate(obj, old);
  },
  selectableFields(obj) {
    return { type: fieldValue(obj['type']) };
  },
};

/** ServiceAccounts have nothing to validate beyond their metadata. */
export const serviceAccountStrategy: Strategy = {
  validate() {
    return [];
  },
  validateUpdate() {
    return [];
  },
};

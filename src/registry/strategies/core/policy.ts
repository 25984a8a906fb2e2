/**
 * LimitRanges and ResourceQuotas.
 */
import { randomUUID } from 'node:crypto';
import { defaultLimitRange, defaultResourceQuota } from '../../../api/core/defaults/kinds.js';
import { str } from '../../../api/core/util.js';
import { validateLimitRange } from '../../../api/core/validation/policy.js';
import {
  validateResourceQuota,
  validateResourceQuotaStatusUpdate,
  validateResourceQuotaUpdate,
} from '../../../api/core/validation/policy.js';
import type { Strategy } from '../../strategy.js';
import { keepFromOld, metaOf } from './common.js';

export const limitRangeStrategy: Strategy = {
  allowCreateOnUpdate: true,
  defaults(obj) {
    defaultLimitRange(obj);
  },
  prepareForCreate(obj) {
    // Upstream names a nameless LimitRange with a UUID (before generateName is considered).
    const meta = metaOf(obj);
    if (str(meta['name']) === '') meta['name'] = randomUUID();
  },
  validate(obj) {
    return validateLimitRange(obj);
  },
  validateUpdate(obj) {
    return validateLimitRange(obj);
  },
};

export const resourceQuotaStrategy: Strategy = {
  defaults(obj) {
    defaultResourceQuota(obj);
  },
  prepareForCreate(obj) {
    obj['status'] = {};
  },
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
  },
  validate(obj) {
    return validateResourceQuota(obj);
  },
  validateUpdate(obj, old) {
    return validateResourceQuotaUpdate(obj, old);
  },
  status: {
    prepareForUpdate(obj, old) {
      keepFromOld(obj, old, 'spec');
    },
    validateUpdate(obj) {
      return validateResourceQuotaStatusUpdate(obj);
    },
  },
};

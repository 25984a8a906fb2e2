/**
 * PersistentVolumes and PersistentVolumeClaims: Pending on create, status through the status
 * subresource, and the legacy `name` field selector.
 */
import { defaultPersistentVolume, defaultPersistentVolumeClaim } from '../../../api/core/defaults/kinds.js';
import { ensureRec, rec, str } from '../../../api/core/util.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeStatusUpdate,
  validatePersistentVolumeUpdate,
} from '../../../api/core/validation/persistentvolume.js';
import type { Strategy } from '../../strategy.js';
import { fieldValue, keepFromOld, metaOf, rfc3339 } from './common.js';

export const persistentVolumeStrategy: Strategy = {
  defaults(obj) {
    defaultPersistentVolume(obj);
  },
  prepareForCreate(obj, ctx) {
    obj['status'] = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(ctx.now()) };
  },
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
  },
  validate(obj) {
    return validatePersistentVolume(obj);
  },
  validateUpdate(obj, old) {
    return validatePersistentVolumeUpdate(obj, old);
  },
  status: {
    prepareForUpdate(obj, old, ctx) {
      keepFromOld(obj, old, 'spec');
      const status = ensureRec(obj, 'status');
      const oldStatus = rec(old['status']) ?? {};
      const samePhase = str(status['phase']) === str(oldStatus['phase']);
      const given = status['lastPhaseTransitionTime'];
      if (samePhase && (given === undefined || given === null)) {
        if (oldStatus['lastPhaseTransitionTime'] !== undefined)
          status['lastPhaseTransitionTime'] = oldStatus['lastPhaseTransitionTime'];
      } else if (
        !samePhase &&
        (given === undefined || given === null || given === oldStatus['lastPhaseTransitionTime'])
      ) {
        status['lastPhaseTransitionTime'] = rfc3339(ctx.now());
      }
    },
    validateUpdate(obj) {
      return validatePersistentVolumeStatusUpdate(obj);
    },
  },
  selectableFields(obj) {
    return { name: fieldValue(metaOf(obj)['name']) };
  },
};

export const persistentVolumeClaimStrategy: Strategy = {
  defaults(obj) {
    defaultPersistentVolumeClaim(obj);
  },
  prepareForCreate(obj) {
    obj['status'] = { phase: 'Pending' };
  },
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
  },
  validate(obj) {
    return validatePersistentVolumeClaim(obj);
  },
  validateUpdate(obj, old) {
    return validatePersistentVolumeClaimUpdate(obj, old);
  },
  status: {
    prepareForUpdate(obj, old) {
      keepFromOld(obj, old, 'spec');
    },
    validateUpdate(obj) {
      return validatePersistentVolumeClaimStatusUpdate(obj);
    },
  },
  selectableFields(obj) {
    return { name: fieldValue(metaOf(obj)['name']) };
  },
};

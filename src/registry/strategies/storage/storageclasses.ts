/**
 * StorageClass strategy: defaults; provisioner, parameters, reclaim policy and binding mode fixed.
 */
import { defaultStorageClass } from '../../../api/storage/defaults.js';
import { validateStorageClass, validateStorageClassUpdate } from '../../../api/storage/validation.js';
import type { Strategy } from '../../strategy.js';

export const storageClassStrategy: Strategy = {
  defaults: defaultStorageClass,
  validate: (obj) => validateStorageClass(obj),
  validateUpdate: (obj, old) => [...validateStorageClass(obj), ...validateStorageClassUpdate(obj, old)],
};

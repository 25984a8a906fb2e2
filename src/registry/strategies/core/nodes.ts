/**
 * Nodes: status is kept on create (the kubelet registers with it) and changes only through the
 * status subresource afterwards.
 */
import { defaultNode } from '../../../api/core/defaults/kinds.js';
import { rec } from '../../../api/core/util.js';
import { validateNode, validateNodeUpdate } from '../../../api/core/validation/cluster.js';
import type { Strategy } from '../../strategy.js';
import { keepFromOld } from './common.js';

export const nodeStrategy: Strategy = {
  defaults(obj) {
    defaultNode(obj);
  },
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
  },
  validate(obj) {
    return validateNode(obj);
  },
  validateUpdate(obj, old) {
    return [...validateNode(obj), ...validateNodeUpdate(obj, old)];
  },
  status: {
    prepareForUpdate(obj, old) {
      keepFromOld(obj, old, 'spec');
    },
    validateUpdate(obj, old) {
      return validateNodeUpdate(obj, old);
    },
  },
  selectableFields(obj) {
    return { 'spec.unschedulable': String(rec(obj['spec'])?.['unschedulable'] === true) };
  },
};

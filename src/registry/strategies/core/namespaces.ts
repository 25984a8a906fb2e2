/**
 * Namespaces: Active on create with the `kubernetes` finalizer; spec.finalizers change only through
 * the finalize subresource, status only through the status subresource.
 */
import { defaultNamespace } from '../../../api/core/defaults/kinds.js';
import { ensureRec, rec, str, strings } from '../../../api/core/util.js';
import {
  validateNamespace,
  validateNamespaceFinalizeUpdate,
  validateNamespaceStatusUpdate,
} from '../../../api/core/validation/cluster.js';
import type { Strategy } from '../../strategy.js';
import { fieldValue, keepFromOld, metaOf } from './common.js';
import type { SubresourceStrategy } from './pods.js';

export const namespaceStrategy: Strategy = {
  nameValidation: 'label',
  defaults(obj) {
    defaultNamespace(obj);
  },
  prepareForCreate(obj) {
    obj['status'] = { phase: 'Active' };
    const spec = ensureRec(obj, 'spec');
    const finalizers = strings(spec['finalizers']);
    if (!finalizers.includes('kubernetes')) spec['finalizers'] = [...finalizers, 'kubernetes'];
    const name = str(metaOf(obj)['name']);
    if (name !== '') ensureRec(metaOf(obj), 'labels')['kubernetes.io/metadata.name'] = name;
  },
  prepareForUpdate(obj, old) {
    const spec = ensureRec(obj, 'spec');
    const oldFinalizers = rec(old['spec'])?.['finalizers'];
    if (oldFinalizers === undefined) delete spec['finalizers'];
    else spec['finalizers'] = [...strings(oldFinalizers)];
    keepFromOld(obj, old, 'status');
  },
  validate(obj) {
    return validateNamespace(obj);
  },
  validateUpdate() {
    return [];
  },
  status: {
    prepareForUpdate(obj, old) {
      keepFromOld(obj, old, 'spec');
    },
    validateUpdate(obj) {
      return validateNamespaceStatusUpdate(obj);
    },
  },
  selectableFields(obj) {
    return {
      'status.phase': fieldValue(rec(obj['status'])?.['phase']),
      name: fieldValue(metaOf(obj)['name']),
    };
  },
};

/** namespaces/finalize: only spec.finalizers changes (the namespace controller empties it). */
export const namespaceFinalizeStrategy: SubresourceStrategy = {
  prepareForUpdate(obj, old) {
    keepFromOld(obj, old, 'status');
  },
  validateUpdate(obj) {
    return validateNamespaceFinalizeUpdate(obj);
  },
};

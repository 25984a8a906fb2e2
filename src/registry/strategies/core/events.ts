/**
 * core/v1 Events: legacy (lenient) validation, create-on-update, and the field selectors kubectl and
 * controllers use (involvedObject.*, reason, source, type …).
 */
import { defaultEvent } from '../../../api/core/defaults/kinds.js';
import { rec } from '../../../api/core/util.js';
import { validateEventCreate, validateEventUpdate } from '../../../api/core/validation/event.js';
import type { Strategy } from '../../strategy.js';
import { fieldValue } from './common.js';

export const eventStrategy: Strategy = {
  // core/v1 events skip upstream's ObjectMeta name rules; names only need to be path segments.
  nameValidation: 'path-segment',
  allowCreateOnUpdate: true,
  defaults(obj) {
    defaultEvent(obj);
  },
  validate(obj) {
    return validateEventCreate(obj, false);
  },
  validateUpdate(obj, old) {
    return validateEventUpdate(obj, old, false);
  },
  selectableFields(obj) {
    const involved = rec(obj['involvedObject']) ?? {};
    return {
      'involvedObject.kind': fieldValue(involved['kind']),
      'involvedObject.namespace': fieldValue(involved['namespace']),
      'involvedObject.name': fieldValue(involved['name']),
      'involvedObject.uid': fieldValue(involved['uid']),
      'involvedObject.apiVersion': fieldValue(involved['apiVersion']),
      'involvedObject.resourceVersion': fieldValue(involved['resourceVersion']),
      'involvedObject.fieldPath': fieldValue(involved['fieldPath']),
      reason: fieldValue(obj['reason']),
      reportingComponent: fieldValue(obj['reportingComponent']),
      // An event without source.component is selected by its reporting controller.
      source: fieldValue(rec(obj['source'])?.['component']) || fieldValue(obj['reportingComponent']),
      type: fieldValue(obj['type']),
    };
  },
};

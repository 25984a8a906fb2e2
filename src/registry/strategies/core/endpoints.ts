/**
 * core/v1 Endpoints: create-on-update (the endpoints controller writes them with PUT), and the
 * deprecation warning 1.33 sends.
 */
import { defaultEndpoints } from '../../../api/core/defaults/kinds.js';
import { validateEndpoints } from '../../../api/core/validation/service.js';
import type { Strategy } from '../../strategy.js';

/** Upstream's warning on every use of core/v1 Endpoints since 1.33. */
export const ENDPOINTS_DEPRECATION_WARNING =
  'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice';

export const endpointsStrategy: Strategy = {
  allowCreateOnUpdate: true,
  defaults(obj) {
    defaultEndpoints(obj);
  },
  validate(obj) {
    return validateEndpoints(obj);
  },
  validateUpdate(obj) {
    return validateEndpoints(obj);
  },
  warnings() {
    return [ENDPOINTS_DEPRECATION_WARNING];
  },
};

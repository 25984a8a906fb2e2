/**
 * The core/v1 strategies, keyed by plural resource name, plus the subresources that have their own
 * update rules and the pods/binding helpers.
 */
import type { Strategy } from '../../strategy.js';
import { configMapStrategy, secretStrategy, serviceAccountStrategy } from './config.js';
import { endpointsStrategy } from './endpoints.js';
import { eventStrategy } from './events.js';
import { namespaceFinalizeStrategy, namespaceStrategy } from './namespaces.js';
import { nodeStrategy } from './nodes.js';
import {
  podEphemeralContainersStrategy,
  podResizeStrategy,
  podStrategy,
  type SubresourceStrategy,
} from './pods.js';
import { limitRangeStrategy, resourceQuotaStrategy } from './policy.js';
import { serviceStrategy } from './services.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './storage.js';

export { bindPod, validateBinding, type BindResult } from './binding.js';
export { ENDPOINTS_DEPRECATION_WARNING } from './endpoints.js';
export {
  dropTypeDependentFields,
  initServiceIPFamilies,
  normalizeClusterIPs,
  patchAllocatedValues,
  type ServiceAllocator,
  type ServiceIPConfig,
} from './services.js';
export { admitPod } from '../../../api/core/defaults/admission.js';
export type { SubresourceStrategy };

/** Strategies for the core/v1 resources, by plural name. */
export const coreStrategies: Record<string, Strategy> = {
  namespaces: namespaceStrategy,
  pods: podStrategy,
  services: serviceStrategy,
  endpoints: endpointsStrategy,
  configmaps: configMapStrategy,
  secrets: secretStrategy,
  serviceaccounts: serviceAccountStrategy,
  nodes: nodeStrategy,
  events: eventStrategy,
  persistentvolumes: persistentVolumeStrategy,
  persistentvolumeclaims: persistentVolumeClaimStrategy,
  limitranges: limitRangeStrategy,
  resourcequotas: resourceQuotaStrategy,
};

/**
 * Subresources (other than status) with their own update rules, by `resource/subresource`.
 * Each replaces the stored object's fields except the ones the subresource may change.
 */
export const coreSubresourceStrategies: Record<string, SubresourceStrategy> = {
  'namespaces/finalize': namespaceFinalizeStrategy,
  'pods/ephemeralcontainers': podEphemeralContainersStrategy,
  'pods/resize': podResizeStrategy,
};

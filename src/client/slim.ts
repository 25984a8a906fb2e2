/**
 * Informer transforms that keep caches small (see {@link SharedInformersOptions.transforms}). Each
 * runs on an object fresh from the wire, before anything else holds it.
 *
 * The Service and EndpointSlice transforms keep the union of what the node agent's parts read:
 * - kubelet (service environment variables): name, namespace, `spec.clusterIP`, `spec.ports`;
 * - service proxy: the whole `spec`, `status.loadBalancer`; slices' service-name label, the
 *   last-change-trigger-time annotation, `addressType`, `endpoints` (addresses, conditions,
 *   nodeName, zone, hints), `ports`;
 * - cluster DNS: spec type, clusterIP(s), externalName, ports, publishNotReadyAddresses; slices'
 *   service-name label, `addressType`, endpoint addresses, hostname, ready, `ports`;
 * - Ingress data path: spec type and ports; slices' service-name label, `addressType`, endpoints,
 *   `ports`.
 * What they drop is metadata nobody reads there (managedFields, the last-applied annotation, owner
 * references, timestamps).
 */
import type { ObjectMeta } from '../api/meta.js';
import type { ApiObject } from './types.js';

/** EndpointSlice annotation the service proxy reads (when the change behind the slice happened). */
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Drops `metadata.managedFields` (in place): most of the metadata of objects written by several managers. */
export function withoutManagedFields<T extends ApiObject>(obj: T): T {
  delete obj.metadata.managedFields;
  return obj;
}

function identity(meta: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = {};
  if (meta.name !== undefined) out.name = meta.name;
  if (meta.namespace !== undefined) out.namespace = meta.namespace;
  if (meta.uid !== undefined) out.uid = meta.uid;
  if (meta.resourceVersion !== undefined) out.resourceVersion = meta.resourceVersion;
  if (meta.labels !== undefined) out.labels = meta.labels;
  return out;
}

/** A Service with its identity, labels, `spec` and `status` (see the module comment). */
export function slimService(obj: ApiObject): ApiObject {
  const out: ApiObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: identity(obj.metadata) };
  if (obj['spec'] !== undefined) out['spec'] = obj['spec'];
  if (obj['status'] !== undefined) out['status'] = obj['status'];
  return out;
}

/**
 * An EndpointSlice with its identity, labels, the trigger-time annotation, `addressType`,
 * `endpoints` and `ports` (see the module comment).
 */
export function slimEndpointSlice(obj: ApiObject): ApiObject {
  const metadata = identity(obj.metadata);
  const trigger = obj.metadata.annotations?.[TRIGGER_TIME];
  if (trigger !== undefined) metadata.annotations = { [TRIGGER_TIME]: trigger };
  const out: ApiObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
  for (const k of ['addressType', 'endpoints', 'ports'])
    if (obj[k] !== undefined) (out as Record<string, unknown>)[k] = obj[k];
  return out;
}

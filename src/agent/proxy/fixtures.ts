/**
 * Builders of Services and EndpointSlices for the proxy's tests and benchmark (not used by the proxy).
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../../client/types.js';
import { SERVICE_NAME_LABEL } from './model.js';

/** A Service `ns/name` with `ports` (default one TCP port 80 named `http`) and spec overrides. */
export function svc(
  name: string,
  clusterIP: string,
  spec: Service['spec'] = {},
  opts: { namespace?: string; ports?: ServicePort[]; status?: Service['status'] } = {},
): Service & ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.namespace ?? 'default', resourceVersion: '1' },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      ports: opts.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      ...spec,
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

/** An endpoint at `ip` (ready unless said otherwise), on `nodeName`. */
export function ep(
  ip: string,
  nodeName = 'node-a',
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } = {},
): Endpoint {
  return { addresses: [ip], nodeName, conditions: { ready: true, ...conditions } };
}

/** An IPv4 EndpointSlice of Service `service` with `endpoints` on port `http` 8080/TCP (by default). */
export function slice(
  service: string,
  endpoints: Endpoint[],
  opts: { name?: string; namespace?: string; ports?: EndpointSlice['ports'] } = {},
): EndpointSlice & ApiObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: opts.name ?? `${service}-abc`,
      namespace: opts.namespace ?? 'default',
      labels: { [SERVICE_NAME_LABEL]: service },
      resourceVersion: '1',
    },
    addressType: 'IPv4',
    endpoints,
    ports: opts.ports ?? [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

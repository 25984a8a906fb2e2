/**
 * Service and EndpointSlice fixtures for the DNS tests (API object shape, as informers deliver them).
 */
import type { ApiObject } from '../../../client/types.js';

/** A Service object. */
export function svcObj(ns: string, name: string, spec: Record<string, unknown>, rv = '1'): ApiObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, resourceVersion: rv }, spec };
}

/** One endpoint of a slice. */
export interface EpSpec {
  ip: string | string[];
  hostname?: string;
  ready?: boolean;
}

/** An EndpointSlice object of service `svc`. */
export function sliceObj(
  ns: string,
  name: string,
  svc: string,
  endpoints: EpSpec[],
  ports: { name?: string; port: number; protocol?: string }[] = [],
  addressType = 'IPv4',
  rv = '1',
): ApiObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: ns,
      name,
      resourceVersion: rv,
      labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'test' },
    },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: Array.isArray(e.ip) ? e.ip : [e.ip],
      ...(e.hostname ? { hostname: e.hostname } : {}),
      ...(e.ready !== undefined ? { conditions: { ready: e.ready } } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

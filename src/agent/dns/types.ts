/**
 * The parts of Services and discovery.k8s.io/v1 EndpointSlices that the cluster DNS server reads,
 * narrowed from the API objects its informers cache, and the trimming transforms that keep only
 * those fields in memory.
 */
import type { ApiObject } from '../../client/types.js';

/** A Service port as DNS sees it. */
export interface ServicePort {
  /** '' for an unnamed port. */
  name: string;
  port: number;
  /** TCP, UDP or SCTP. */
  protocol: string;
}

/** The fields of a Service that DNS reads. */
export interface DnsService {
  namespace: string;
  name: string;
  /** ClusterIP, NodePort, LoadBalancer or ExternalName. */
  type: string;
  /** Every ClusterIP (one per family); empty when headless or ExternalName. */
  clusterIPs: string[];
  /** `clusterIP: None`. */
  headless: boolean;
  /** The target of an ExternalName service (no trailing dot). */
  externalName?: string;
  ports: ServicePort[];
  publishNotReadyAddresses: boolean;
}

/** One endpoint address of a slice as DNS sees it. */
export interface DnsEndpoint {
  addresses: string[];
  hostname?: string;
  /** `conditions.ready`; unset counts as ready. */
  ready: boolean;
}

/** The fields of an EndpointSlice that DNS reads. */
export interface DnsSlice {
  namespace: string;
  name: string;
  /** Value of the `kubernetes.io/service-name` label ('' when missing: the slice is ignored). */
  serviceName: string;
  addressType: string;
  endpoints: DnsEndpoint[];
  ports: ServicePort[];
}

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function portsOf(v: unknown, numberField: 'port'): ServicePort[] {
  const out: ServicePort[] = [];
  for (const p of arr(v)) {
    const r = rec(p);
    const port = r[numberField];
    if (typeof port !== 'number') continue;
    out.push({ name: str(r['name']), port, protocol: str(r['protocol']) || 'TCP' });
  }
  return out;
}

/** The DNS view of a Service object. */
export function serviceOf(obj: ApiObject): DnsService {
  const spec = rec(obj['spec']);
  const type = str(spec['type']) || 'ClusterIP';
  const clusterIP = str(spec['clusterIP']);
  const listed = arr(spec['clusterIPs']).filter((x): x is string => typeof x === 'string' && x !== '');
  const headless = type !== 'ExternalName' && clusterIP === 'None';
  let clusterIPs: string[] = [];
  if (type !== 'ExternalName' && !headless) {
    clusterIPs = listed.filter((ip) => ip !== 'None');
    if (clusterIPs.length === 0 && clusterIP) clusterIPs = [clusterIP];
  }
  const ext = str(spec['externalName']).replace(/\.$/, '');
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    type,
    clusterIPs,
    headless,
    ...(type === 'ExternalName' && ext ? { externalName: ext } : {}),
    ports: portsOf(spec['ports'], 'port'),
    publishNotReadyAddresses: spec['publishNotReadyAddresses'] === true,
  };
}

/** The DNS view of an EndpointSlice object. */
export function sliceOf(obj: ApiObject): DnsSlice {
  const endpoints: DnsEndpoint[] = [];
  for (const e of arr(obj['endpoints'])) {
    const r = rec(e);
    const addresses = arr(r['addresses']).filter((x): x is string => typeof x === 'string' && x !== '');
    if (addresses.length === 0) continue;
    const hostname = str(r['hostname']);
    endpoints.push({
      addresses,
      ...(hostname ? { hostname } : {}),
      ready: rec(r['conditions'])['ready'] !== false,
    });
  }
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    serviceName: obj.metadata.labels?.[SERVICE_NAME_LABEL] ?? '',
    addressType: str(obj['addressType']),
    endpoints,
    ports: portsOf(obj['ports'], 'port'),
  };
}

/**
 * Informer transform for Services: keeps metadata identity and the spec fields DNS reads, so the
 * cache of a large cluster stays small.
 */
export function trimService(obj: ApiObject): ApiObject {
  const spec = rec(obj['spec']);
  const keep: Record<string, unknown> = {};
  for (const k of ['type', 'clusterIP', 'clusterIPs', 'externalName', 'ports', 'publishNotReadyAddresses'])
    if (k in spec) keep[k] = spec[k];
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      resourceVersion: obj.metadata.resourceVersion,
    },
    spec: keep,
  } as ApiObject;
}

/** Informer transform for EndpointSlices: keeps the service label, addresses, readiness and ports. */
export function trimSlice(obj: ApiObject): ApiObject {
  const svc = obj.metadata.labels?.[SERVICE_NAME_LABEL];
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      resourceVersion: obj.metadata.resourceVersion,
      ...(svc !== undefined ? { labels: { [SERVICE_NAME_LABEL]: svc } } : {}),
    },
    addressType: obj['addressType'],
    endpoints: arr(obj['endpoints']).map((e) => {
      const r = rec(e);
      return {
        addresses: r['addresses'],
        ...(r['hostname'] !== undefined ? { hostname: r['hostname'] } : {}),
        ...(r['conditions'] !== undefined ? { conditions: { ready: rec(r['conditions'])['ready'] } } : {}),
      };
    }),
    ports: obj['ports'],
  } as ApiObject;
}

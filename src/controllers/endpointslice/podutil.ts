/**
 * What the EndpointSlice and Endpoints controllers share about Services and their pods: which pods a
 * Service selects, whether a pod is published at all, its address in the Service's IP family, the
 * port a service port reaches on it (named target ports resolved from the pod's containers), and
 * the well-known labels.
 */
import type { Container, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../client/types.js';

/** The Service a slice belongs to. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Which controller manages a slice. */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** Set (empty) on the slices and Endpoints of headless Services. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** The node label giving an endpoint's zone. */
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** A Service as the controllers read it from the cache. */
export type ServiceObject = Service & ApiObject;
/** A Pod as the controllers read it from the cache. */
export type PodObject = Pod & ApiObject;

/**
 * The Service's selector, or undefined when it has none (its endpoints are managed by hand). An
 * empty selector counts as none: stored Services never keep one.
 */
export function selectorOf(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return undefined;
  return sel;
}

/** True when every key of `selector` has its value in `labels`. */
export function selects(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** True when the controllers publish endpoints for the Service: it has a selector and is not ExternalName. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && selectorOf(svc) !== undefined;
}

/** Upstream's IsServiceIPSet: a cluster IP other than None is set (false for headless Services). */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

/** The Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Whether a pod is published at all: not terminal (Succeeded/Failed), has an IP, and, unless
 * `includeTerminating`, is not being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length ?? 0)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** True for an IPv6 address text. */
export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The pod's IPs, podIPs first (podIP when podIPs is empty). */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

/** The pod's first IP of `family`, if any. */
export function podIPOfFamily(pod: Pod, family: 'IPv4' | 'IPv6'): string | undefined {
  return podIPs(pod).find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

/**
 * The address families the Service's endpoints use: its ipFamilies; without them, the family of its
 * cluster IP (IPv4 for a headless Service).
 */
export function serviceAddressTypes(svc: Service): ('IPv4' | 'IPv6')[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
  if (fams.length > 0) return [...new Set(fams)];
  const ip = svc.spec?.clusterIP ?? '';
  return [isServiceIPSet(svc) && isIPv6(ip) ? 'IPv6' : 'IPv4'];
}

/** The hostname of a pod's endpoint: its spec.hostname when its subdomain names the Service. */
export function endpointHostname(pod: Pod, svc: Service): string | undefined {
  const hostname = pod.spec?.hostname ?? '';
  if (hostname === '') return undefined;
  if (pod.spec?.subdomain !== svc.metadata?.name) return undefined;
  if (pod.metadata?.namespace !== svc.metadata?.namespace) return undefined;
  return hostname;
}

/** Containers whose ports a Service may reach: the app containers and restartable (sidecar) init containers. */
function portContainers(pod: Pod): Container[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...(pod.spec?.containers ?? []), ...sidecars];
}

/**
 * The pod port a service port reaches: a numeric targetPort as is (the service port when unset); a
 * named one from the container port of that name and protocol, undefined when the pod has none.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  const protocol = sp.protocol ?? 'TCP';
  if (typeof target === 'number') return target;
  for (const c of portContainers(pod))
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

/** Labels of a Service with the labels the controllers reserve removed. */
export function serviceLabels(svc: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {}))
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY) out[k] = v;
  return out;
}

/** JSON with object keys sorted: equal for semantically equal values. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    }
    return v;
  });
}

/** The parts of a pod the endpoint controllers read: a change elsewhere needs no sync. */
export function podEndpointView(pod: Pod): string {
  return canonical({
    labels: pod.metadata?.labels ?? {},
    deleting: Boolean(pod.metadata?.deletionTimestamp),
    phase: pod.status?.phase ?? '',
    ips: podIPs(pod),
    ready: isPodReady(pod),
    node: pod.spec?.nodeName ?? '',
    hostname: pod.spec?.hostname ?? '',
    subdomain: pod.spec?.subdomain ?? '',
    ports: portContainers(pod).map((c) => c.ports ?? []),
  });
}

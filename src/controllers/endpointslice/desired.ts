/**
 * The endpoints a Service should publish, grouped by address type and by port set: each pod gives
 * one endpoint per address type it has an IP of, and its own port set (a named target port the pod
 * lacks is left out of that pod's set, so pods of one Service can land in different slices).
 *
 * With `trafficDistribution: PreferClose` each endpoint with a zone gets a hint for that zone.
 *
 * Conditions follow upstream: serving is the pod's Ready condition (even while it terminates),
 * terminating is a set deletionTimestamp, ready is serving and not terminating, or always true when
 * the Service publishes not-ready addresses.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import {
  canonical,
  endpointHostname,
  findPort,
  isPodReady,
  LABEL_ZONE,
  podIPOfFamily,
  serviceAddressTypes,
  shouldPodBeInEndpoints,
  type PodObject,
} from './podutil.js';

export type AddressType = 'IPv4' | 'IPv6';

/** The endpoints of one port set. */
export interface DesiredGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** What a Service should publish. */
export interface Desired {
  /** Port-set key → group, per address type the Service uses (every type present, maybe empty). */
  byAddressType: Map<AddressType, Map<string, DesiredGroup>>;
  /** Pods left out because their node is not (yet) known: the sync is retried. */
  missingNodes: string[];
}

/** The key of a port set: equal for the same ports in any order. */
export function portSetKey(ports: readonly EndpointPort[] | undefined | null): string {
  return canonical(
    [...(ports ?? [])]
      .map((p) => ({
        name: p.name ?? '',
        port: p.port ?? null,
        protocol: p.protocol ?? 'TCP',
        appProtocol: p.appProtocol ?? null,
      }))
      .sort((a, b) => canonical(a).localeCompare(canonical(b))),
  );
}

/** The key of an endpoint: its addresses, hostname and pod (upstream hashes the same). */
export function endpointKey(ep: Endpoint): string {
  const ref = ep.targetRef;
  return canonical([[...ep.addresses].sort(), ep.hostname ?? '', ref?.namespace ?? '', ref?.name ?? '']);
}

/** The endpoint ports of a pod for a Service (none for a headless Service without ports). */
export function endpointPorts(svc: Service, pod: PodObject): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({
      name: sp.name ?? '',
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return out;
}

/** The endpoint of a pod in `family`, or undefined when the pod has no IP of it. */
export function podToEndpoint(
  pod: PodObject,
  node: Node | undefined,
  svc: Service,
  family: AddressType,
): Endpoint | undefined {
  const ip = podIPOfFamily(pod, family);
  if (!ip) return undefined;
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = { addresses: [ip], conditions: { ready, serving, terminating } };
  const hostname = endpointHostname(pod, svc);
  if (hostname) ep.hostname = hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  ep.targetRef = {
    kind: 'Pod',
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
  };
  const zone = node?.metadata?.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  // trafficDistribution PreferClose: each endpoint is hinted for its own zone.
  if (zone && svc.spec?.trafficDistribution === 'PreferClose') ep.hints = { forZones: [{ name: zone }] };
  return ep;
}

/** The desired endpoints of `svc` over the pods its selector matched. */
export function desiredEndpoints(
  svc: Service,
  pods: readonly PodObject[],
  nodeOf: (name: string) => Node | undefined,
): Desired {
  const byAddressType = new Map<AddressType, Map<string, DesiredGroup>>();
  for (const t of serviceAddressTypes(svc)) byAddressType.set(t, new Map());
  const missing = new Set<string>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const sorted = [...pods].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const pod of sorted) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const nodeName = pod.spec?.nodeName ?? '';
    const node = nodeName ? nodeOf(nodeName) : undefined;
    if (nodeName && !node && !publishNotReady) {
      missing.add(nodeName);
      continue;
    }
    const ports = endpointPorts(svc, pod);
    const key = portSetKey(ports);
    for (const [family, groups] of byAddressType) {
      const ep = podToEndpoint(pod, node, svc, family);
      if (!ep) continue;
      let group = groups.get(key);
      if (!group) {
        group = { ports, endpoints: [] };
        groups.set(key, group);
      }
      group.endpoints.push(ep);
    }
  }
  return { byAddressType, missingNodes: [...missing].sort() };
}

/**
 * The legacy core/v1 Endpoints of a Service: one address per selected pod (in the Service's primary
 * IP family), ready ones under `addresses` and the others under `notReadyAddresses`, packed into
 * subsets of addresses that share the same ports (a pod lacking a named target port is absent from
 * that port's subset). Terminating pods are left out unless the Service publishes not-ready
 * addresses. At most 1,000 addresses are kept (ready ones first), as upstream does, and the
 * Endpoints is then annotated as truncated.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Service } from 'kubernetes-types/core/v1.js';
import {
  canonical,
  endpointHostname,
  findPort,
  isPodReady,
  podIPOfFamily,
  serviceAddressTypes,
  shouldPodBeInEndpoints,
  type PodObject,
} from '../endpointslice/podutil.js';

/** Upstream's limit of addresses in one Endpoints object. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
/** Set to `truncated` when addresses were dropped over {@link MAX_ENDPOINTS_CAPACITY}. */
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

function addressKey(a: EndpointAddress): string {
  return `${a.ip}|${a.targetRef?.uid ?? ''}`;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip === b.ip
    ? (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '')
    : a.ip < b.ip
      ? -1
      : 1;
}

function portKey(p: EndpointPort): string {
  return canonical({
    name: p.name ?? '',
    port: p.port,
    protocol: p.protocol ?? 'TCP',
    app: p.appProtocol ?? '',
  });
}

/** The address of a pod for the Service, or undefined when it has no IP of the Service's family. */
export function podAddress(svc: Service, pod: PodObject): EndpointAddress | undefined {
  const family = serviceAddressTypes(svc)[0] ?? 'IPv4';
  const ip = podIPOfFamily(pod, family);
  if (!ip) return undefined;
  const a: EndpointAddress = { ip };
  const hostname = endpointHostname(pod, svc);
  if (hostname) a.hostname = hostname;
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = {
    kind: 'Pod',
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
  };
  return a;
}

interface Entry {
  address: EndpointAddress;
  ready: boolean;
}

/** The subsets of a Service over the pods its selector matched, packed and sorted. */
export function desiredSubsets(svc: Service, pods: readonly PodObject[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const svcPorts = svc.spec?.ports ?? [];
  const headless = svc.spec?.clusterIP === 'None';
  /** Port key → the port and its addresses. */
  const byPort = new Map<string, { port: EndpointPort | undefined; entries: Map<string, Entry> }>();
  const add = (port: EndpointPort | undefined, e: Entry): void => {
    const key = port ? portKey(port) : '';
    let slot = byPort.get(key);
    if (!slot) byPort.set(key, (slot = { port, entries: new Map() }));
    slot.entries.set(addressKey(e.address), e);
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podAddress(svc, pod);
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    if (svcPorts.length === 0) {
      if (headless) add(undefined, { address, ready });
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      add(ep, { address, ready });
    }
  }
  // Ports sharing the same addresses (with the same readiness) share a subset.
  const subsets = new Map<string, { ports: EndpointPort[]; entries: Entry[] }>();
  for (const { port, entries } of byPort.values()) {
    const list = [...entries.values()].sort((a, b) => compareAddresses(a.address, b.address));
    const key = canonical(list.map((e) => [addressKey(e.address), e.ready]));
    let s = subsets.get(key);
    if (!s) subsets.set(key, (s = { ports: [], entries: list }));
    if (port) s.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const s of subsets.values()) {
    const subset: EndpointSubset = {};
    const ready = s.entries.filter((e) => e.ready).map((e) => e.address);
    const notReady = s.entries.filter((e) => !e.ready).map((e) => e.address);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (s.ports.length) subset.ports = s.ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
    out.push(subset);
  }
  return out.sort((a, b) => canonical(a.ports ?? []).localeCompare(canonical(b.ports ?? [])));
}

/**
 * Cuts the subsets down to {@link MAX_ENDPOINTS_CAPACITY} addresses: ready addresses are kept first;
 * each subset keeps its share in proportion to its size. Returns true when something was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= MAX_ENDPOINTS_CAPACITY) return false;
  const cutReady = ready > MAX_ENDPOINTS_CAPACITY;
  const room = cutReady ? MAX_ENDPOINTS_CAPACITY : MAX_ENDPOINTS_CAPACITY - ready;
  const total = cutReady ? ready : notReady;
  let left = room;
  for (const s of subsets) {
    const list = (cutReady ? s.addresses : s.notReadyAddresses) ?? [];
    const share = Math.min(left, Math.ceil((list.length / total) * room));
    const kept = list.slice(0, share);
    left -= kept.length;
    if (cutReady) {
      if (kept.length) s.addresses = kept;
      else delete s.addresses;
      delete s.notReadyAddresses;
    } else if (kept.length) s.notReadyAddresses = kept;
    else delete s.notReadyAddresses;
  }
  return true;
}

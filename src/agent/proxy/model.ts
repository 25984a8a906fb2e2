/**
 * The proxy's view of a Service: one {@link ServicePortModel} per port, with the endpoints of that port
 * gathered from the Service's EndpointSlices. Built by a pure function from API objects; whatever
 * cannot be expressed in the kernel (a malformed IP, an unknown protocol, an IPv6 slice) is skipped and
 * reported, so one bad object never stops the others from being programmed.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** The transport protocols the proxy programs, as nft spells them. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** Label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The longest service port id the rules can name (nft names hold 255 bytes). */
const MAX_ID_LENGTH = 200;

/** Default ClientIP affinity timeout (3 hours), as upstream. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

/** One backend of one service port. */
export interface EndpointModel {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** One port of one Service, with everything the rules need. */
export interface ServicePortModel {
  /** `ns/name/proto/port` (port name, or the number when unnamed): unique and stable. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  /** The ClusterIP (IPv4), when the Service has one. */
  clusterIP?: string;
  port: number;
  nodePort?: number;
  /** spec.externalIPs plus status.loadBalancer.ingress IPs (VIP mode), deduplicated. */
  externalIPs: string[];
  /** The status.loadBalancer.ingress IPs among {@link externalIPs} (sorted). */
  loadBalancerIPs: string[];
  /**
   * spec.loadBalancerSourceRanges, IPv4 ones as network addresses: when there are any, new connections
   * to the load-balancer IPs from other sources are dropped; empty means no restriction (but see
   * {@link sourceRangesNoIPv4}).
   */
  sourceRanges: string[];
  /** True when loadBalancerSourceRanges is set but holds no IPv4 range: IPv4 sources are all refused. */
  sourceRangesNoIPv4?: boolean;
  /** Set when sessionAffinity is ClientIP. */
  affinityTimeoutSeconds?: number;
  /** externalTrafficPolicy Local. */
  externalLocal: boolean;
  /** internalTrafficPolicy Local. */
  internalLocal: boolean;
  /** All endpoints of this port (deduplicated by ip:port, sorted). */
  endpoints: EndpointModel[];
}

/** What {@link buildServicePorts} returns. */
export interface BuildResult {
  ports: ServicePortModel[];
  /** Human-readable reasons for what was skipped. */
  problems: string[];
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** DNS-1123 label / subdomain characters: what names and namespaces may hold. */
const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const PORT_NAME_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** True for a dotted-quad IPv4 address. */
export function isIPv4(s: unknown): s is string {
  return typeof s === 'string' && IPV4_RE.test(s);
}

/** True for an IPv4 CIDR (`10.42.0.0/16`). */
export function isIPv4CIDR(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || !isIPv4(ip) || bits === undefined || !/^\d{1,2}$/.test(bits)) return false;
  return Number(bits) <= 32;
}

/** The network address of an IPv4 CIDR with its prefix (`10.1.2.3/16` → `10.1.0.0/16`), else undefined. */
export function networkOf(cidr: string): string | undefined {
  if (!isIPv4CIDR(cidr)) return undefined;
  const [ip = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${bits}`;
}

function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function protocolOf(p: string | undefined): Protocol | undefined {
  switch (p ?? 'TCP') {
    case 'TCP':
      return 'tcp';
    case 'UDP':
      return 'udp';
    case 'SCTP':
      return 'sctp';
    default:
      return undefined;
  }
}

/** `ns/name`: the key of a Service, and of the Service an EndpointSlice belongs to. */
export function serviceKeyOf(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** The key of the Service an EndpointSlice belongs to, or undefined when it has no service label. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  return svc ? serviceKeyOf(slice.metadata?.namespace, svc) : undefined;
}

/** Whether the proxy programs anything for this Service at all (headless and ExternalName: no). */
export function isProxied(svc: Service): boolean {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') return false;
  const cip = svc.spec?.clusterIP;
  return cip !== 'None';
}

/** Endpoints of one service port, keyed `ip:port`, gathered over the Service's slices. */
function endpointsFor(
  portName: string,
  protocol: Protocol,
  slices: readonly EndpointSlice[],
  problems: string[],
): EndpointModel[] {
  const found = new Map<string, EndpointModel>();
  for (const slice of slices) {
    const sliceName = slice.metadata?.name ?? '?';
    if (slice.addressType !== 'IPv4') continue; // only the IPv4 family is programmed
    const sp = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === portName && protocolOf(p.protocol ?? undefined) === protocol,
    );
    if (!sp) continue;
    if (!isPort(sp.port)) {
      problems.push(`EndpointSlice ${sliceName}: port ${JSON.stringify(portName)} has no valid number`);
      continue;
    }
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!isIPv4(ip)) {
        problems.push(`EndpointSlice ${sliceName}: endpoint address ${JSON.stringify(ip)} is not IPv4`);
        continue;
      }
      const c = ep.conditions ?? {};
      // Upstream semantics: nil ready means ready; nil serving means "as ready"; nil terminating is false.
      const ready = c.ready ?? true;
      const model: EndpointModel = {
        ip,
        port: sp.port,
        ready,
        serving: c.serving ?? ready,
        terminating: c.terminating ?? false,
      };
      if (ep.nodeName) model.nodeName = ep.nodeName;
      const key = `${ip}:${sp.port}`;
      const prev = found.get(key);
      // The same endpoint in two slices (during a move between slices): the readier entry wins.
      if (!prev || (model.ready && !prev.ready)) found.set(key, model);
    }
  }
  return [...found.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/**
 * The service ports of `svc` with their endpoints from `slices` (the slices labelled with its name).
 * Pure: the same input always gives the same output.
 */
export function buildServicePorts(svc: Service, slices: readonly EndpointSlice[]): BuildResult {
  const problems: string[] = [];
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  if (!NAME_RE.test(namespace) || !NAME_RE.test(name)) {
    return { ports: [], problems: [`invalid name ${JSON.stringify(`${namespace}/${name}`)}`] };
  }
  if (!isProxied(svc)) return { ports: [], problems };
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  let clusterIP: string | undefined;
  if (spec.clusterIP) {
    if (isIPv4(spec.clusterIP)) clusterIP = spec.clusterIP;
    else problems.push(`clusterIP ${JSON.stringify(spec.clusterIP)} is not IPv4: ClusterIP not programmed`);
  }
  const externalIPs: string[] = [];
  for (const ip of spec.externalIPs ?? []) {
    if (isIPv4(ip)) externalIPs.push(ip);
    else problems.push(`externalIP ${JSON.stringify(ip)} is not IPv4: skipped`);
  }
  const lbIPs: string[] = [];
  const sourceRanges: string[] = [];
  let sourceRangesNoIPv4 = false;
  if (type === 'LoadBalancer') {
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      if (!ing.ip) continue;
      if (ing.ipMode === 'Proxy') continue; // the load balancer delivers to node ports itself
      if (isIPv4(ing.ip)) {
        externalIPs.push(ing.ip);
        lbIPs.push(ing.ip);
      } else problems.push(`load-balancer ingress IP ${JSON.stringify(ing.ip)} is not IPv4: skipped`);
    }
    const ranges = (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => r !== '');
    for (const r of ranges) {
      const net = networkOf(r);
      if (net) sourceRanges.push(net);
      else if (!r.includes(':'))
        problems.push(`loadBalancerSourceRanges entry ${JSON.stringify(r)} is not an IPv4 CIDR: skipped`);
    }
    sourceRangesNoIPv4 = ranges.length > 0 && sourceRanges.length === 0;
  }
  const uniqueExternal = [...new Set(externalIPs)].sort();
  const uniqueLB = [...new Set(lbIPs)].sort();
  const uniqueRanges = [...new Set(sourceRanges)].sort();
  let affinityTimeoutSeconds: number | undefined;
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    affinityTimeoutSeconds =
      typeof t === 'number' && Number.isInteger(t) && t > 0 && t <= 86_400
        ? t
        : DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  }
  const externalLocal = spec.externalTrafficPolicy === 'Local';
  const internalLocal = spec.internalTrafficPolicy === 'Local';
  const nodePortsAllowed = type === 'NodePort' || type === 'LoadBalancer';

  const ports: ServicePortModel[] = [];
  const seen = new Set<string>();
  for (const sp of spec.ports ?? []) {
    const protocol = protocolOf(sp.protocol);
    const portName = sp.name ?? '';
    const label = portName || String(sp.port);
    if (!protocol) {
      problems.push(`port ${label}: protocol ${JSON.stringify(sp.protocol)} is not supported`);
      continue;
    }
    if (!isPort(sp.port)) {
      problems.push(`port ${label}: ${JSON.stringify(sp.port)} is not a valid port number`);
      continue;
    }
    if (portName && !PORT_NAME_RE.test(portName)) {
      problems.push(`port ${JSON.stringify(portName)}: invalid port name`);
      continue;
    }
    const id = `${namespace}/${name}/${protocol}/${label}`;
    if (id.length > MAX_ID_LENGTH) {
      // nft names are limited to 255 bytes; endpoint chains and affinity sets add up to ~40 more
      problems.push(`port ${label}: namespace and name too long to program`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`port ${label}/${protocol} appears twice`);
      continue;
    }
    seen.add(id);
    const model: ServicePortModel = {
      id,
      namespace,
      name,
      portName,
      protocol,
      port: sp.port,
      externalIPs: uniqueExternal,
      loadBalancerIPs: uniqueLB,
      sourceRanges: uniqueRanges,
      externalLocal,
      internalLocal,
      endpoints: endpointsFor(portName, protocol, slices, problems),
    };
    if (clusterIP) model.clusterIP = clusterIP;
    if (nodePortsAllowed && sp.nodePort !== undefined) {
      if (isPort(sp.nodePort)) model.nodePort = sp.nodePort;
      else problems.push(`port ${label}: nodePort ${JSON.stringify(sp.nodePort)} is not valid`);
    }
    if (affinityTimeoutSeconds !== undefined) model.affinityTimeoutSeconds = affinityTimeoutSeconds;
    if (sourceRangesNoIPv4) model.sourceRangesNoIPv4 = true;
    ports.push(model);
  }
  return { ports, problems };
}

/**
 * The endpoints traffic may go to, as upstream chooses them: the ready ones; when none is ready, the
 * ones still serving while terminating (so a rollout's last pods keep answering). `localNode` limits
 * the choice to endpoints on that node.
 */
export function usableEndpoints(endpoints: readonly EndpointModel[], localNode?: string): EndpointModel[] {
  const candidates = localNode === undefined ? endpoints : endpoints.filter((e) => e.nodeName === localNode);
  const ready = candidates.filter((e) => e.ready);
  if (ready.length > 0) return ready;
  return candidates.filter((e) => e.serving && e.terminating);
}

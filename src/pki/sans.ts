/**
 * The SAN list of the API server's serving certificate: every name a client may dial the server by.
 */
import { hostname as osHostname, networkInterfaces as osNetworkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import type { SubjectAltNames } from './inspect.js';
import { canonicalIp, firstIpOfCidr, ipFamily } from './ip.js';

/** The in-cluster names of the `kubernetes` Service. */
export const KUBERNETES_SERVICE_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

/** Default service CIDR, as k3s. */
export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

export interface ServingSanOptions {
  /** The machine's host name; defaults to os.hostname(). */
  hostname?: string;
  /** Service CIDRs (one per family); the first IP of each is a SAN. Defaults to 10.43.0.0/16. */
  serviceCidrs?: string[];
  /** Extra SANs (`--tls-san`): IP addresses or DNS names. */
  tlsSans?: string[];
  /** Injectable for tests; defaults to os.networkInterfaces(). */
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** The node's own addresses: non-loopback, non-link-local IPv4 and IPv6. */
export function nodeAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = osNetworkInterfaces(),
): string[] {
  const out: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      const ip = info.address;
      if (ipFamily(ip) === 0) continue;
      if (ipFamily(ip) === 6 && /^fe[89ab]/i.test(ip)) continue;
      out.push(canonicalIp(ip));
    }
  }
  return out;
}

/** Lower-cases DNS names and canonicalises IPs; drops duplicates; keeps first-seen order. */
function addSan(out: SubjectAltNames, value: string): void {
  const v = value.trim();
  if (v === '') return;
  if (ipFamily(v) !== 0) {
    const ip = canonicalIp(v);
    if (!out.ips.includes(ip)) out.ips.push(ip);
  } else {
    const name = v.toLowerCase();
    if (!out.dns.includes(name)) out.dns.push(name);
  }
}

/** Every SAN the serving certificate must carry. */
export function servingSans(opts: ServingSanOptions = {}): SubjectAltNames {
  const out: SubjectAltNames = { dns: [], ips: [] };
  addSan(out, opts.hostname ?? osHostname());
  addSan(out, 'localhost');
  for (const name of KUBERNETES_SERVICE_NAMES) addSan(out, name);
  addSan(out, '127.0.0.1');
  addSan(out, '::1');
  for (const cidr of opts.serviceCidrs ?? [DEFAULT_SERVICE_CIDR]) addSan(out, firstIpOfCidr(cidr));
  for (const ip of nodeAddresses((opts.networkInterfaces ?? osNetworkInterfaces)())) addSan(out, ip);
  for (const san of opts.tlsSans ?? []) addSan(out, san);
  return out;
}

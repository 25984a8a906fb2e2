/**
 * A pod's resolver settings from its dnsPolicy and dnsConfig, as upstream's kubelet computes them:
 * ClusterFirst points at the cluster DNS service with the namespace's search path; Default copies the
 * node's resolv.conf; None takes dnsConfig alone; dnsConfig is merged on top of the others.
 */
import type { PodSpec } from 'kubernetes-types/core/v1.js';

/** Resolver settings (CRI DNSConfig). */
export interface DnsSettings {
  servers: string[];
  searches: string[];
  options: string[];
}

/** The node's view of DNS: cluster DNS service IPs, cluster domain and the host's resolv.conf. */
export interface NodeDns {
  clusterDNS: string[];
  clusterDomain: string;
  host: DnsSettings;
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

/** Parses resolv.conf text. */
export function parseResolvConf(text: string): DnsSettings {
  const out: DnsSettings = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest.filter((s) => s !== '.');
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function mergeOptions(base: string[], extra: { name?: string; value?: string }[] | undefined): string[] {
  const byName = new Map<string, string>();
  for (const o of base) {
    const [name, value] = o.split(':');
    if (name) byName.set(name, o.includes(':') ? `${name}:${value ?? ''}` : name);
  }
  for (const o of extra ?? []) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The effective policy: ClusterFirst on the host network falls back to Default, as upstream. */
export function effectiveDnsPolicy(spec: PodSpec, node: NodeDns): string {
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirstWithHostNet') return node.clusterDNS.length ? 'ClusterFirst' : 'Default';
  if (policy === 'ClusterFirst') {
    if (spec.hostNetwork) return 'Default';
    return node.clusterDNS.length ? 'ClusterFirst' : 'Default';
  }
  return policy;
}

/** The pod's resolver settings. */
export function podDns(spec: PodSpec, namespace: string, node: NodeDns): DnsSettings {
  const policy = effectiveDnsPolicy(spec, node);
  let base: DnsSettings;
  if (policy === 'ClusterFirst') {
    const d = node.clusterDomain;
    base = {
      servers: [...node.clusterDNS],
      searches: [`${namespace}.svc.${d}`, `svc.${d}`, d, ...node.host.searches],
      options: ['ndots:5'],
    };
  } else if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  } else {
    base = {
      servers: [...node.host.servers],
      searches: [...node.host.searches],
      options: [...node.host.options],
    };
  }
  const cfg = spec.dnsConfig;
  return {
    servers: dedupe([...base.servers, ...(cfg?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    searches: dedupe([...base.searches, ...(cfg?.searches ?? [])]).slice(0, MAX_SEARCHES),
    options: mergeOptions(base.options, cfg?.options),
  };
}

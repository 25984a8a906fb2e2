/**
 * The nftables objects of one Service: its chains (with their rules as nft text), its affinity sets and
 * the map elements that send traffic to it. A pure function of the Service's ports and the node; the
 * table around it (base chains, maps) is in nft.ts. See README.md for the layout.
 */
import { usableEndpoints, type EndpointModel, type ServicePortModel } from './model.js';

/**
 * The verdict maps of the table, plus the `hairpin-endpoints` set (`ip . ip` of every endpoint: a
 * DNATed packet whose source is its own endpoint is masqueraded so the reply comes back through the
 * node).
 */
export type MapName =
  | 'service-ips'
  | 'service-nodeports'
  | 'no-endpoint-services'
  | 'no-endpoint-nodeports'
  | 'firewall-ips'
  | 'hairpin-endpoints';

/** One element of a verdict map. */
export interface MapElement {
  map: MapName;
  /** nft key text: `10.43.0.10 . udp . 53` or `tcp . 30080`. */
  key: string;
  /** nft verdict text: `goto cip-…`, `goto reject-chain`, `drop`; '' in a set. */
  value: string;
}

/** Everything one Service contributes to the table. */
export interface Fragment {
  /** Chain name → its rules, in order. */
  chains: Map<string, string[]>;
  /** Set name → its definition body (`{ type ipv4_addr ; … }`). */
  sets: Map<string, string>;
  elements: MapElement[];
  /** `ip:port` of the UDP endpoints traffic may go to (for stale conntrack entries). */
  udpEndpoints: Set<string>;
}

/** What the rules depend on besides the Service. */
export interface NodeContext {
  nodeName: string;
  /** The pod network (`10.42.0.0/16`): sources outside it are masqueraded on the way to a ClusterIP. */
  clusterCIDR?: string;
}

/** The verdict for traffic to a Service that has no endpoint at all. */
export const REJECT = 'goto reject-chain';

function endpointChain(id: string, ep: EndpointModel): string {
  return `ep-${id}__${ep.ip}/${ep.port}`;
}

function affinitySet(id: string, ep: EndpointModel, timeout: number): string {
  return `aff-${timeout}-${id}__${ep.ip}/${ep.port}`;
}

/** An empty fragment. */
export function emptyFragment(): Fragment {
  return { chains: new Map(), sets: new Map(), elements: [], udpEndpoints: new Set() };
}

/** Adds the chains of one service port to `frag`. */
function addServicePort(frag: Fragment, sp: ServicePortModel, node: NodeContext): void {
  const { id, protocol: proto } = sp;
  const cluster = usableEndpoints(sp.endpoints);
  const local = usableEndpoints(sp.endpoints, node.nodeName);
  const cidr = node.clusterCIDR;
  const timeout = sp.affinityTimeoutSeconds;
  const svcChain = `svc-${id}`;
  const locChain = `loc-${id}`;

  /** The chain of one endpoint under ClientIP affinity: remember the client, then DNAT. */
  const addEndpoint = (ep: EndpointModel, t: number): string => {
    const name = endpointChain(id, ep);
    if (frag.chains.has(name)) return name;
    const set = affinitySet(id, ep, t);
    frag.sets.set(set, `{ type ipv4_addr ; flags dynamic,timeout ; timeout ${t}s ; }`);
    frag.chains.set(name, [
      `update @${set} { ip saddr }`,
      `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`,
    ]);
    return name;
  };
  /**
   * A chain that picks one of `eps` at random. Without affinity it is one rule (a DNAT through a
   * `numgen` map: no chain per endpoint, which keeps the table small and every sync cheap); with
   * affinity each endpoint gets a chain that records the client in its set.
   */
  const addBalancer = (name: string, eps: EndpointModel[]): string => {
    if (frag.chains.has(name)) return name;
    for (const ep of eps) {
      frag.elements.push({ map: 'hairpin-endpoints', key: `${ep.ip} . ${ep.ip}`, value: '' });
      if (proto === 'udp') frag.udpEndpoints.add(`${ep.ip}:${ep.port}`);
    }
    const rules: string[] = [];
    if (timeout === undefined) {
      const first = eps[0];
      if (eps.length === 1 && first) rules.push(`meta l4proto ${proto} dnat to ${first.ip}:${first.port}`);
      else {
        const arms = eps.map((ep, i) => `${i} : ${ep.ip} . ${ep.port}`).join(', ');
        rules.push(
          `meta l4proto ${proto} dnat ip addr . port to numgen random mod ${eps.length} map { ${arms} }`,
        );
      }
    } else {
      const targets = eps.map((ep) => addEndpoint(ep, timeout));
      eps.forEach((ep, i) =>
        rules.push(`ip saddr @${affinitySet(id, ep, timeout)} goto ${targets[i] ?? ''}`),
      );
      if (targets.length === 1) rules.push(`goto ${targets[0] ?? ''}`);
      else {
        const arms = targets.map((t, i) => `${i} : goto ${t}`).join(', ');
        rules.push(`numgen random mod ${targets.length} vmap { ${arms} }`);
      }
    }
    frag.chains.set(name, rules);
    return name;
  };
  // Traffic with no endpoint at all is rejected; traffic that a Local policy keeps off the endpoints
  // that exist elsewhere is dropped, as upstream does.
  const none = cluster.length === 0 ? REJECT : 'drop';

  if (sp.clusterIP) {
    const key = `${sp.clusterIP} . ${proto} . ${sp.port}`;
    const eps = sp.internalLocal ? local : cluster;
    if (eps.length > 0) {
      const name = `cip-${id}`;
      const rules: string[] = [];
      if (cidr) rules.push(`ip saddr != ${cidr} jump mark-for-masquerade`);
      rules.push(`goto ${addBalancer(sp.internalLocal ? locChain : svcChain, eps)}`);
      frag.chains.set(name, rules);
      frag.elements.push({ map: 'service-ips', key, value: `goto ${name}` });
    } else {
      frag.elements.push({ map: 'no-endpoint-services', key, value: none });
    }
  }

  const hasExternal = sp.externalIPs.length > 0 || sp.nodePort !== undefined;
  if (!hasExternal) return;
  // loadBalancerSourceRanges: new connections to the load-balancer IPs from other sources are dropped
  // before any DNAT (NodePorts and externalIPs stay open, as upstream).
  if (sp.loadBalancerIPs.length > 0 && (sp.sourceRanges.length > 0 || sp.sourceRangesNoIPv4)) {
    const fw = `fw-${id}`;
    frag.chains.set(fw, [
      sp.sourceRanges.length > 0 ? `ip saddr != { ${sp.sourceRanges.join(', ')} } drop` : 'drop',
    ]);
    for (const ip of sp.loadBalancerIPs)
      frag.elements.push({ map: 'firewall-ips', key: `${ip} . ${proto} . ${sp.port}`, value: `goto ${fw}` });
  }
  let verdict: { map: 'service'; value: string } | { map: 'none'; value: string };
  if (cluster.length === 0) verdict = { map: 'none', value: REJECT };
  else {
    const name = `ext-${id}`;
    const rules: string[] = [];
    if (!sp.externalLocal) {
      rules.push('jump mark-for-masquerade', `goto ${addBalancer(svcChain, cluster)}`);
    } else {
      // Pods and the node itself may use any endpoint (their traffic is not "external"); traffic
      // from elsewhere goes only to this node's endpoints, with its source address kept.
      if (cidr) rules.push(`ip saddr ${cidr} goto ${addBalancer(svcChain, cluster)}`);
      rules.push('fib saddr type local jump mark-for-masquerade');
      rules.push(`fib saddr type local goto ${addBalancer(svcChain, cluster)}`);
      rules.push(local.length > 0 ? `goto ${addBalancer(locChain, local)}` : 'drop');
    }
    frag.chains.set(name, rules);
    verdict = { map: 'service', value: `goto ${name}` };
  }
  for (const ip of sp.externalIPs) {
    frag.elements.push({
      map: verdict.map === 'service' ? 'service-ips' : 'no-endpoint-services',
      key: `${ip} . ${proto} . ${sp.port}`,
      value: verdict.value,
    });
  }
  if (sp.nodePort !== undefined) {
    frag.elements.push({
      map: verdict.map === 'service' ? 'service-nodeports' : 'no-endpoint-nodeports',
      key: `${proto} . ${sp.nodePort}`,
      value: verdict.value,
    });
  }
}

/** The fragment of one Service (all its ports). */
export function serviceFragment(ports: readonly ServicePortModel[], node: NodeContext): Fragment {
  const frag = emptyFragment();
  for (const sp of ports) addServicePort(frag, sp, node);
  return frag;
}

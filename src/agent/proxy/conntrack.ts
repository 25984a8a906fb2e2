/**
 * Stale UDP conntrack entries. UDP has no connection end, so a flow's conntrack entry (and the NAT
 * decision in it) outlives the endpoint it was sent to, and a flow that was rejected while a Service
 * had no endpoints keeps being dropped after endpoints appear. After each sync the proxy deletes:
 * - flows whose replies come from a UDP endpoint that left the table;
 * - flows to a UDP service address (or node port) that just got endpoints.
 * TCP needs nothing: a connection to a gone endpoint is reset or times out, and new ones are NATed anew.
 */
import { spawn } from 'node:child_process';
import type { TableState } from './nft.js';

/** The `conntrack` arguments that delete the stale UDP flows between two table states. */
export function staleUdpFlows(prev: TableState, next: TableState): string[][] {
  const out: string[][] = [];
  const gone = new Set<string>();
  for (const [key, before] of prev.fragments) {
    const after = next.fragments.get(key);
    if (after === before) continue;
    for (const ep of before.udpEndpoints) if (!after?.udpEndpoints.has(ep)) gone.add(ep);
  }
  for (const ep of [...gone].sort()) {
    const [ip = '', port = ''] = ep.split(':');
    out.push(['-D', '-p', 'udp', '--reply-src', ip, '--reply-port-src', port]);
  }
  const rejected = prev.elements.get('no-endpoint-services');
  const served = next.elements.get('service-ips');
  for (const key of rejected?.keys() ?? []) {
    const [ip, proto, port] = key.split(' . ');
    if (proto === 'udp' && ip && port && served?.has(key)) {
      out.push(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', port]);
    }
  }
  const rejectedPorts = prev.elements.get('no-endpoint-nodeports');
  const servedPorts = next.elements.get('service-nodeports');
  for (const key of rejectedPorts?.keys() ?? []) {
    const [proto, port] = key.split(' . ');
    if (proto !== 'udp' || !port || !servedPorts?.has(key)) continue;
    for (const ip of next.nodeIPs) out.push(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', port]);
  }
  return out;
}

/** Runs one `conntrack` command; resolves either way (it exits 1 when nothing matched). */
export type ConntrackRunner = (args: string[]) => Promise<void>;

/** A runner spawning `argv` (default `['conntrack']`), e.g. prefixed with nsenter for a namespace. */
export function conntrackRunner(argv: readonly string[] = ['conntrack']): ConntrackRunner {
  const [cmd, ...pre] = argv;
  if (!cmd) throw new Error('conntrack command is empty');
  return (args) =>
    new Promise((resolve) => {
      const child = spawn(cmd, [...pre, ...args], { stdio: 'ignore' });
      child.once('error', () => resolve());
      child.once('close', () => resolve());
    });
}

/**
 * The whole rule generation as one pure function: Services + EndpointSlices + node → table state (and
 * its nft text). The proxy does the same per Service, incrementally; tests and the benchmark use this.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts, serviceKeyOf, sliceServiceKey } from './model.js';
import { renderFull, resolveElements, type TableState } from './nft.js';
import { serviceFragment, type Fragment, type NodeContext } from './rules.js';

/** What {@link buildState} returns. */
export interface GeneratedState {
  state: TableState;
  /** `ns/name: reason` for everything skipped. */
  problems: string[];
}

/** The table state for `services` and `slices` on the node described by `node` and `nodeIPs`. */
export function buildState(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
  node: NodeContext,
  nodeIPs: readonly string[],
): GeneratedState {
  const bySvc = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const key = sliceServiceKey(s);
    if (!key) continue;
    const list = bySvc.get(key) ?? [];
    list.push(s);
    bySvc.set(key, list);
  }
  const fragments = new Map<string, Fragment>();
  const problems: string[] = [];
  for (const svc of services) {
    const key = serviceKeyOf(svc.metadata?.namespace, svc.metadata?.name);
    const { ports, problems: p } = buildServicePorts(svc, bySvc.get(key) ?? []);
    problems.push(...p.map((x) => `${key}: ${x}`));
    if (ports.length > 0) fragments.set(key, serviceFragment(ports, node));
  }
  const { elements, conflicts } = resolveElements(fragments);
  problems.push(...conflicts.map((c) => `conflict: ${c}`));
  return { state: { fragments, elements, nodeIPs }, problems };
}

/** The nft text that programs `services` and `slices` from scratch into table `table`. */
export function generateRuleset(
  table: string,
  services: readonly Service[],
  slices: readonly EndpointSlice[],
  node: NodeContext,
  nodeIPs: readonly string[],
): string {
  return renderFull(table, buildState(services, slices, node, nodeIPs).state);
}

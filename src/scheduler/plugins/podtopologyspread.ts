/**
 * PodTopologySpread: DoNotSchedule constraints keep the number of matching pods per topology
 * domain within maxSkew of the emptiest eligible domain (filter; minDomains, nodeAffinityPolicy and
 * nodeTaintsPolicy honoured); ScheduleAnyway constraints, or the defaults for pods without any,
 * prefer the domains with fewer matching pods (score, weight 2). Per-node counts of matching pods
 * come from the cache, so a cycle is one pass over the nodes.
 */
import type { LabelSelector } from '../../api/selectors/labels.js';
import { Status } from '../framework/status.js';
import {
  MAX_NODE_SCORE,
  type ClusterView,
  type SelectorCounts,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo, SpreadConstraint } from '../podinfo.js';
import { ConfigError } from './args.js';
import { PLUGIN } from './names.js';
import { nodeMatchesPodAffinity } from './nodeaffinity.js';
import { firstUntolerated } from './tolerations.js';

/** Upstream's reasons. */
export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_LABEL = `${REASON_SPREAD} (missing required label)`;

const HOSTNAME = 'kubernetes.io/hostname';
const FILTER_STATE = 'PreFilter/PodTopologySpread';
const SCORE_STATE = 'PreScore/PodTopologySpread';

/** A default constraint (no selector: it is derived per pod). */
export interface DefaultConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
}

/** PodTopologySpreadArgs. */
export interface SpreadArgs {
  defaultingType: 'System' | 'List';
  defaultConstraints: DefaultConstraint[];
}

/** Upstream's system defaults: spread over zones (skew 3) and hosts (skew 5), both ScheduleAnyway. */
export const SYSTEM_DEFAULT_CONSTRAINTS: DefaultConstraint[] = [
  { maxSkew: 3, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
];

/** Decodes and validates PodTopologySpreadArgs. */
export function parseSpreadArgs(args: Record<string, unknown> | undefined): SpreadArgs {
  const type = args?.['defaultingType'] ?? 'System';
  if (type !== 'System' && type !== 'List')
    throw new ConfigError(
      `defaultingType: Unsupported value: ${JSON.stringify(type)}: supported values: "System", "List"`,
    );
  const raw = args?.['defaultConstraints'] ?? [];
  if (!Array.isArray(raw)) throw new ConfigError('defaultConstraints: Invalid value: must be a list');
  if (type === 'System' && raw.length > 0)
    throw new ConfigError(
      'defaultConstraints: Invalid value: when .defaultingType is "System", .defaultConstraints must be empty',
    );
  const seen = new Set<string>();
  const defaultConstraints = raw.map((c: unknown, i): DefaultConstraint => {
    const p = `defaultConstraints[${i}]`;
    const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    const maxSkew = o['maxSkew'];
    if (typeof maxSkew !== 'number' || !Number.isInteger(maxSkew) || maxSkew <= 0)
      throw new ConfigError(
        `${p}.maxSkew: Invalid value: ${JSON.stringify(maxSkew)}: must be greater than zero`,
      );
    const topologyKey = o['topologyKey'];
    if (typeof topologyKey !== 'string' || topologyKey === '')
      throw new ConfigError(`${p}.topologyKey: Required value: can not be empty`);
    const when = o['whenUnsatisfiable'];
    if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway')
      throw new ConfigError(
        `${p}.whenUnsatisfiable: Unsupported value: ${JSON.stringify(when)}: supported values: "DoNotSchedule", "ScheduleAnyway"`,
      );
    if (o['labelSelector'] !== undefined)
      throw new ConfigError(
        `${p}.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod`,
      );
    const k = `${topologyKey}/${when}`;
    if (seen.has(k))
      throw new ConfigError(
        `${p}: Duplicate value: {${JSON.stringify(topologyKey)}, ${JSON.stringify(when)}}`,
      );
    seen.add(k);
    return { maxSkew, topologyKey, whenUnsatisfiable: when };
  });
  return { defaultingType: type, defaultConstraints };
}

interface FilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: domain value → matching pods. */
  counts: Map<string, number>[];
  mins: number[];
  /** Per constraint: 1 when the incoming pod matches its selector. */
  self: number[];
}

interface ScoreState {
  constraints: SpreadConstraint[];
  /** Topology key → value → matching pods (not for hostname: counted per node). */
  pairs: Map<string, Map<string, number>>;
  weights: number[];
  ignored: Set<NodeInfo>;
  nodes: readonly NodeInfo[];
  /** Per constraint: node → namespace → matching pods. */
  perNode: ReadonlyMap<string, ReadonlyMap<string, number>>[];
}

function hasAllKeys(labels: Readonly<Record<string, string>>, cs: readonly SpreadConstraint[]): boolean {
  for (const c of cs) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** Whether a node's domain counts for constraint `c` (nodeAffinityPolicy, nodeTaintsPolicy). */
function included(c: SpreadConstraint, pod: PodInfo, node: NodeInfo, affinityMatch: boolean): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !affinityMatch) return false;
  if (c.nodeTaintsPolicy === 'Honor' && firstUntolerated(node.hardTaints, pod.tolerations)) return false;
  return true;
}

/** Whether some constraint honours node affinity and the pod has any to honour. */
function affinityMatters(pod: PodInfo, cs: readonly SpreadConstraint[]): boolean {
  if (!pod.nodeSelector && !pod.requiredNodeAffinity) return false;
  return cs.some((c) => c.nodeAffinityPolicy === 'Honor');
}

function minOf(m: Map<string, number>): number {
  let min = Number.MAX_SAFE_INTEGER;
  for (const v of m.values()) if (v < min) min = v;
  return min;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = PLUGIN.PodTopologySpread;
  private readonly defaults: DefaultConstraint[];
  private readonly spreadRejected = Status.unschedulable(REASON_SPREAD);
  private readonly labelRejected = Status.unresolvable(REASON_SPREAD_LABEL);

  constructor(readonly args: SpreadArgs = { defaultingType: 'System', defaultConstraints: [] }) {
    this.defaults = args.defaultingType === 'System' ? SYSTEM_DEFAULT_CONSTRAINTS : args.defaultConstraints;
  }

  /** The pod's constraints of one kind, or the defaults when it has none at all. */
  private constraintsFor(
    pod: PodInfo,
    when: 'DoNotSchedule' | 'ScheduleAnyway',
    view: ClusterView,
  ): { list: SpreadConstraint[]; systemDefaulted: boolean } {
    if (pod.spread.length > 0)
      return { list: pod.spread.filter((c) => c.whenUnsatisfiable === when), systemDefaulted: false };
    const defaults = this.defaults.filter((d) => d.whenUnsatisfiable === when);
    if (defaults.length === 0) return { list: [], systemDefaulted: false };
    const selector: LabelSelector | undefined = view.defaultSpreadSelector(pod);
    if (!selector || selector.isEmpty()) return { list: [], systemDefaulted: false };
    const selectorKey = selector.toString();
    return {
      list: defaults.map((d) => ({
        ...d,
        selector,
        selectorKey,
        minDomains: 1,
        nodeAffinityPolicy: 'Honor',
        nodeTaintsPolicy: 'Ignore',
      })),
      systemDefaulted: this.args.defaultingType === 'System',
    };
  }

  private index(c: SpreadConstraint, view: ClusterView): SelectorCounts {
    return view.selectorCounts(
      `spread:${c.selectorKey}`,
      (p) => !p.terminating && c.selector.matches(p.labels),
    );
  }

  private counts(c: SpreadConstraint, view: ClusterView): ReadonlyMap<string, ReadonlyMap<string, number>> {
    return this.index(c, view).perNode;
  }

  // ---- filter ----

  preFilter(state: CycleState, pod: PodInfo, view: ClusterView): Status | undefined {
    const { list: cs } = this.constraintsFor(pod, 'DoNotSchedule', view);
    if (cs.length === 0) {
      state.skipFilter.add(this.name);
      return undefined;
    }
    const counts = cs.map(() => new Map<string, number>());
    const needAffinity = affinityMatters(pod, cs);
    const ns = pod.namespace;
    const c0 = cs[0] as SpreadConstraint;
    if (cs.length === 1 && !needAffinity && c0.nodeTaintsPolicy === 'Ignore') {
      // Every node with the label is eligible: the domains' totals are kept by the cache.
      const perDomain = this.index(c0, view).perDomain(c0.topologyKey);
      const m = counts[0] as Map<string, number>;
      for (const v of view.domains(c0.topologyKey).keys()) m.set(v, perDomain.get(v)?.get(ns) ?? 0);
      state.write(FILTER_STATE, {
        constraints: cs,
        counts,
        mins: counts.map(minOf),
        self: cs.map((c) => (c.selector.matches(pod.labels) ? 1 : 0)),
      } satisfies FilterState);
      return undefined;
    }
    const perNode = cs.map((c) => this.counts(c, view));
    for (const node of view.nodes()) {
      if (!hasAllKeys(node.labels, cs)) continue;
      const aff = needAffinity ? nodeMatchesPodAffinity(pod, node) : true;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i] as SpreadConstraint;
        if (!included(c, pod, node, aff)) continue;
        const v = node.labels[c.topologyKey] as string;
        const n = perNode[i]?.get(node.name)?.get(ns) ?? 0;
        const m = counts[i] as Map<string, number>;
        m.set(v, (m.get(v) ?? 0) + n);
      }
    }
    state.write(FILTER_STATE, {
      constraints: cs,
      counts,
      mins: counts.map(minOf),
      self: cs.map((c) => (c.selector.matches(pod.labels) ? 1 : 0)),
    } satisfies FilterState);
    return undefined;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.update(state, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.update(state, pod, removed, node, -1);
  }

  private update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, d: number): void {
    const s = state.read<FilterState>(FILTER_STATE);
    if (!s || other.namespace !== pod.namespace || !hasAllKeys(node.labels, s.constraints)) return;
    const aff = affinityMatters(pod, s.constraints) ? nodeMatchesPodAffinity(pod, node) : true;
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels) || !included(c, pod, node, aff)) return;
      const v = node.labels[c.topologyKey] as string;
      const m = s.counts[i] as Map<string, number>;
      m.set(v, (m.get(v) ?? 0) + d);
      s.mins[i] = minOf(m);
    });
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const s = state.read<FilterState>(FILTER_STATE);
    if (!s) return undefined;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i] as SpreadConstraint;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return this.labelRejected;
      const m = s.counts[i] as Map<string, number>;
      const min = m.size < c.minDomains ? 0 : (s.mins[i] ?? 0);
      const self = s.self[i] ?? 0;
      if ((m.get(v) ?? 0) + self - min > c.maxSkew) return this.spreadRejected;
    }
    return undefined;
  }

  // ---- score ----

  preScore(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    view: ClusterView,
  ): Status | undefined {
    const { list: cs, systemDefaulted } = this.constraintsFor(pod, 'ScheduleAnyway', view);
    if (cs.length === 0) {
      state.skipScore.add(this.name);
      return undefined;
    }
    const requireAll = pod.spread.length > 0 || !systemDefaulted;
    const ignored = new Set<NodeInfo>();
    const pairs = new Map<string, Map<string, number>>();
    const sizes = cs.map(() => 0);
    for (const node of nodes) {
      if (requireAll && !hasAllKeys(node.labels, cs)) {
        ignored.add(node);
        continue;
      }
      cs.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME) return;
        let m = pairs.get(c.topologyKey);
        if (!m) pairs.set(c.topologyKey, (m = new Map()));
        const v = node.labels[c.topologyKey] ?? '';
        if (!m.has(v)) {
          m.set(v, 0);
          sizes[i] = (sizes[i] ?? 0) + 1;
        }
      });
    }
    cs.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME) sizes[i] = nodes.length - ignored.size;
    });
    const perNode = cs.map((c) => this.counts(c, view));
    const needAffinity = affinityMatters(pod, cs);
    const onlyHostname = cs.every((c) => c.topologyKey === HOSTNAME);
    // Without node affinity or taints to honour, and no need for nodes to carry every key, a
    // domain's total is the cache's per-domain count.
    const fast =
      !needAffinity && (!requireAll || cs.length === 1) && cs.every((c) => c.nodeTaintsPolicy === 'Ignore');
    if (fast) {
      cs.forEach((c) => {
        if (c.topologyKey === HOSTNAME) return;
        const m = pairs.get(c.topologyKey);
        if (!m) return;
        const perDomain = this.index(c, view).perDomain(c.topologyKey);
        for (const v of m.keys()) m.set(v, perDomain.get(v)?.get(pod.namespace) ?? 0);
      });
    }
    for (const node of onlyHostname || fast ? [] : view.nodes()) {
      if (requireAll && !hasAllKeys(node.labels, cs)) continue;
      let aff: boolean | undefined;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i] as SpreadConstraint;
        if (c.topologyKey === HOSTNAME) continue;
        const m = pairs.get(c.topologyKey);
        const v = node.labels[c.topologyKey] ?? '';
        if (!m || !m.has(v)) continue;
        if (aff === undefined) aff = needAffinity ? nodeMatchesPodAffinity(pod, node) : true;
        if (!included(c, pod, node, aff)) continue;
        const n = perNode[i]?.get(node.name)?.get(pod.namespace) ?? 0;
        if (n) m.set(v, (m.get(v) ?? 0) + n);
      }
    }
    state.write(SCORE_STATE, {
      constraints: cs,
      pairs,
      weights: sizes.map((n) => Math.log(n + 2)),
      ignored,
      nodes,
      perNode,
    } satisfies ScoreState);
    return undefined;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_STATE);
    if (!s || (s.ignored.size > 0 && s.ignored.has(node))) return 0;
    let score = 0;
    const cs = s.constraints;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i] as SpreadConstraint;
      const v = node.labels[c.topologyKey];
      if (v === undefined) continue;
      let cnt: number;
      if (c.topologyKey === HOSTNAME) cnt = s.perNode[i]?.get(node.name)?.get(pod.namespace) ?? 0;
      else cnt = s.pairs.get(c.topologyKey)?.get(v) ?? 0;
      score += cnt * (s.weights[i] ?? 1) + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  normalize(state: CycleState, _pod: PodInfo, scores: Float64Array): void {
    const s = state.read<ScoreState>(SCORE_STATE);
    if (!s) return;
    let min = Infinity;
    let max = 0;
    const anyIgnored = s.ignored.size > 0;
    for (let i = 0; i < scores.length; i++) {
      if (anyIgnored && s.ignored.has(s.nodes[i] as NodeInfo)) continue;
      const v = scores[i] ?? 0;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let i = 0; i < scores.length; i++) {
      if (anyIgnored && s.ignored.has(s.nodes[i] as NodeInfo)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - (scores[i] ?? 0))) / max);
    }
  }
}

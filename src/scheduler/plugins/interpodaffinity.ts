/**
 * InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the required
 * anti-affinity of pods already running, per topology domain (filter); preferred terms of both
 * sides and existing pods' required affinity add or subtract weights per domain (score, weight 2,
 * normalised min–max). Counts of matching pods come from the cache's per-node selector counts, so
 * a cycle touches the nodes that have matching pods, not every pod.
 */
import { Status } from '../framework/status.js';
import {
  MAX_NODE_SCORE,
  type ClusterView,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import { termMatchesPod, type AffinityTerm, type PodInfo } from '../podinfo.js';
import { PLUGIN } from './names.js';

/** Upstream's reasons. */
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

const FILTER_STATE = 'PreFilter/InterPodAffinity';
const SCORE_STATE = 'PreScore/InterPodAffinity';

/** InterPodAffinityArgs. */
export interface InterPodAffinityArgs {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
}

/** Topology key → value → number of pods. */
type Counts = Map<string, Map<string, number>>;

interface FilterState {
  pod: PodInfo;
  existingAnti: Counts;
  affinity: Counts;
  anti: Counts;
}

function bump(m: Counts, key: string, value: string, d: number): void {
  let values = m.get(key);
  if (!values) m.set(key, (values = new Map()));
  const n = (values.get(value) ?? 0) + d;
  if (n === 0) values.delete(value);
  else values.set(value, n);
  if (values.size === 0) m.delete(key);
}

function get(m: Counts, key: string, value: string): number {
  return m.get(key)?.get(value) ?? 0;
}

/** Whether a term's namespaces include `ns` (by name or by the namespace's labels). */
function termCoversNamespace(t: AffinityTerm, ns: string, view: ClusterView): boolean {
  if (t.namespaces.has(ns)) return true;
  if (!t.namespaceSelector) return false;
  const labels = view.namespaceLabels(ns);
  return labels !== undefined && t.namespaceSelector.matches(labels);
}

/** Calls `fn(node, count)` for every node with pods the term selects. */
export function forEachTermMatch(
  t: AffinityTerm,
  view: ClusterView,
  fn: (node: NodeInfo, count: number) => void,
): void {
  const idx = view.selectorCounts(`pod:${t.selectorKey}`, (p) => t.selector.matches(p.labels));
  for (const [nodeName, perNs] of idx.perNode) {
    const node = view.node(nodeName);
    if (!node) continue;
    let n = 0;
    for (const [ns, c] of perNs) if (termCoversNamespace(t, ns, view)) n += c;
    if (n > 0) fn(node, n);
  }
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = PLUGIN.InterPodAffinity;
  private readonly affinityRejected = Status.unresolvable(REASON_AFFINITY);
  private readonly antiRejected = Status.unschedulable(REASON_ANTI_AFFINITY);
  private readonly existingRejected = Status.unschedulable(REASON_EXISTING_ANTI_AFFINITY);

  constructor(
    readonly args: InterPodAffinityArgs = {
      hardPodAffinityWeight: 1,
      ignorePreferredTermsOfExistingPods: false,
    },
  ) {}

  preFilter(state: CycleState, pod: PodInfo, view: ClusterView): Status | undefined {
    if (pod.parseError) return Status.unresolvable(pod.parseError);
    const nsLabels = (ns: string): Readonly<Record<string, string>> | undefined => view.namespaceLabels(ns);
    const existingAnti: Counts = new Map();
    for (const node of view.nodesWithRequiredAntiAffinityPods()) {
      for (const existing of node.podsWithRequiredAntiAffinity)
        for (const t of existing.requiredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && termMatchesPod(t, pod, nsLabels)) bump(existingAnti, t.topologyKey, v, 1);
        }
    }
    if (
      pod.requiredAffinity.length === 0 &&
      pod.requiredAntiAffinity.length === 0 &&
      existingAnti.size === 0
    ) {
      state.skipFilter.add(this.name);
      return undefined;
    }
    const affinity: Counts = new Map();
    const anti: Counts = new Map();
    const count = (terms: AffinityTerm[], into: Counts): void => {
      for (const t of terms)
        forEachTermMatch(t, view, (node, n) => {
          const v = node.labels[t.topologyKey];
          if (v !== undefined) bump(into, t.topologyKey, v, n);
        });
    };
    count(pod.requiredAffinity, affinity);
    count(pod.requiredAntiAffinity, anti);
    state.write(FILTER_STATE, { pod, existingAnti, affinity, anti } satisfies FilterState);
    return undefined;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo, view: ClusterView): void {
    this.update(state, pod, added, node, view, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo, view: ClusterView): void {
    this.update(state, pod, removed, node, view, -1);
  }

  private update(
    state: CycleState,
    pod: PodInfo,
    other: PodInfo,
    node: NodeInfo,
    view: ClusterView,
    d: number,
  ): void {
    const s = state.read<FilterState>(FILTER_STATE);
    if (!s) return;
    const nsLabels = (ns: string): Readonly<Record<string, string>> | undefined => view.namespaceLabels(ns);
    for (const t of other.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatchesPod(t, pod, nsLabels)) bump(s.existingAnti, t.topologyKey, v, d);
    }
    for (const t of pod.requiredAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatchesPod(t, other, nsLabels)) bump(s.affinity, t.topologyKey, v, d);
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatchesPod(t, other, nsLabels)) bump(s.anti, t.topologyKey, v, d);
    }
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo, view: ClusterView): Status | undefined {
    const s = state.read<FilterState>(FILTER_STATE);
    if (!s) return undefined;
    if (!this.satisfiesAffinity(s, pod, node, view)) return this.affinityRejected;
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && get(s.anti, t.topologyKey, v) > 0) return this.antiRejected;
    }
    for (const [key, values] of s.existingAnti) {
      const v = node.labels[key];
      if (v !== undefined && (values.get(v) ?? 0) > 0) return this.existingRejected;
    }
    return undefined;
  }

  private satisfiesAffinity(s: FilterState, pod: PodInfo, node: NodeInfo, view: ClusterView): boolean {
    let podsExist = true;
    for (const t of pod.requiredAffinity) {
      const v = node.labels[t.topologyKey];
      if (v === undefined) return false;
      if (get(s.affinity, t.topologyKey, v) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a group with affinity to itself: allowed when nothing else matches anywhere
    // and the pod matches all of its own terms.
    if (s.affinity.size > 0) return false;
    const nsLabels = (ns: string): Readonly<Record<string, string>> | undefined => view.namespaceLabels(ns);
    return pod.requiredAffinity.every((t) => termMatchesPod(t, pod, nsLabels));
  }

  preScore(
    state: CycleState,
    pod: PodInfo,
    _nodes: readonly NodeInfo[],
    view: ClusterView,
  ): Status | undefined {
    const hasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    const scores = new Map<string, Map<string, number>>();
    const add = (key: string, value: string, d: number): void => {
      let m = scores.get(key);
      if (!m) scores.set(key, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + d);
    };
    for (const t of pod.preferredAffinity)
      forEachTermMatch(t, view, (node, n) => {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) add(t.topologyKey, v, t.weight * n);
      });
    for (const t of pod.preferredAntiAffinity)
      forEachTermMatch(t, view, (node, n) => {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) add(t.topologyKey, v, -t.weight * n);
      });
    const nsLabels = (ns: string): Readonly<Record<string, string>> | undefined => view.namespaceLabels(ns);
    const ignoreExisting = this.args.ignorePreferredTermsOfExistingPods;
    let anyExisting = false;
    for (const node of view.nodesWithAffinityPods()) {
      anyExisting = true;
      for (const existing of node.podsWithAffinity) {
        if (this.args.hardPodAffinityWeight > 0)
          for (const t of existing.requiredAffinity) {
            const v = node.labels[t.topologyKey];
            if (v !== undefined && termMatchesPod(t, pod, nsLabels))
              add(t.topologyKey, v, this.args.hardPodAffinityWeight);
          }
        if (ignoreExisting) continue;
        for (const t of existing.preferredAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && termMatchesPod(t, pod, nsLabels)) add(t.topologyKey, v, t.weight);
        }
        for (const t of existing.preferredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && termMatchesPod(t, pod, nsLabels)) add(t.topologyKey, v, -t.weight);
        }
      }
    }
    if (!hasPreferred && !anyExisting) {
      state.skipScore.add(this.name);
      return undefined;
    }
    state.write(SCORE_STATE, scores);
    return undefined;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.read<Map<string, Map<string, number>>>(SCORE_STATE);
    if (!scores) return 0;
    let total = 0;
    for (const [key, values] of scores) {
      const v = node.labels[key];
      if (v !== undefined) total += values.get(v) ?? 0;
    }
    return total;
  }

  normalize(state: CycleState, _pod: PodInfo, scores: Float64Array): void {
    const s = state.read<Map<string, Map<string, number>>>(SCORE_STATE);
    if (!s || s.size === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (const v of scores) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++)
      scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * ((scores[i] ?? 0) - min)) / diff) : 0;
  }
}

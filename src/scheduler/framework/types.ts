/**
 * The plugin contract of the scheduling framework (upstream's extension points, trimmed to what
 * k8ts uses): PreFilter, Filter, PostFilter, PreScore, Score (+ normalisation). Plugins are
 * synchronous: a scheduling cycle runs on one tick against the scheduler's cache, which nothing
 * else changes meanwhile.
 */
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import type { Diagnosis, Status } from './status.js';

/** Highest score a Score plugin returns after normalisation. */
export const MAX_NODE_SCORE = 100;

/** Per-cycle scratch space shared by a plugin's extension points. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Filter plugins whose PreFilter returned Skip. */
  readonly skipFilter = new Set<string>();
  /** Score plugins whose PreScore returned Skip. */
  readonly skipScore = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** Counts of pods matching one label selector, per node and namespace (see SchedulerCache). */
export interface SelectorCounts {
  /** Node name → namespace → number of matching pods. */
  readonly perNode: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** What plugins may read of the cluster during a cycle. */
export interface ClusterView {
  /** Every schedulable candidate node (nodes with a Node object), in a stable order. */
  nodes(): readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Labels of a namespace, if known. */
  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined;
  /** Nodes that have at least one pod with (anti-)affinity. */
  nodesWithAffinityPods(): Iterable<NodeInfo>;
  /** Nodes with at least one pod with required anti-affinity. */
  nodesWithRequiredAntiAffinityPods(): Iterable<NodeInfo>;
  /** Per-node counts of pods matching `selector` (kept up to date incrementally once asked for). */
  selectorCounts(
    selectorKey: string,
    matches: (labels: Readonly<Record<string, string>>) => boolean,
  ): SelectorCounts;
}

/** Base of every plugin. */
export interface Plugin {
  readonly name: string;
}

/** Runs before filtering; may reject the pod outright or precompute cycle state. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, view: ClusterView): Status | undefined;
  /** Updates precomputed state when preemption simulates adding or removing a pod on `node`. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo, view: ClusterView): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo, view: ClusterView): void;
}

/** Decides whether a pod fits a node (undefined = fits). */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo, view: ClusterView): Status | undefined;
}

/** What a PostFilter plugin (preemption) concluded. */
export interface PostFilterResult {
  /** The node the pod was nominated to (preemption started there); '' clears a nomination. */
  nominatedNodeName?: string;
  /** The message appended to the FitError (e.g. `preemption: 0/3 nodes are available: …`). */
  message: string;
}

/** Runs when no node fits (preemption). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, diagnosis: Diagnosis): PostFilterResult;
}

/** Runs before scoring the feasible nodes; may precompute state or Skip. */
export interface PreScorePlugin extends Plugin {
  preScore(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    view: ClusterView,
  ): Status | undefined;
}

/** Scores a feasible node; `normalize` rescales all scores of a cycle to 0…100. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo, view: ClusterView): number;
  normalize?(state: CycleState, pod: PodInfo, scores: Float64Array): void;
}

/** Any plugin, with the extension points it implements. */
export type AnyPlugin = Plugin &
  Partial<
    Omit<PreFilterPlugin, 'name'> &
      Omit<FilterPlugin, 'name'> &
      Omit<PostFilterPlugin, 'name'> &
      Omit<PreScorePlugin, 'name'> &
      Omit<ScorePlugin, 'name'>
  >;

/** Scales scores so the largest becomes 100 (or, with `reverse`, turns highs into lows). */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc(((scores[i] ?? 0) * MAX_NODE_SCORE) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}

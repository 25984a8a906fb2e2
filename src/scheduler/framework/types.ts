/**
 * The plugin contract of the scheduling framework (upstream's extension points, trimmed to what
 * k8ts uses): PreFilter, Filter, PostFilter, PreScore, Score (+ normalisation). Plugins are
 * synchronous: a scheduling cycle runs on one tick against the scheduler's cache, which nothing
 * else changes meanwhile.
 */
import type { LabelSelector } from '../../api/selectors/labels.js';
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
  /** The Filter plugins left to run once PreFilter is done (set by the framework). */
  filters: FilterPlugin[] | undefined;

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
  /**
   * Value of node label `topologyKey` → namespace → number of matching pods on nodes with that
   * value (nodes without the label count under ''), kept up to date once asked for.
   */
  perDomain(topologyKey: string): ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** What plugins may read of the cluster during a cycle. */
export interface ClusterView {
  /** Every schedulable candidate node (nodes with a Node object), in a stable order. */
  nodes(): readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Values of node label `topologyKey` → number of nodes with that value (nodes with the label only). */
  domains(topologyKey: string): ReadonlyMap<string, number>;
  /** Labels of a namespace, if known. */
  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined;
  /** Nodes that have at least one pod with (anti-)affinity. */
  nodesWithAffinityPods(): Iterable<NodeInfo>;
  /** Nodes with at least one pod with required anti-affinity. */
  nodesWithRequiredAntiAffinityPods(): Iterable<NodeInfo>;
  /**
   * Per-node counts of the pods `matches` accepts, kept up to date incrementally once asked for.
   * `key` must identify the predicate (e.g. a selector's canonical text plus a purpose prefix).
   */
  selectorCounts(key: string, matches: (pod: PodInfo) => boolean): SelectorCounts;
  /**
   * The selector system-default topology spreading uses for a pod: the selectors of the Services
   * selecting it and of its controller (ReplicaSet, StatefulSet, ReplicationController), merged;
   * undefined when there is none.
   */
  defaultSpreadSelector(pod: PodInfo): LabelSelector | undefined;
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

/** What a PostFilter plugin may use besides the cluster view. */
export interface PostFilterContext {
  view: ClusterView;
  /** The profile's Filter plugins on one node, with pods nominated there counted. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
  /** The profile's PreFilter extensions, when a pod is added to or removed from `node` in a simulation. */
  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
  /** Pods nominated to a node. */
  nominatedPods(node: string): PodInfo[];
  /** PodDisruptionBudgets (policy/v1 objects). */
  pdbs(): readonly PdbInfo[];
  /** Carries out a preemption in the background: victims marked and deleted, nominations cleared. */
  preempt(preemptor: PodInfo, node: string, victims: PodInfo[], clearNominated: PodInfo[]): void;
  random(): number;
}

/** A PodDisruptionBudget as preemption reads it. */
export interface PdbInfo {
  namespace: string;
  selector: LabelSelector | undefined;
  disruptionsAllowed: number;
  disruptedPods: ReadonlySet<string>;
}

/** Runs when no node fits (preemption). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, diagnosis: Diagnosis, ctx: PostFilterContext): PostFilterResult;
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

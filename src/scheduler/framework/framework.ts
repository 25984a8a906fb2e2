/**
 * One scheduler profile at run time: its plugins per extension point and the scheduling algorithm
 * (PreFilter → Filter over a rotating window of nodes → PreScore → Score × weight → pick the best,
 * ties broken at random), as upstream's schedulePod/findNodesThatFitPod/prioritizeNodes do.
 */
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import { Diagnosis, FitError, NO_NODES_AVAILABLE, type Status } from './status.js';
import {
  CycleState,
  type ClusterView,
  type FilterPlugin,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from './types.js';

/** Fewest nodes a cycle looks at before it may stop early, as upstream. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** Smallest adaptive share of nodes scored, as upstream. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** A Score plugin with its weight. */
export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** The plugins of a profile per extension point, in order. */
export interface ProfilePlugins {
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
}

/** Thrown when the cluster has no nodes at all (upstream's ErrNoNodesAvailable). */
export class NoNodesError extends Error {
  constructor() {
    super(NO_NODES_AVAILABLE);
  }
}

/** Where a pod may go, and how many nodes were looked at. */
export interface ScheduleResult {
  node: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** How many feasible nodes a cycle looks for among `numAllNodes` (upstream's numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number | undefined): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage ?? 0;
  if (pct >= 100) return numAllNodes;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** Pods nominated to a node that count as already there when filtering for another pod. */
export type NominatedPodsFor = (node: NodeInfo, pod: PodInfo) => PodInfo[];

export class Framework {
  /** Rotates the first node looked at, so early stopping does not always favour the same nodes. */
  nextStartNodeIndex = 0;

  constructor(
    readonly schedulerName: string,
    readonly plugins: ProfilePlugins,
    readonly percentageOfNodesToScore: number | undefined,
    private readonly random: () => number = Math.random,
  ) {}

  /** Runs PreFilter; a rejection is recorded in `diagnosis` and returned. */
  runPreFilter(state: CycleState, pod: PodInfo, view: ClusterView, diagnosis: Diagnosis): Status | undefined {
    for (const pl of this.plugins.preFilter) {
      const st = pl.preFilter(state, pod, view);
      if (!st) continue;
      if (st.code === 'Skip') {
        state.skipFilter.add(pl.name);
        continue;
      }
      st.plugin = pl.name;
      if (st.rejected) {
        diagnosis.preFilterMsg = st.message;
        diagnosis.absentNodesStatus = st;
        diagnosis.unschedulablePlugins.add(pl.name);
      }
      return st;
    }
    return undefined;
  }

  /** Runs the Filter plugins on one node; the first rejection wins. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo, view: ClusterView): Status | undefined {
    state.filters ??= this.plugins.filter.filter((pl) => !state.skipFilter.has(pl.name));
    for (const pl of state.filters) {
      const st = pl.filter(state, pod, node, view);
      if (st) {
        if (st.plugin !== pl.name) st.plugin = pl.name;
        return st;
      }
    }
    return undefined;
  }

  /**
   * Filters with the pods nominated to the node (of at least the pod's priority) counted as there,
   * and without them: a pod must fit both ways (upstream's RunFilterPluginsWithNominatedPods).
   */
  runFiltersWithNominated(
    state: CycleState,
    pod: PodInfo,
    node: NodeInfo,
    view: ClusterView,
    nominated: NominatedPodsFor | undefined,
  ): Status | undefined {
    const others = nominated ? nominated(node, pod) : [];
    if (others.length === 0) return this.runFilters(state, pod, node, view);
    for (const o of others) {
      node.addPod(o);
      for (const pl of this.plugins.preFilter) pl.addPod?.(state, pod, o, node, view);
    }
    let st: Status | undefined;
    try {
      st = this.runFilters(state, pod, node, view);
    } finally {
      for (const o of others) {
        node.removePod(o);
        for (const pl of this.plugins.preFilter) pl.removePod?.(state, pod, o, node, view);
      }
    }
    return st ?? this.runFilters(state, pod, node, view);
  }

  /**
   * Picks a node for `pod`, or throws {@link FitError} (no node fits; `diagnosis` says why) or
   * {@link NoNodesError}.
   */
  schedule(state: CycleState, pod: PodInfo, view: ClusterView, nominated?: NominatedPodsFor): ScheduleResult {
    const nodes = view.nodes();
    const n = nodes.length;
    if (n === 0) throw new NoNodesError();
    const diagnosis = new Diagnosis();
    const pre = this.runPreFilter(state, pod, view, diagnosis);
    if (pre) {
      if (pre.rejected) throw new FitError(n, diagnosis);
      throw new Error(`running PreFilter plugin "${pre.plugin}": ${pre.message}`);
    }

    // A pod nominated by an earlier preemption tries its node first.
    const nominatedName = pod.pod.status?.nominatedNodeName;
    if (nominatedName) {
      const node = view.node(nominatedName);
      if (node && !this.runFiltersWithNominated(state, pod, node, view, nominated))
        return { node: node.name, evaluatedNodes: 1, feasibleNodes: 1 };
    }

    const want = numFeasibleNodesToFind(n, this.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    const start = this.nextStartNodeIndex % n;
    for (let i = 0; i < n; i++) {
      const node = nodes[(start + i) % n] as NodeInfo;
      processed++;
      const st = this.runFiltersWithNominated(state, pod, node, view, nominated);
      if (st) {
        if (st.code === 'Error') throw new Error(`running "${st.plugin}" filter plugin: ${st.message}`);
        diagnosis.nodeToStatus.set(node.name, st);
        diagnosis.unschedulablePlugins.add(st.plugin);
        continue;
      }
      feasible.push(node);
      if (feasible.length >= want) break;
    }
    this.nextStartNodeIndex = (start + processed) % n;
    if (feasible.length === 0) throw new FitError(n, diagnosis);
    const only = feasible[0] as NodeInfo;
    if (feasible.length === 1) return { node: only.name, evaluatedNodes: processed, feasibleNodes: 1 };
    const totals = this.prioritize(state, pod, feasible, view);
    return {
      node: this.selectHost(feasible, totals),
      evaluatedNodes: processed,
      feasibleNodes: feasible.length,
    };
  }

  /** PreScore and Score: the weighted total score of every feasible node. */
  prioritize(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], view: ClusterView): Float64Array {
    for (const pl of this.plugins.preScore) {
      const st = pl.preScore(state, pod, nodes, view);
      if (!st) continue;
      if (st.code === 'Skip') state.skipScore.add(pl.name);
      else throw new Error(`running PreScore plugin "${pl.name}": ${st.message}`);
    }
    const totals = new Float64Array(nodes.length);
    const scores = new Float64Array(nodes.length);
    for (const { plugin, weight } of this.plugins.score) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i] as NodeInfo, view);
      plugin.normalize?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) totals[i] = (totals[i] ?? 0) + (scores[i] ?? 0) * weight;
    }
    return totals;
  }

  /** The node with the highest total; among equals, one at random (reservoir sampling). */
  selectHost(nodes: readonly NodeInfo[], totals: Float64Array): string {
    let best = 0;
    let bestScore = totals[0] ?? 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      const s = totals[i] ?? 0;
      if (s > bestScore) {
        bestScore = s;
        best = i;
        ties = 1;
      } else if (s === bestScore) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return (nodes[best] as NodeInfo).name;
  }
}

/** A fresh cycle state. */
export function newCycleState(): CycleState {
  return new CycleState();
}

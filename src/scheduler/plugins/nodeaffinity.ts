/**
 * NodeAffinity: spec.nodeSelector and required node affinity must match the node (filter, also
 * covering upstream's NodeSelector semantics); preferred node affinity terms add their weights
 * (score, normalised to 0…100; weight 2 by default).
 */
import { Status } from '../framework/status.js';
import {
  defaultNormalize,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import { matchesNodeSelectorMap, termMatches } from '../nodeselector.js';
import type { PodInfo } from '../podinfo.js';
import { PLUGIN } from './names.js';

/** Upstream's reason. */
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** Whether a node satisfies the pod's nodeSelector and required node affinity. */
export function nodeMatchesPodAffinity(pod: PodInfo, node: NodeInfo): boolean {
  if (pod.nodeSelector && !matchesNodeSelectorMap(pod.nodeSelector, node.labels)) return false;
  if (pod.requiredNodeAffinity && !pod.requiredNodeAffinity.matches(node.labels, node.name)) return false;
  return true;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = PLUGIN.NodeAffinity;
  private readonly rejected = Status.unresolvable(REASON_NODE_AFFINITY);

  preFilter(state: CycleState, pod: PodInfo): Status | undefined {
    if (!pod.nodeSelector && !pod.requiredNodeAffinity) state.skipFilter.add(this.name);
    return undefined;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    return nodeMatchesPodAffinity(pod, node) ? undefined : this.rejected;
  }

  preScore(state: CycleState, pod: PodInfo): Status | undefined {
    if (pod.preferredNodeAffinity.length === 0) state.skipScore.add(this.name);
    return undefined;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    for (const p of pod.preferredNodeAffinity)
      if (termMatches(p.term, node.labels, node.name)) sum += p.weight;
    return sum;
  }

  normalize(_state: CycleState, _pod: PodInfo, scores: Float64Array): void {
    defaultNormalize(scores, false);
  }
}

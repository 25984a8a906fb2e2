/**
 * TaintToleration: a node's NoSchedule/NoExecute taints must be tolerated (filter); nodes with
 * fewer untolerated PreferNoSchedule taints score higher (weight 3 by default).
 */
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { Status } from '../framework/status.js';
import {
  defaultNormalize,
  type CycleState,
  type FilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import { PLUGIN } from './names.js';
import { anyTolerates, firstUntolerated } from './tolerations.js';

const STATE = 'PreScore/TaintToleration';

/** Upstream's reason for an untolerated taint: `node(s) had untolerated taint {key: value}`. */
export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = PLUGIN.TaintToleration;
  /** Reasons by taint, so rejecting many nodes allocates once per distinct taint. */
  private readonly reasons = new Map<string, Status>();

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    if (node.hardTaints.length === 0) return undefined;
    const taint = firstUntolerated(node.hardTaints, pod.tolerations);
    if (!taint) return undefined;
    const k = `${taint.key}\u0000${taint.value ?? ''}`;
    let st = this.reasons.get(k);
    if (!st) {
      st = Status.unresolvable(untoleratedTaintReason(taint.key, taint.value));
      if (this.reasons.size < 1024) this.reasons.set(k, st);
    }
    return st;
  }

  preScore(state: CycleState, pod: PodInfo): Status | undefined {
    const prefer = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(STATE, prefer);
    return undefined;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    if (node.softTaints.length === 0) return 0;
    const tolerations = state.read<Toleration[]>(STATE) ?? [];
    let n = 0;
    for (const taint of node.softTaints) if (!anyTolerates(tolerations, taint)) n++;
    return n;
  }

  normalize(_state: CycleState, _pod: PodInfo, scores: Float64Array): void {
    defaultNormalize(scores, true);
  }
}

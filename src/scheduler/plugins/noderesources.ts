/**
 * NodeResourcesFit (filter: requests fit what the node has left; score: LeastAllocated spreads,
 * MostAllocated packs, RequestedToCapacityRatio follows a shape) and
 * NodeResourcesBalancedAllocation (score: nodes whose CPU and memory use stay even score higher).
 * Scores read each node's running totals; nothing is summed per pod.
 */
import { Status } from '../framework/status.js';
import {
  MAX_NODE_SCORE,
  type CycleState,
  type FilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import { PLUGIN } from './names.js';

/** A resource and its weight in a scoring strategy. */
export interface ResourceSpec {
  name: string;
  weight: number;
}

/** NodeResourcesFitArgs.scoringStrategy. */
export interface ScoringStrategy {
  type: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
  resources: ResourceSpec[];
  /** RequestedToCapacityRatio: utilization (0…100) → score (0…10) points, increasing utilization. */
  shape?: { utilization: number; score: number }[];
}

/** NodeResourcesFitArgs. */
export interface FitArgs {
  ignoredResources: string[];
  ignoredResourceGroups: string[];
  scoringStrategy: ScoringStrategy;
}

export const DEFAULT_RESOURCES: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

export function defaultFitArgs(type: ScoringStrategy['type'] = 'LeastAllocated'): FitArgs {
  return {
    ignoredResources: [],
    ignoredResourceGroups: [],
    scoringStrategy: { type, resources: DEFAULT_RESOURCES.map((r) => ({ ...r })) },
  };
}

/** Extended resources: domain-qualified names outside kubernetes.io (`example.com/gpu`). */
function isExtendedResource(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return !(domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) && !name.startsWith('requests.');
}

const TOO_MANY_PODS = 'Too many pods';

/**
 * Writes the node's allocatable amount of resource `name` into `alloc[i]`, and what would be requested
 * with the pod on it into `req[i]` (0 and 0 when the resource is not scored on this node).
 */
function allocatableAndRequested(
  node: NodeInfo,
  name: string,
  podRequest: number,
  useNonZero: boolean,
  alloc: number[],
  req: number[],
  i: number,
): void {
  let a = 0;
  let r = 0;
  switch (name) {
    case 'cpu':
      a = node.allocatable.milliCPU;
      r = (useNonZero ? node.nonZeroMilliCPU : node.requested.milliCPU) + podRequest;
      break;
    case 'memory':
      a = node.allocatable.memory;
      r = (useNonZero ? node.nonZeroMemory : node.requested.memory) + podRequest;
      break;
    case 'ephemeral-storage':
      a = node.allocatable.ephemeralStorage;
      r = node.requested.ephemeralStorage + podRequest;
      break;
    default:
      if (podRequest !== 0) {
        a = node.allocatable.scalar?.get(name) ?? 0;
        r = a === 0 ? 0 : (node.requested.scalar?.get(name) ?? 0) + podRequest;
      }
  }
  alloc[i] = a;
  req[i] = a === 0 ? 0 : r;
}

/** What the pod requests of each scored resource (non-zero defaults for CPU/memory when asked). */
function podRequestList(pod: PodInfo, resources: readonly ResourceSpec[], useNonZero: boolean): number[] {
  return resources.map((r) => {
    if (useNonZero && r.name === 'cpu') return pod.nonZeroMilliCPU;
    if (useNonZero && r.name === 'memory') return pod.nonZeroMemory;
    return pod.requests.get(r.name);
  });
}

/** A piecewise-linear function through `shape` (utilization 0…100 → score 0…100). */
function brokenLinear(shape: { utilization: number; score: number }[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      const cur = shape[i] as { utilization: number; score: number };
      if (p <= cur.utilization) {
        if (i === 0) return cur.score;
        const prev = shape[i - 1] as { utilization: number; score: number };
        return (
          prev.score +
          Math.trunc(
            ((cur.score - prev.score) * (p - prev.utilization)) / (cur.utilization - prev.utilization),
          )
        );
      }
    }
    return shape[shape.length - 1]?.score ?? 0;
  };
}

type Scorer = (requested: number[], allocatable: number[]) => number;

function strategyScorer(s: ScoringStrategy): Scorer {
  const weights = s.resources.map((r) => r.weight);
  if (s.type === 'RequestedToCapacityRatio') {
    const shape = (
      s.shape ?? [
        { utilization: 0, score: 10 },
        { utilization: 100, score: 0 },
      ]
    ).map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / 10) }));
    const f = brokenLinear(shape);
    return (req, alloc) => {
      let score = 0;
      let wsum = 0;
      for (let i = 0; i < req.length; i++) {
        const a = alloc[i] ?? 0;
        if (a === 0) continue;
        const r = req[i] ?? 0;
        const rs = r > a ? f(100) : f(Math.trunc((r * 100) / a));
        if (rs > 0) {
          score += rs * (weights[i] ?? 1);
          wsum += weights[i] ?? 1;
        }
      }
      return wsum === 0 ? 0 : Math.round(score / wsum);
    };
  }
  const most = s.type === 'MostAllocated';
  return (req, alloc) => {
    let score = 0;
    let wsum = 0;
    for (let i = 0; i < req.length; i++) {
      const a = alloc[i] ?? 0;
      if (a === 0) continue;
      let r = req[i] ?? 0;
      let rs: number;
      if (most) {
        if (r > a) r = a;
        rs = Math.trunc((r * MAX_NODE_SCORE) / a);
      } else {
        rs = r > a ? 0 : Math.trunc(((a - r) * MAX_NODE_SCORE) / a);
      }
      const w = weights[i] ?? 1;
      score += rs * w;
      wsum += w;
    }
    return wsum === 0 ? 0 : Math.trunc(score / wsum);
  };
}

const FIT_STATE = 'PreScore/NodeResourcesFit';
const BALANCED_STATE = 'PreScore/NodeResourcesBalancedAllocation';

/** NodeResourcesFit. */
export class NodeResourcesFit implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = PLUGIN.NodeResourcesFit;
  private readonly ignored: Set<string>;
  private readonly ignoredGroups: Set<string>;
  private readonly scorer: Scorer;
  private readonly tooManyPods = Status.unschedulable(TOO_MANY_PODS);
  private readonly reasons = new Map<string, string>();
  /** Scratch arrays reused by every score (cycles are synchronous). */
  private readonly req: number[];
  private readonly alloc: number[];

  constructor(readonly args: FitArgs = defaultFitArgs()) {
    this.req = new Array<number>(args.scoringStrategy.resources.length).fill(0);
    this.alloc = new Array<number>(args.scoringStrategy.resources.length).fill(0);
    this.ignored = new Set(args.ignoredResources);
    this.ignoredGroups = new Set(args.ignoredResourceGroups);
    this.scorer = strategyScorer(args.scoringStrategy);
  }

  private insufficient(name: string): string {
    let r = this.reasons.get(name);
    if (!r) this.reasons.set(name, (r = `Insufficient ${name}`));
    return r;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const req = pod.requests;
    const tooMany = node.pods.size + 1 > node.allocatable.allowedPodNumber;
    const noRequests =
      req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar === undefined;
    if (noRequests) return tooMany ? this.tooManyPods : undefined;
    const reasons: string[] | undefined = tooMany ? [TOO_MANY_PODS] : undefined;
    let out = reasons;
    let unresolvable = false;
    const alloc = node.allocatable;
    const used = node.requested;
    if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
      (out ??= []).push('Insufficient cpu');
      if (req.milliCPU > alloc.milliCPU) unresolvable = true;
    }
    if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
      (out ??= []).push('Insufficient memory');
      if (req.memory > alloc.memory) unresolvable = true;
    }
    if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
      (out ??= []).push('Insufficient ephemeral-storage');
      if (req.ephemeralStorage > alloc.ephemeralStorage) unresolvable = true;
    }
    if (req.scalar) {
      for (const [name, q] of req.scalar) {
        if (q === 0) continue;
        if (isExtendedResource(name)) {
          if (this.ignored.has(name)) continue;
          if (this.ignoredGroups.size > 0 && this.ignoredGroups.has(name.split('/')[0] ?? '')) continue;
        }
        const a = alloc.scalar?.get(name) ?? 0;
        if (q > a - (used.scalar?.get(name) ?? 0)) {
          (out ??= []).push(this.insufficient(name));
          if (q > a) unresolvable = true;
        }
      }
    }
    if (!out) return undefined;
    return unresolvable ? Status.unresolvable(...out) : Status.unschedulable(...out);
  }

  preScore(state: CycleState, pod: PodInfo): Status | undefined {
    state.write(FIT_STATE, podRequestList(pod, this.args.scoringStrategy.resources, true));
    return undefined;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const podReq =
      state.read<number[]>(FIT_STATE) ?? podRequestList(pod, this.args.scoringStrategy.resources, true);
    const resources = this.args.scoringStrategy.resources;
    const req = this.req;
    const alloc = this.alloc;
    for (let i = 0; i < resources.length; i++)
      allocatableAndRequested(node, (resources[i] as ResourceSpec).name, podReq[i] ?? 0, true, alloc, req, i);
    return this.scorer(req, alloc);
  }
}

/** NodeResourcesBalancedAllocation (args: the resources compared; cpu and memory by default). */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = PLUGIN.NodeResourcesBalancedAllocation;

  private readonly alloc: number[];
  private readonly req: number[];

  constructor(readonly resources: ResourceSpec[] = DEFAULT_RESOURCES.map((r) => ({ ...r }))) {
    this.alloc = new Array<number>(resources.length).fill(0);
    this.req = new Array<number>(resources.length).fill(0);
  }

  preScore(state: CycleState, pod: PodInfo): Status | undefined {
    const list = podRequestList(pod, this.resources, false);
    // A pod that requests none of the resources cannot change the balance: skip scoring.
    if (list.every((v) => v === 0)) state.skipScore.add(this.name);
    else state.write(BALANCED_STATE, list);
    return undefined;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const podReq = state.read<number[]>(BALANCED_STATE) ?? podRequestList(pod, this.resources, false);
    const alloc = this.alloc;
    const req = this.req;
    for (let i = 0; i < this.resources.length; i++)
      allocatableAndRequested(
        node,
        (this.resources[i] as ResourceSpec).name,
        podReq[i] ?? 0,
        false,
        alloc,
        req,
        i,
      );
    let n = 0;
    let total = 0;
    let f0 = 0;
    let f1 = 0;
    for (let i = 0; i < this.resources.length; i++) {
      const a = alloc[i] ?? 0;
      if (a === 0) continue;
      const f = Math.min((req[i] ?? 0) / a, 1);
      total += f;
      if (n === 0) f0 = f;
      else if (n === 1) f1 = f;
      n++;
    }
    let std = 0;
    if (n === 2) std = Math.abs((f0 - f1) / 2);
    else if (n > 2) {
      const mean = total / n;
      let sum = 0;
      for (let i = 0; i < this.resources.length; i++) {
        const a = alloc[i] ?? 0;
        if (a === 0) continue;
        const f = Math.min((req[i] ?? 0) / a, 1);
        sum += (f - mean) * (f - mean);
      }
      std = Math.sqrt(sum / n);
    }
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}

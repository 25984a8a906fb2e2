/**
 * DefaultPreemption (PostFilter): when no node fits a pod, find nodes where evicting lower-priority
 * pods would make it fit, keep as few and as unimportant victims as possible (PodDisruptionBudgets
 * respected where they can be), pick the best node by upstream's criteria, nominate the pod there
 * and have the victims deleted gracefully with the DisruptionTarget condition.
 */
import { Diagnosis, fitErrorMessage, Status } from '../framework/status.js';
import type {
  CycleState,
  PdbInfo,
  PostFilterContext,
  PostFilterPlugin,
  PostFilterResult,
} from '../framework/types.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { PodInfo } from '../podinfo.js';
import { ConfigError } from './args.js';
import { PLUGIN } from './names.js';

/** Upstream's messages. */
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NEVER_PREEMPTS = 'not eligible due to preemptionPolicy=Never.';
export const TERMINATING_ON_NOMINATED = 'not eligible due to a terminating pod on the nominated node.';

/** DefaultPreemptionArgs. */
export interface PreemptionArgs {
  minCandidateNodesPercentage: number;
  minCandidateNodesAbsolute: number;
}

export function parsePreemptionArgs(args: Record<string, unknown> | undefined): PreemptionArgs {
  const pct = args?.['minCandidateNodesPercentage'] ?? 10;
  const abs = args?.['minCandidateNodesAbsolute'] ?? 100;
  if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 0 || pct > 100)
    throw new ConfigError(
      `minCandidateNodesPercentage: Invalid value: ${JSON.stringify(pct)}: not in valid range [0, 100]`,
    );
  if (typeof abs !== 'number' || !Number.isInteger(abs) || abs < 0)
    throw new ConfigError(
      `minCandidateNodesAbsolute: Invalid value: ${JSON.stringify(abs)}: not in valid range [0, inf)`,
    );
  if (pct === 0 && abs === 0)
    throw new ConfigError(
      'minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage',
    );
  return { minCandidateNodesPercentage: pct, minCandidateNodesAbsolute: abs };
}

interface Candidate {
  node: NodeInfo;
  victims: PodInfo[];
  pdbViolations: number;
}

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime;
  return t ? Date.parse(t) : Number.MAX_SAFE_INTEGER;
}

/** Upstream's MoreImportantPod: higher priority, then started earlier. */
function moreImportant(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startTime(a) < startTime(b);
}

function terminatingByPreemption(p: PodInfo): boolean {
  return (
    p.terminating &&
    (p.pod.status?.conditions ?? []).some(
      (c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler',
    )
  );
}

/** Splits victims into those whose eviction would violate a PDB and the rest (upstream's rule). */
function splitByPdb(victims: PodInfo[], pdbs: readonly PdbInfo[]): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) => p.disruptionsAllowed);
  const violating: PodInfo[] = [];
  const ok: PodInfo[] = [];
  for (const v of victims) {
    let violated = false;
    if (Object.keys(v.labels).length > 0)
      pdbs.forEach((pdb, i) => {
        if (pdb.namespace !== v.namespace || !pdb.selector || pdb.selector.isEmpty()) return;
        if (!pdb.selector.matches(v.labels)) return;
        if (pdb.disruptedPods.has(v.pod.metadata?.name ?? '')) return;
        allowed[i] = (allowed[i] ?? 0) - 1;
        if ((allowed[i] ?? 0) < 0) violated = true;
      });
    (violated ? violating : ok).push(v);
  }
  return [violating, ok];
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = PLUGIN.DefaultPreemption;

  constructor(
    readonly args: PreemptionArgs = { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 },
  ) {}

  postFilter(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
    ctx: PostFilterContext,
  ): PostFilterResult {
    const r = this.preempt(state, pod, diagnosis, ctx);
    return { ...r, message: r.message ? `preemption: ${r.message}` : '' };
  }

  private preempt(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
    ctx: PostFilterContext,
  ): PostFilterResult {
    const statusOf = (name: string): Status | undefined =>
      diagnosis.nodeToStatus.get(name) ?? diagnosis.absentNodesStatus;
    // 1. Is the pod allowed to preempt?
    if (pod.pod.spec?.preemptionPolicy === 'Never') return { message: NEVER_PREEMPTS };
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated && statusOf(nominated)?.code !== 'UnschedulableAndUnresolvable') {
      const node = ctx.view.node(nominated);
      if (node)
        for (const p of node.pods.values())
          if (p.priority < pod.priority && terminatingByPreemption(p))
            return { message: TERMINATING_ON_NOMINATED };
    }

    // 2. Nodes where removing pods could help: those rejected for a resolvable reason.
    const nodes = ctx.view.nodes();
    const result = new Diagnosis();
    const notHelpful = Status.unresolvable(NOT_HELPFUL);
    const potential: NodeInfo[] = [];
    for (const n of nodes) {
      const st = statusOf(n.name);
      if (!st || st.code === 'UnschedulableAndUnresolvable') result.nodeToStatus.set(n.name, notHelpful);
      else potential.push(n);
    }
    const noCandidates = (): PostFilterResult => ({
      nominatedNodeName: '',
      message: fitErrorMessage(nodes.length, result),
    });
    if (potential.length === 0) return noCandidates();

    // 3. Dry runs, from a random offset, until enough candidates are found.
    const pdbs = ctx.pdbs();
    const want = Math.min(
      potential.length,
      Math.max(
        Math.trunc((potential.length * this.args.minCandidateNodesPercentage) / 100),
        this.args.minCandidateNodesAbsolute,
      ),
    );
    const offset = Math.floor(ctx.random() * potential.length);
    const good: Candidate[] = [];
    const violating: Candidate[] = [];
    for (let i = 0; i < potential.length; i++) {
      const node = potential[(offset + i) % potential.length] as NodeInfo;
      const r = this.selectVictims(state, pod, node, pdbs, ctx);
      if (r instanceof Status) {
        result.nodeToStatus.set(node.name, r);
        continue;
      }
      (r.pdbViolations === 0 ? good : violating).push(r);
      if (good.length > 0 && good.length + violating.length >= want) break;
    }
    const candidates = [...good, ...violating];
    if (candidates.length === 0) return noCandidates();

    // 4. The best candidate, then the preemption itself (API calls in the background).
    const best = pickCandidate(candidates);
    const clear = ctx
      .nominatedPods(best.node.name)
      .filter((p) => p.key !== pod.key && p.priority < pod.priority);
    ctx.preempt(pod, best.node.name, best.victims, clear);
    return { nominatedNodeName: best.node.name, message: '' };
  }

  /** The fewest, least important pods to remove from `node` so the pod fits (upstream's selectVictimsOnNode). */
  private selectVictims(
    state: CycleState,
    pod: PodInfo,
    node: NodeInfo,
    pdbs: readonly PdbInfo[],
    ctx: PostFilterContext,
  ): Candidate | Status {
    const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (lower.length === 0) return Status.unresolvable(NO_VICTIMS);
    const removed: PodInfo[] = [];
    const remove = (p: PodInfo): void => {
      node.removePod(p);
      ctx.removePod(state, pod, p, node);
      removed.push(p);
    };
    const restore = (p: PodInfo): void => {
      node.addPod(p);
      ctx.addPod(state, pod, p, node);
      removed.splice(removed.indexOf(p), 1);
    };
    try {
      for (const p of lower) remove(p);
      const st = ctx.runFilters(state, pod, node);
      if (st) return st;
      lower.sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
      const [violatingPods, okPods] = splitByPdb(lower, pdbs);
      const victims: PodInfo[] = [];
      let pdbViolations = 0;
      const reprieve = (p: PodInfo): boolean => {
        restore(p);
        if (!ctx.runFilters(state, pod, node)) return true;
        remove(p);
        victims.push(p);
        return false;
      };
      for (const p of violatingPods) if (!reprieve(p)) pdbViolations++;
      for (const p of okPods) reprieve(p);
      if (violatingPods.length > 0 && okPods.length > 0)
        victims.sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
      return { node, victims, pdbViolations };
    } finally {
      for (const p of [...removed]) restore(p);
    }
  }
}

/** Upstream's pickOneNodeForPreemption criteria, in order. */
export function pickCandidate(cands: Candidate[]): Candidate {
  const narrow = (list: Candidate[], key: (c: Candidate) => number): Candidate[] => {
    let best = Infinity;
    for (const c of list) best = Math.min(best, key(c));
    return list.filter((c) => key(c) === best);
  };
  let list = cands.filter((c) => c.victims.length === 0);
  if (list.length > 0) return list[0] as Candidate;
  list = narrow(cands, (c) => c.pdbViolations);
  if (list.length > 1) list = narrow(list, (c) => c.victims[0]?.priority ?? 0);
  if (list.length > 1)
    list = narrow(list, (c) => c.victims.reduce((s, v) => s + v.priority + 2_147_483_648, 0));
  if (list.length > 1) list = narrow(list, (c) => c.victims.length);
  if (list.length > 1) {
    // The node whose most important victims started last loses the least work.
    const earliest = (c: Candidate): number => {
      const top = c.victims[0]?.priority ?? 0;
      let t = Number.MAX_SAFE_INTEGER;
      for (const v of c.victims) if (v.priority === top) t = Math.min(t, startTime(v));
      return t;
    };
    list = narrow(list, (c) => -earliest(c));
  }
  return list[0] as Candidate;
}

/**
 * Which pods a ReplicaSet deletes first when it has too many: upstream's ranking of active pods, so
 * that scaling down removes the pods whose loss hurts least.
 *
 * In order, a pod goes first when it is: not scheduled (others are); Pending before Unknown before
 * Running; not Ready; of lower `controller.kubernetes.io/pod-deletion-cost`; on a node with more pods
 * of the same owner; Ready for less time; of more container restarts; newer. Times are compared on a
 * logarithmic scale relative to now (upstream's LogarithmicScaleDown, on by default): pods whose ages
 * fall in the same power-of-two bucket are ordered by uid, a stable pseudo-random order.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady } from '../framework/pods.js';

/** The annotation that tells a ReplicaSet which pods to prefer deleting (int32, default 0). */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[POD_DELETION_COST];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw.trim())) return 0;
  const n = Number(raw.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function readySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

function createdAt(pod: Pod): number | undefined {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** The power-of-two bucket of an age in nanoseconds (-1 for none), as upstream compares ages. */
function bucket(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/**
 * -1 when `a` goes first by time `ta` vs `tb` (the more recent first; a missing time first of all),
 * 1 when `b` does, 0 when they tie.
 */
function compareTimes(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, now: number): number {
  if (ta === tb) return 0;
  if (ta === undefined) return -1;
  if (tb === undefined) return 1;
  const diff = bucket(ta, now) - bucket(tb, now);
  if (diff !== 0) return diff < 0 ? -1 : 1;
  const ua = a.metadata?.uid ?? '';
  const ub = b.metadata?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function maxRestarts(pod: Pod): { regular: number; sidecar: number } {
  let regular = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount);
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  let sidecar = 0;
  for (const s of pod.status?.initContainerStatuses ?? [])
    if (sidecars.has(s.name)) sidecar = Math.max(sidecar, s.restartCount);
  return { regular, sidecar };
}

/**
 * Negative when `a` should be deleted before `b`. `rank` is the number of related active pods on
 * each pod's node.
 */
export function compareForDeletion(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  if (ra && rb) {
    const byReady = compareTimes(a, b, readySince(a), readySince(b), now);
    if (byReady !== 0) return byReady;
  }
  const xa = maxRestarts(a);
  const xb = maxRestarts(b);
  if (xa.regular !== xb.regular) return xb.regular - xa.regular;
  if (xa.sidecar !== xb.sidecar) return xb.sidecar - xa.sidecar;
  return compareTimes(a, b, createdAt(a), createdAt(b), now);
}

/**
 * The `count` pods of `pods` to delete first. `related` are the active pods of every ReplicaSet of the
 * same owner (a superset of `pods`): a pod sharing its node with more of them goes first.
 */
export function podsToDelete<T extends Pod>(
  pods: readonly T[],
  related: readonly Pod[],
  count: number,
  now: Date,
): T[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const rankOf = (p: Pod): number => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  const t = now.getTime();
  const sorted = [...pods].sort((a, b) => compareForDeletion(a, b, rankOf(a), rankOf(b), t));
  return sorted.slice(0, count);
}

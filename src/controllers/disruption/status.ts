/**
 * The arithmetic of a PodDisruptionBudget's status, free of I/O: which recorded disruptions still
 * stand, how many selected pods are healthy, and the status the controller should publish.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  conditionsUpToDate,
  DELETION_TIMEOUT_MS,
  podReady,
  updateDisruptionAllowedCondition,
  type PdbStatus,
} from '../../api/policy/pdb.js';
import type { JsonObject } from '../../api/core/util.js';
import { rfc3339 } from '../../util/time.js';

/** A pod as the controller reads it from the cache. */
export type PodLike = Pod & { metadata: { name?: string; namespace?: string; deletionTimestamp?: string } };

/** The disruptions to keep, and when to look again (the earliest pending expiry), if any. */
export interface DisruptedPodMap {
  kept: Record<string, string>;
  recheckAt?: number;
  /** Pods recorded as disrupted that were not deleted in time (each gets a NotDeleted event). */
  notDeleted: PodLike[];
}

/**
 * Upstream's buildDisruptedPodMap: an entry stands while its pod exists, is not being deleted yet,
 * and the eviction was at most {@link DELETION_TIMEOUT_MS} ago.
 */
export function buildDisruptedPodMap(
  pods: readonly PodLike[],
  recorded: Readonly<Record<string, string>> | undefined,
  now: number,
): DisruptedPodMap {
  const out: DisruptedPodMap = { kept: {}, notDeleted: [] };
  if (!recorded) return out;
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[name];
    if (at === undefined) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!Number.isFinite(expires) || expires < now) {
      out.notDeleted.push(pod);
      continue;
    }
    if (out.recheckAt === undefined || expires < out.recheckAt) out.recheckAt = expires;
    out.kept[name] = at;
  }
  return out;
}

/** Ready pods that are neither being deleted nor recently evicted (upstream's countHealthyPods). */
export function countHealthy(
  pods: readonly PodLike[],
  disrupted: Readonly<Record<string, string>>,
  now: number,
): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (podReady(pod as unknown as JsonObject)) healthy++;
  }
  return healthy;
}

/** The numbers the controller computed for one budget. */
export interface Observed {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptedPods: Record<string, string>;
  generation: number;
}

function sameMap(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>>,
): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => a?.[k] === b[k]);
}

/**
 * The status to publish, or undefined when the stored one already says it. Disruptions are allowed
 * only while pods are expected (a budget that selects nothing yet stays safe when its first pods
 * appear before the controller catches up).
 */
export function nextStatus(current: PdbStatus, o: Observed, now: Date): PdbStatus | undefined {
  let allowed = o.currentHealthy - o.desiredHealthy;
  if (o.expectedPods <= 0 || allowed <= 0) allowed = 0;
  if (
    current.currentHealthy === o.currentHealthy &&
    current.desiredHealthy === o.desiredHealthy &&
    current.expectedPods === o.expectedPods &&
    current.disruptionsAllowed === allowed &&
    sameMap(current.disruptedPods, o.disruptedPods) &&
    (current.observedGeneration ?? 0) === o.generation &&
    conditionsUpToDate(current, o.generation)
  )
    return undefined;
  const next: PdbStatus = {
    observedGeneration: o.generation,
    ...(Object.keys(o.disruptedPods).length ? { disruptedPods: o.disruptedPods } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: o.currentHealthy,
    desiredHealthy: o.desiredHealthy,
    expectedPods: o.expectedPods,
    ...(current.conditions ? { conditions: current.conditions } : {}),
  };
  updateDisruptionAllowedCondition(next, rfc3339(now));
  return next;
}

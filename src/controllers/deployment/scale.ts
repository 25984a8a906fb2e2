/**
 * Scaling a Deployment without rolling it out (a changed `replicas`, or any change while paused):
 * the one active ReplicaSet takes the new size; during a rollout the difference is spread over the
 * active ReplicaSets in proportion to their sizes (proportional scaling). Also the clean-up of old
 * ReplicaSets beyond revisionHistoryLimit and the plain status sync.
 */
import { REPLICASETS } from '../../client/resources.js';
import { ApiError } from '../../api/errors.js';
import { calculateStatus } from './conditions.js';
import { scaleIfNeeded, scaleReplicaSet, writeStatus, type DeploymentDeps } from './context.js';
import { replicaSetsAndSyncRevision } from './replicasets.js';
import {
  activeReplicaSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasAnnotation,
  isRollingUpdate,
  maxReplicasAnnotation,
  maxSurge,
  replicasOf,
  prunedEqual,
  specReplicas,
  type DeploymentObject,
  type ReplicaSetObject,
} from './util.js';

/** True when an active ReplicaSet was sized for another `replicas` (desired-replicas annotation). */
export async function isScalingEvent(
  deps: DeploymentDeps,
  d: DeploymentObject,
  rss: readonly ReplicaSetObject[],
): Promise<boolean> {
  const { newRs, oldRss } = await replicaSetsAndSyncRevision(deps, d, rss, false);
  for (const rs of activeReplicaSets([...oldRss, newRs])) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== replicasOf(d)) return true;
  }
  return false;
}

/** The only active ReplicaSet, else the newest one when none is active, else undefined. */
function activeOrLatest(
  newRs: ReplicaSetObject | undefined,
  oldRss: readonly ReplicaSetObject[],
): ReplicaSetObject | undefined {
  if (!newRs && oldRss.length === 0) return undefined;
  const newestFirst = [...oldRss].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRs]);
  if (active.length === 0) return newRs ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet runs every replica, all available, for the current `replicas`. */
function isSaturated(d: DeploymentObject, rs: ReplicaSetObject | undefined): boolean {
  if (!rs) return false;
  return (
    replicasOf(rs) === replicasOf(d) &&
    desiredReplicasAnnotation(rs) === replicasOf(d) &&
    (rs.status?.availableReplicas ?? 0) === replicasOf(d)
  );
}

/** The share of `toAdd` for `rs`: its size scaled to the new total, bounded by what is left to give. */
function proportion(rs: ReplicaSetObject, d: DeploymentObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const total = replicasOf(d) + maxSurge(d);
    const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
    const newSize = annotated === 0 ? 0 : (replicasOf(rs) * total) / annotated;
    // Go's math.Round: halves away from zero.
    fraction = Math.sign(newSize) * Math.round(Math.abs(newSize)) - replicasOf(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** Scales the Deployment's ReplicaSets to its `replicas` (see the file comment). */
export async function scale(
  deps: DeploymentDeps,
  d: DeploymentObject,
  newRs: ReplicaSetObject | undefined,
  oldRss: ReplicaSetObject[],
): Promise<void> {
  const target = activeOrLatest(newRs, oldRss);
  if (target) {
    if (replicasOf(target) === replicasOf(d)) return;
    await scaleReplicaSet(deps, target, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRs)) {
    for (const old of activeReplicaSets(oldRss)) await scaleIfNeeded(deps, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRss, newRs]);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  const sizes = new Map<ReplicaSetObject, number>();
  let added = 0;
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs, replicasOf(rs));
  }
  for (let i = 0; i < all.length; i++) {
    const rs = all[i];
    if (!rs) continue;
    let size = sizes.get(rs) ?? replicasOf(rs);
    if (i === 0 && toAdd !== 0) size = Math.max(size + (toAdd - added), 0); // leftovers to the largest
    // Annotations are refreshed even when the size stays (scaleReplicaSet checks both).
    await scaleReplicaSet(deps, rs, size, d);
  }
}

/** Deletes the oldest old ReplicaSets beyond revisionHistoryLimit that run nothing. */
export async function cleanupDeployment(
  deps: DeploymentDeps,
  oldRss: readonly ReplicaSetObject[],
  d: DeploymentObject,
): Promise<void> {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const alive = oldRss.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return;
  const ordered = [...alive].sort(byRevision);
  const client = deps.client.resource(REPLICASETS, d.metadata.namespace);
  for (let i = 0; i < diff; i++) {
    const rs = ordered[i];
    if (!rs) continue;
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      replicasOf(rs) !== 0 ||
      (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
      rs.metadata.deletionTimestamp
    )
      continue;
    try {
      await client.delete(rs.metadata.name ?? '');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

/** Writes the status computed from the ReplicaSets when it changed. */
export async function syncDeploymentStatus(
  deps: DeploymentDeps,
  all: readonly (ReplicaSetObject | undefined)[],
  newRs: ReplicaSetObject | undefined,
  d: DeploymentObject,
): Promise<void> {
  const status = calculateStatus(all, newRs, d, deps.clock.now());
  if (prunedEqual(d.status, status)) return;
  d.status = status;
  await writeStatus(deps, d);
}

/** A scaling event or a paused Deployment: scale, clean up when paused, sync status. */
export async function syncScaling(
  deps: DeploymentDeps,
  d: DeploymentObject,
  rss: readonly ReplicaSetObject[],
): Promise<void> {
  const { newRs, oldRss } = await replicaSetsAndSyncRevision(deps, d, rss, false);
  await scale(deps, d, newRs, oldRss);
  if (d.spec?.paused) await cleanupDeployment(deps, oldRss, d);
  await syncDeploymentStatus(deps, [...oldRss, newRs], newRs, d);
}

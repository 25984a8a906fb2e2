/**
 * The RollingUpdate strategy: grow the new ReplicaSet as far as maxSurge allows, shrink old ones as
 * far as maxUnavailable allows (unhealthy old pods first), one step per sync; old ReplicaSets beyond
 * the history limit go once the rollout is complete.
 */
import { deploymentComplete } from './conditions.js';
import { scaleIfNeeded, type DeploymentDeps } from './context.js';
import { syncRolloutStatus } from './progress.js';
import { newReplicaSetReplicas, replicaSetsAndSyncRevision } from './replicasets.js';
import { cleanupDeployment } from './scale.js';
import {
  activeReplicaSets,
  availableReplicas,
  byCreation,
  maxUnavailable,
  replicasOf,
  specReplicas,
  type DeploymentObject,
  type ReplicaSetObject,
} from './util.js';

/** Scales the new ReplicaSet towards `replicas` within maxSurge; true when it scaled. */
async function reconcileNewReplicaSet(
  deps: DeploymentDeps,
  all: readonly ReplicaSetObject[],
  newRs: ReplicaSetObject,
  d: DeploymentObject,
): Promise<boolean> {
  const want = replicasOf(d);
  if (replicasOf(newRs) === want) return false;
  if (replicasOf(newRs) > want) return (await scaleIfNeeded(deps, newRs, want, d)).scaled;
  return (await scaleIfNeeded(deps, newRs, newReplicaSetReplicas(d, all, newRs), d)).scaled;
}

/**
 * Scales old ReplicaSets down by at most `max` of their unavailable pods (oldest first): those pods
 * help nobody and would block the rollout. Returns the ReplicaSets as updated and the count.
 */
async function cleanupUnhealthyReplicas(
  deps: DeploymentDeps,
  oldRss: ReplicaSetObject[],
  d: DeploymentObject,
  max: number,
): Promise<{ oldRss: ReplicaSetObject[]; count: number }> {
  const sorted = [...oldRss].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i];
    if (!rs) continue;
    if (total >= max) break;
    const size = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const down = Math.min(max - total, size - available);
    const next = size - down;
    if (next > size)
      throw new Error(
        `when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''} ${size} -> ${next}`,
      );
    sorted[i] = (await scaleIfNeeded(deps, rs, next, d)).rs;
    total += down;
  }
  return { oldRss: sorted, count: total };
}

/** Scales old ReplicaSets down (oldest first) while more than `replicas - maxUnavailable` pods are available. */
async function scaleDownOldForRollingUpdate(
  deps: DeploymentDeps,
  all: readonly ReplicaSetObject[],
  oldRss: readonly ReplicaSetObject[],
  d: DeploymentObject,
): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicas(all);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRss].sort(byCreation)) {
    if (total >= budget) break;
    const size = replicasOf(rs);
    if (size === 0) continue;
    const down = Math.min(size, budget - total);
    await scaleIfNeeded(deps, rs, size - down, d);
    total += down;
  }
  return total;
}

/** Scales old ReplicaSets down within maxUnavailable; true when anything was scaled. */
async function reconcileOldReplicaSets(
  deps: DeploymentDeps,
  all: readonly ReplicaSetObject[],
  oldRss: ReplicaSetObject[],
  newRs: ReplicaSetObject,
  d: DeploymentObject,
): Promise<boolean> {
  if (specReplicas(oldRss) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRs) - (newRs.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(deps, oldRss, d, maxScaledDown);
  const scaledDown = await scaleDownOldForRollingUpdate(deps, [...cleaned.oldRss, newRs], cleaned.oldRss, d);
  return cleaned.count + scaledDown > 0;
}

/** One step of a rolling update. */
export async function rolloutRolling(
  deps: DeploymentDeps,
  d: DeploymentObject,
  rss: readonly ReplicaSetObject[],
): Promise<void> {
  const { newRs, oldRss } = await replicaSetsAndSyncRevision(deps, d, rss, true);
  if (!newRs) return;
  const all = [...oldRss, newRs];
  if (await reconcileNewReplicaSet(deps, all, newRs, d)) return syncRolloutStatus(deps, all, newRs, d);
  if (await reconcileOldReplicaSets(deps, all, activeReplicaSets(oldRss), newRs, d))
    return syncRolloutStatus(deps, all, newRs, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRss, d);
  return syncRolloutStatus(deps, all, newRs, d);
}

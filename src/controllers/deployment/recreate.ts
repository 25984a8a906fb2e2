/**
 * The Recreate strategy: scale every old ReplicaSet to zero, wait until none of their pods is left
 * running, then create (or scale up) the new ReplicaSet to `replicas`.
 */
import { deploymentComplete } from './conditions.js';
import { scaleIfNeeded, type DeploymentDeps, type PodObject } from './context.js';
import { syncRolloutStatus } from './progress.js';
import { podsByReplicaSet, replicaSetsAndSyncRevision } from './replicasets.js';
import { cleanupDeployment } from './scale.js';
import {
  activeReplicaSets,
  actualReplicas,
  replicasOf,
  type DeploymentObject,
  type ReplicaSetObject,
} from './util.js';

/** True while an old ReplicaSet reports replicas or any of its pods is not terminated. */
export function oldPodsRunning(
  newRs: ReplicaSetObject | undefined,
  oldRss: readonly ReplicaSetObject[],
  pods: ReadonlyMap<string, readonly PodObject[]>,
): boolean {
  if (actualReplicas(oldRss) > 0) return true;
  for (const [uid, list] of pods) {
    if (newRs && newRs.metadata.uid === uid) continue;
    for (const pod of list) {
      const phase = pod.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}

/** One step of a Recreate rollout. */
export async function rolloutRecreate(
  deps: DeploymentDeps,
  d: DeploymentObject,
  rss: readonly ReplicaSetObject[],
): Promise<void> {
  let { newRs, oldRss } = await replicaSetsAndSyncRevision(deps, d, rss, false);
  let all = [...oldRss, newRs];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRss)) {
    if ((await scaleIfNeeded(deps, rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(deps, all, newRs, d);
  if (oldPodsRunning(newRs, oldRss, podsByReplicaSet(deps, rss)))
    return syncRolloutStatus(deps, all, newRs, d);
  if (!newRs) {
    ({ newRs, oldRss } = await replicaSetsAndSyncRevision(deps, d, rss, true));
    all = [...oldRss, newRs];
  }
  if (newRs) await scaleIfNeeded(deps, newRs, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRss, d);
  return syncRolloutStatus(deps, all, newRs, d);
}

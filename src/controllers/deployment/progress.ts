/**
 * Rollout progress: the Progressing condition (ReplicaSetUpdated while pods move,
 * NewReplicaSetAvailable when complete, ProgressDeadlineExceeded after progressDeadlineSeconds without
 * progress, DeploymentPaused/DeploymentResumed), ReplicaFailure copied from the ReplicaSets, and a
 * timed requeue so a stuck rollout is noticed when its deadline passes.
 */
import type { DeploymentCondition } from 'kubernetes-types/apps/v1.js';
import { objectKey } from '../../client/types.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  fromReplicaSetCondition,
  getCondition,
  hasProgressDeadline,
  newCondition,
  removeCondition,
  setCondition,
  PROGRESSING,
  REPLICA_FAILURE,
  Reasons,
} from './conditions.js';
import { writeStatus, type DeploymentDeps } from './context.js';
import { prunedEqual, type DeploymentObject, type ReplicaSetObject } from './util.js';

/** ReplicaFailure conditions of the new ReplicaSet, else of any ReplicaSet. */
function replicaFailures(
  all: readonly (ReplicaSetObject | undefined)[],
  newRs: ReplicaSetObject | undefined,
): DeploymentCondition[] {
  const of = (rs: ReplicaSetObject | undefined): DeploymentCondition[] =>
    (rs?.status?.conditions ?? []).filter((c) => c.type === REPLICA_FAILURE).map(fromReplicaSetCondition);
  const fromNew = of(newRs);
  if (fromNew.length) return fromNew;
  return all.flatMap(of);
}

/**
 * When the rollout is neither complete nor timed out, syncs again when its deadline would pass
 * (Progressing.lastUpdateTime + progressDeadlineSeconds).
 */
function requeueStuck(
  deps: DeploymentDeps,
  d: DeploymentObject,
  status: NonNullable<DeploymentObject['status']>,
): void {
  const cur = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !cur) return;
  if (deploymentComplete(d, status) || cur.reason === Reasons.timedOut) return;
  const last = cur.lastUpdateTime ? Date.parse(cur.lastUpdateTime) : NaN;
  if (!Number.isFinite(last)) return;
  const deadline = last + (d.spec?.progressDeadlineSeconds ?? 0) * 1000;
  const after = Math.round((deadline - deps.clock.now().getTime()) / 1000) * 1000;
  deps.requeueAfter(objectKey(d), after < 1000 ? 1000 : after + 1000);
}

/** Computes the status with rollout progress and writes it when it changed. */
export async function syncRolloutStatus(
  deps: DeploymentDeps,
  all: readonly (ReplicaSetObject | undefined)[],
  newRs: ReplicaSetObject | undefined,
  d: DeploymentObject,
): Promise<void> {
  const now = deps.clock.now();
  const status = calculateStatus(all, newRs, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const cur = getCondition(d.status, PROGRESSING);
  const complete =
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0) &&
    cur?.reason === Reasons.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRs?.metadata.name;
    if (deploymentComplete(d, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has successfully progressed.`
        : `Deployment "${d.metadata.name ?? ''}" has successfully progressed.`;
      setCondition(status, newCondition(PROGRESSING, 'True', Reasons.newReplicaSetAvailable, msg, now));
    } else if (deploymentProgressing(d, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" is progressing.`
        : `Deployment "${d.metadata.name ?? ''}" is progressing.`;
      const cond = newCondition(PROGRESSING, 'True', Reasons.replicaSetUpdated, msg, now);
      // Progress refreshes lastUpdateTime even when the reason stays; the transition time is kept.
      if (cur) {
        if (cur.status === 'True' && cur.lastTransitionTime) cond.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(status, PROGRESSING);
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has timed out progressing.`
        : `Deployment "${d.metadata.name ?? ''}" has timed out progressing.`;
      setCondition(status, newCondition(PROGRESSING, 'False', Reasons.timedOut, msg, now));
    }
  }
  const failures = replicaFailures(all, newRs);
  const [failure] = failures;
  if (failure) setCondition(status, failure);
  else removeCondition(status, REPLICA_FAILURE);

  if (prunedEqual(d.status, status)) {
    requeueStuck(deps, d, status);
    return;
  }
  d.status = status;
  await writeStatus(deps, d);
}

/**
 * Sets Progressing to DeploymentPaused / DeploymentResumed when `spec.paused` changed (never over a
 * ProgressDeadlineExceeded).
 */
export async function checkPausedConditions(deps: DeploymentDeps, d: DeploymentObject): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cur = getCondition(d.status, PROGRESSING);
  if (cur?.reason === Reasons.timedOut) return;
  const pausedCond = cur?.reason === Reasons.paused;
  const now = deps.clock.now();
  d.status ??= {};
  if (d.spec?.paused && !pausedCond) {
    setCondition(d.status, newCondition(PROGRESSING, 'Unknown', Reasons.paused, 'Deployment is paused', now));
  } else if (!d.spec?.paused && pausedCond) {
    setCondition(
      d.status,
      newCondition(PROGRESSING, 'Unknown', Reasons.resumed, 'Deployment is resumed', now),
    );
  } else return;
  await writeStatus(deps, d);
}

/**
 * StatefulSet status: counting pods (created, ready, available, at the current or the update
 * revision), completing a rolling update, and deciding whether the stored status is stale.
 */
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import { isPodAvailable, isPodReady } from '../framework/pods.js';
import { phase, podRevision, type Sts, type StsPod } from './identity.js';

/** Running with the Ready condition True. */
export function isRunningAndReady(pod: StsPod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** Ready for minReadySeconds at `now`. */
export function isRunningAndAvailable(pod: StsPod, minReadySeconds: number, now: Date): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}

/** Running, ready and not being deleted. */
export function isHealthy(pod: StsPod): boolean {
  return isRunningAndReady(pod) && !phase.terminating(pod);
}

/** A writable status (every count present). */
export type SetStatus = StatefulSetStatus & {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
};

/** Recounts the replica fields of `status` from `pods`. */
export function countReplicas(
  status: SetStatus,
  pods: readonly (StsPod | undefined)[],
  minReadySeconds: number,
  currentRevision: string,
  updateRevision: string,
  now: Date,
): void {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const pod of pods) {
    if (!pod) continue;
    const created = phase.created(pod);
    if (created) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas++;
    }
    if (created && !phase.terminating(pod)) {
      const rev = podRevision(pod);
      if (rev === currentRevision) status.currentReplicas++;
      if (rev === updateRevision) status.updatedReplicas++;
    }
  }
}

/** Once every replica runs the update revision and is ready, the update revision becomes current. */
export function completeRollingUpdate(set: Sts, status: SetStatus): void {
  if (
    (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    status.updatedReplicas === status.replicas &&
    status.readyReplicas === status.replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** True when `status` says something the stored status does not. */
export function statusChanged(set: Sts, status: SetStatus): boolean {
  const old: StatefulSetStatus = set.status ?? { replicas: 0 };
  return (
    (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0) ||
    status.replicas !== (old.replicas ?? 0) ||
    status.currentReplicas !== (old.currentReplicas ?? 0) ||
    status.readyReplicas !== (old.readyReplicas ?? 0) ||
    status.updatedReplicas !== (old.updatedReplicas ?? 0) ||
    status.availableReplicas !== (old.availableReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (old.currentRevision ?? '') ||
    (status.updateRevision ?? '') !== (old.updateRevision ?? '') ||
    (status.collisionCount ?? 0) !== (old.collisionCount ?? 0)
  );
}

/** The status as stored: counts that are zero and optional are left out, as Go's encoder does. */
export function wireStatus(status: SetStatus): StatefulSetStatus {
  const out: StatefulSetStatus = { replicas: status.replicas, availableReplicas: status.availableReplicas };
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.currentReplicas) out.currentReplicas = status.currentReplicas;
  if (status.updatedReplicas) out.updatedReplicas = status.updatedReplicas;
  if (status.currentRevision) out.currentRevision = status.currentRevision;
  if (status.updateRevision) out.updateRevision = status.updateRevision;
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}

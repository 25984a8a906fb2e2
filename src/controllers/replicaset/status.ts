/**
 * ReplicaSet status from its pods: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
 * (Ready for minReadySeconds), and the ReplicaFailure condition while creating or deleting pods fails.
 */
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/validation/equality.js';
import { rfc3339 } from '../../util/time.js';
import { isPodAvailable, isPodReady } from '../framework/pods.js';

/** The condition type set while pods cannot be created or deleted. */
export const REPLICA_FAILURE = 'ReplicaFailure';

/** The message of an error as the API server worded it. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function labelsMatch(
  want: Record<string, string> | undefined,
  have: Record<string, string> | undefined,
): boolean {
  for (const [k, v] of Object.entries(want ?? {})) if (have?.[k] !== v) return false;
  return true;
}

/**
 * The status a ReplicaSet should have given its active, owned pods and the outcome of the last
 * create/delete round (`manageError`, undefined when it succeeded or did not run).
 */
export function calculateStatus(
  rs: ReplicaSet,
  pods: readonly Pod[],
  manageError: unknown,
  now: Date,
): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (labelsMatch(rs.spec?.template?.metadata?.labels, pod.metadata?.labels)) fully++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const cond: ReplicaSetCondition = {
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: rfc3339(now),
      reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
      message: errorMessage(manageError),
    };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (manageError === undefined && failure) {
    const rest = (status.conditions ?? []).filter((c) => c.type !== REPLICA_FAILURE);
    if (rest.length) status.conditions = rest;
    else delete status.conditions;
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fully;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** True when `next` differs from the stored status (or the generation was not observed yet). */
export function statusChanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status;
  return (
    (cur?.replicas ?? 0) !== next.replicas ||
    (cur?.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur?.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur?.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (rs.metadata?.generation ?? 0) !== (cur?.observedGeneration ?? 0) ||
    !semanticEqual(cur?.conditions, next.conditions)
  );
}

/** Added to availability requeues so a timer that fires a little early does not miss the moment. */
const AVAILABILITY_MARGIN_MS = 100;

/**
 * Milliseconds until the next of `pods` that is Ready but not yet available becomes available, or
 * undefined when none is waiting.
 */
export function nextAvailableInMs(
  pods: readonly Pod[],
  minReadySeconds: number,
  now: Date,
): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
    const since = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
    if (!Number.isFinite(since)) continue; // never becomes available (as upstream)
    const wait = since + minReadySeconds * 1000 - now.getTime() + AVAILABILITY_MARGIN_MS;
    next = Math.min(next ?? Infinity, Math.max(wait, 0));
  }
  return next;
}

/** The status without the zero counts upstream omits (`replicas` is always written). */
export function omitZeroCounts(status: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { ...status };
  if (out.fullyLabeledReplicas === 0) delete out.fullyLabeledReplicas;
  if (out.readyReplicas === 0) delete out.readyReplicas;
  if (out.availableReplicas === 0) delete out.availableReplicas;
  if (out.observedGeneration === 0) delete out.observedGeneration;
  return out;
}

/**
 * What the Job controller reads from Jobs and their pods: well-known names, finished and
 * suspended Jobs, completion indexes, which pods count as failed or terminating, when a pod
 * finished, and the order in which surplus pods are removed.
 */
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady } from '../framework/pods.js';

/** The finalizer that keeps a finished pod until the Job counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and label) with a pod's completion index in an Indexed Job. */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
/** Failures counted so far in a pod's index (backoffLimitPerIndex). */
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
/** Failures of a pod's index that an Ignore rule did not count. */
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** The environment variable with the completion index. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The controller name a Job's `spec.managedBy` names when this controller owns it. */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

/** The condition of `type`, if any. */
export function findCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

function conditionTrue(job: Job, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete=True or Failed=True. */
export function isJobFinished(job: Job): boolean {
  return conditionTrue(job, 'Complete') || conditionTrue(job, 'Failed');
}

/** `spec.suspend` is true. */
export function isJobSuspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** `spec.completionMode` is Indexed. */
export function isIndexedJob(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** `spec.backoffLimitPerIndex` is set. */
export function hasBackoffLimitPerIndex(job: Job): boolean {
  return typeof job.spec?.backoffLimitPerIndex === 'number';
}

/** The controller named in `spec.managedBy` when it is not this one. */
export function externalController(job: Job): string | undefined {
  const by = job.spec?.managedBy;
  return by && by !== JOB_CONTROLLER_NAME ? by : undefined;
}

/** Replacement pods wait for the old ones to be fully terminated (or a pod failure policy is set). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy !== undefined;
}

/** The pod still carries the Job tracking finalizer (it is not counted yet). */
export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** A pod's completion index, or -1 when it has none (or a malformed one). */
export function completionIndex(pod: Pod): number {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return -1;
  const i = Number.parseInt(v, 10);
  return i < 0 || !Number.isSafeInteger(i) ? -1 : i;
}

/** Non-negative int32 from an annotation value; 0 when absent or malformed. */
export function annotationCount(pod: Pod, key: string): number {
  const v = pod.metadata?.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number.parseInt(v, 10);
  return n < 0 || n > 2147483647 ? 0 : n;
}

/**
 * Failed for the Job: phase Failed, or (unless replacements wait for full termination) being
 * deleted before it succeeded, as an orphaned pod may never reach a terminal phase.
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return pod.metadata?.deletionTimestamp !== undefined && phase !== 'Succeeded';
}

/** Being deleted but not yet in a terminal phase. */
export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata?.deletionTimestamp !== undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

export { isPodActive, isPodReady };

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * When a pod finished (ms): the latest container finish when all containers (and sidecars) have
 * one, else when Ready turned False, else its deletion time less the grace period, else its creation.
 */
export function podFinishedAt(pod: Pod): number {
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  let latest: number | undefined;
  let complete = true;
  const statuses = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name)),
  ];
  for (const s of statuses) {
    const at = parseTime(s.state?.terminated?.finishedAt);
    if (at === undefined) {
      complete = false;
      break;
    }
    if (latest === undefined || at > latest) latest = at;
  }
  if (complete && latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const readyFalse = ready?.status === 'False' ? parseTime(ready.lastTransitionTime) : undefined;
  if (readyFalse !== undefined) return readyFalse;
  const deleted = parseTime(pod.metadata?.deletionTimestamp);
  if (deleted !== undefined) return deleted - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  return parseTime(pod.metadata?.creationTimestamp) ?? 0;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c ? (parseTime(c.lastTransitionTime) ?? 0) : undefined;
}

function restarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

/**
 * Orders active pods so that the ones to remove first come first: unscheduled before scheduled,
 * pending before running, not ready before ready, ready for less time before longer, more restarts
 * before fewer, newer before older.
 */
export function compareForRemoval(a: Pod, b: Pod): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (ra === 1) {
    const ta = readySince(a) ?? 0;
    const tb = readySince(b) ?? 0;
    if (ta !== tb) return tb - ta;
  }
  const ca = restarts(a);
  const cb = restarts(b);
  if (ca !== cb) return cb - ca;
  const na = parseTime(a.metadata?.creationTimestamp);
  const nb = parseTime(b.metadata?.creationTimestamp);
  if (na === undefined || nb === undefined) return na === undefined ? (nb === undefined ? 0 : -1) : 1;
  return nb - na;
}

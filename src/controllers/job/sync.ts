/**
 * One sync of one Job, as upstream's job controller does it: count finished pods, decide whether
 * the Job fails (backoff limit, deadline, pod failure policy, failed indexes) or succeeds
 * (completions, success policy), otherwise create or delete pods, then write the status.
 */
import type { JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../util/time.js';
import { completionsReached, ensureCondition, failureTarget, newCondition } from './conditions.js';
import type { JobDeps, JobObject, SyncContext } from './context.js';
import { matchPodFailurePolicy } from './failure-policy.js';
import { failedIndexes, podsWithDelayedDeletion, succeededIndexes } from './indexed.js';
import { IndexSet } from './intervals.js';
import {
  completionIndex,
  findCondition,
  hasBackoffLimitPerIndex,
  hasTrackingFinalizer,
  isIndexedJob,
  isJobSuspended,
  isPodActive,
  isPodFailed,
  isPodReady,
  isPodTerminating,
} from './jobpods.js';
import { deleteActivePods, manageJob } from './manage.js';
import { jobTarget } from './podcontrol.js';
import { matchSuccessPolicy } from './success-policy.js';
import { trackStatusAndRemoveFinalizers } from './tracking.js';

function uid(p: Pod): string {
  return p.metadata?.uid ?? '';
}

/** Finished pods not counted yet (still with a finalizer, not in the uncounted lists). */
function newFinishedPods(c: SyncContext): { succeeded: Pod[]; failed: Pod[] } {
  const valid = (p: Pod, uncounted: Set<string>): boolean => {
    if (!hasTrackingFinalizer(p) || uncounted.has(uid(p)) || c.expectedRemovals.has(uid(p))) return false;
    if (isIndexedJob(c.job)) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= (c.job.spec?.completions ?? 0)) return false;
    }
    return true;
  };
  return {
    succeeded: c.pods.filter((p) => valid(p, c.uncounted.succeeded) && p.status?.phase === 'Succeeded'),
    failed: c.pods.filter((p) => valid(p, c.uncounted.failed) && isPodFailed(p, c.job)),
  };
}

/** With restartPolicy OnFailure: container restarts of running pods reached the backoff limit. */
function pastBackoffLimitOnFailure(job: JobObject, pods: readonly Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of p.status.initContainerStatuses ?? []) restarts += s.restartCount;
    for (const s of p.status.containerStatuses ?? []) restarts += s.restartCount;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Milliseconds left before activeDeadlineSeconds passes (≤ 0 when past); undefined when none applies. */
function deadlineLeft(job: JobObject, now: Date): number | undefined {
  const ads = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (ads === undefined || ads === null || !Number.isFinite(start) || isJobSuspended(job)) return undefined;
  return ads * 1000 - (now.getTime() - start);
}

/** The FailJob message of the first failed pod a FailJob rule matches. */
function failJobMessage(job: JobObject, pods: readonly Pod[]): string | undefined {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(policy, p).failJobMessage;
    if (m !== undefined) return m;
  }
  return undefined;
}

function trueCondition(job: JobObject, type: string): JobCondition | undefined {
  const c = findCondition(job, type);
  return c?.status === 'True' ? c : undefined;
}

/**
 * Syncs `job` (a copy the caller may hand over) with the pods it owns. `satisfied` tells whether
 * earlier creates and deletes were all observed: only then may pods be created or deleted.
 */
export async function syncJob(
  d: JobDeps,
  key: string,
  job: JobObject,
  pods: Pod[],
  satisfied: boolean,
): Promise<void> {
  const now = d.now();
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const activePods = pods.filter(isPodActive);
  const c: SyncContext = {
    key,
    job,
    pods,
    activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isPodTerminating).length,
    succeeded: 0,
    failed: 0,
    prevSucceededIndexes: IndexSet.EMPTY,
    succeededIndexes: IndexSet.EMPTY,
    failedIndexes: undefined,
    delayedDeletion: new Map(),
    newBackoff: { key, failuresAfterLastSuccess: 0 },
    expectedRemovals: d.finalizers.expected(key),
    uncounted: { succeeded: new Set(uncounted.succeeded ?? []), failed: new Set(uncounted.failed ?? []) },
    finished: undefined,
  };
  let active = activePods.length;
  const fresh = newFinishedPods(c);
  const policy = job.spec?.podFailurePolicy;
  const countedFailures = fresh.failed.filter((p) => !policy || matchPodFailurePolicy(policy, p).countFailed);
  c.succeeded = (status.succeeded ?? 0) + fresh.succeeded.length + c.uncounted.succeeded.size;
  c.failed = (status.failed ?? 0) + countedFailures.length + c.uncounted.failed.size;

  if (!status.startTime && !isJobSuspended(job)) status.startTime = rfc3339(now);
  c.newBackoff = d.backoff.next(key, fresh.succeeded, fresh.failed);

  // A Job that met its success criteria earlier only has to finish; failure policies no longer apply.
  c.finished = trueCondition(job, 'SuccessCriteriaMet');
  if (!c.finished) {
    const target = trueCondition(job, 'FailureTarget');
    if (target) c.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
    else {
      const msg = failJobMessage(job, pods);
      if (msg !== undefined) c.finished = failureTarget('PodFailurePolicy', msg, now);
    }
  }
  if (!c.finished) {
    const left = deadlineLeft(job, now);
    if (c.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods))
      c.finished = failureTarget('BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
    else if (left !== undefined && left <= 0)
      c.finished = failureTarget('DeadlineExceeded', 'Job was active longer than specified deadline', now);
    else if (left !== undefined) d.enqueueAfter(key, left);
  }

  if (isIndexedJob(job)) {
    const idx = succeededIndexes(job, pods);
    c.prevSucceededIndexes = idx.prev;
    c.succeededIndexes = idx.all;
    c.succeeded = idx.all.total();
    if (hasBackoffLimitPerIndex(job)) {
      const failed = failedIndexes(job, pods);
      c.failedIndexes = failed;
      if (!c.finished) {
        const maxFailed = job.spec?.maxFailedIndexes;
        if (typeof maxFailed === 'number' && failed.total() > maxFailed)
          c.finished = failureTarget(
            'MaxFailedIndexesExceeded',
            'Job has exceeded the specified maximal number of failed indexes',
            now,
          );
        else if (failed.total() > 0 && failed.total() + idx.all.total() >= (job.spec?.completions ?? 0))
          c.finished = failureTarget('FailedIndexes', 'Job has failed indexes', now);
      }
      c.delayedDeletion = podsWithDelayedDeletion(job, pods, activePods, idx.all, failed, c.expectedRemovals);
    }
    if (!c.finished) {
      const msg = matchSuccessPolicy(job.spec?.successPolicy, job.spec?.completions ?? 0, idx.all);
      if (msg !== undefined)
        c.finished = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', msg, now);
    }
  }

  let suspendChanged = false;
  let manageError: unknown;
  if (c.finished) {
    const r = await deleteActivePods(d, c);
    // Not finished while pods may still be unseen or not all deletes went through.
    if (r.deleted !== active || !satisfied) c.finished = undefined;
    active -= r.deleted;
    c.terminating += r.deleted;
    c.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata.deletionTimestamp) {
      const r = await manageJob(d, c);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const completions = job.spec?.completions;
    const complete =
      completions === undefined || completions === null
        ? c.succeeded > 0 && active === 0
        : c.succeeded >= completions && active === 0;
    if (complete) c.finished = completionsReached(now);
    else if (managed) {
      const suspended = isJobSuspended(job);
      const r = suspended
        ? ensureCondition(status.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)
        : ensureCondition(status.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      if (r.changed) {
        status.conditions = r.conditions;
        suspendChanged = true;
        void d.recorder.record(
          jobTarget(job),
          'Normal',
          suspended ? 'Suspended' : 'Resumed',
          suspended ? 'Job suspended' : 'Job resumed',
        );
        // activeDeadlineSeconds counts from the latest resume.
        if (!suspended) status.startTime = rfc3339(now);
      }
    }
  }

  const needsUpdate =
    suspendChanged ||
    active !== (status.active ?? 0) ||
    c.ready !== status.ready ||
    c.terminating !== status.terminating;
  status.active = active;
  status.ready = c.ready;
  status.terminating = c.terminating;
  await trackStatusAndRemoveFinalizers(d, c, needsUpdate);
  if (manageError !== undefined) throw manageError;
}

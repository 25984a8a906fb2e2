/**
 * Counting finished pods without losing or double-counting any (upstream's job tracking with
 * finalizers): a finished pod's uid is first written to `status.uncountedTerminatedPods`, then its
 * `batch.kubernetes.io/job-tracking` finalizer is removed, then the uid moves into the
 * `succeeded`/`failed` counters. Indexed Jobs count succeeded indexes in `completedIndexes` instead.
 * The terminal condition is written once nothing is left uncounted or terminating.
 */
import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { JOBS } from '../../client/resources.js';
import { newCondition } from './conditions.js';
import { MAX_UNCOUNTED_PODS, type JobDeps, type JobObject, type SyncContext } from './context.js';
import { matchPodFailurePolicy } from './failure-policy.js';
import {
  completionIndex,
  findCondition,
  hasBackoffLimitPerIndex,
  hasTrackingFinalizer,
  isIndexedJob,
  isPodFailed,
} from './jobpods.js';
import { isNotFound, jobTarget } from './podcontrol.js';

/** Writes a Job's status; returns the server's copy. */
export async function writeStatus(d: JobDeps, job: JobObject): Promise<JobObject> {
  const body: JobObject = { ...job, apiVersion: 'batch/v1', kind: 'Job' };
  if (body.status) {
    // Zero counters are left out, as upstream's (non-pointer, omitempty) fields are.
    const status = { ...body.status };
    for (const k of ['active', 'succeeded', 'failed'] as const) if (status[k] === 0) delete status[k];
    body.status = status;
  }
  return d.client.resource<JobObject>(JOBS, job.metadata.namespace).updateStatus(body);
}

function uid(p: Pod): string {
  return p.metadata?.uid ?? '';
}

function isSuccessCriteriaMet(c: JobCondition | undefined): boolean {
  return c?.type === 'SuccessCriteriaMet' && c.status === 'True';
}

/** Drops empty lists so the status reads `uncountedTerminatedPods: {}` as upstream's does. */
export function normalizeUncounted(status: JobStatus): void {
  const u = (status.uncountedTerminatedPods ??= {});
  if (u.succeeded?.length === 0) delete u.succeeded;
  if (u.failed?.length === 0) delete u.failed;
}

/**
 * Moves uids whose pods no longer have the finalizer (it was removed, or the pod is gone) from the
 * uncounted lists into the counters. Returns whether anything moved.
 */
export function countUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  const keepS = (u.succeeded ?? []).filter((x) => withFinalizer.has(x));
  if (keepS.length !== (u.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - keepS.length;
    u.succeeded = keepS;
    changed = true;
  }
  const keepF = (u.failed ?? []).filter((x) => withFinalizer.has(x));
  if (keepF.length !== (u.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (u.failed ?? []).length - keepF.length;
    u.failed = keepF;
    changed = true;
  }
  normalizeUncounted(status);
  return changed;
}

function canRemoveFinalizer(c: SyncContext, pod: Pod, consideredFailed: boolean): boolean {
  if (c.job.metadata.deletionTimestamp || c.finished || pod.status?.phase === 'Succeeded') return true;
  if (!consideredFailed) return false;
  if (hasBackoffLimitPerIndex(c.job)) {
    const waiting = c.delayedDeletion.get(completionIndex(pod));
    if (waiting && uid(waiting) === uid(pod)) return false;
  }
  return true;
}

async function removeFinalizers(d: JobDeps, key: string, pods: readonly Pod[]): Promise<boolean[]> {
  d.finalizers.expectRemoved(key, pods.map(uid));
  const done = pods.map(() => false);
  const errors: unknown[] = [];
  const CHUNK = 100;
  for (let start = 0; start < pods.length; start += CHUNK) {
    await Promise.all(
      pods.slice(start, start + CHUNK).map(async (p, i) => {
        try {
          await d.pods.removeTrackingFinalizer(p);
          done[start + i] = true;
        } catch (err) {
          d.finalizers.observed(key, uid(p));
          if (isNotFound(err)) done[start + i] = true;
          else errors.push(err);
        }
      }),
    );
  }
  if (errors.length > 0) throw Object.assign(new Error('removing tracking finalizers'), { errors, done });
  return done;
}

/**
 * Writes the uncounted pods (and any interim condition), removes the finalizers of the pods listed,
 * moves what was removed into the counters. Returns whether changes remain to be written.
 */
async function flushAndRemoveFinalizers(
  d: JobDeps,
  c: SyncContext,
  toRemove: readonly Pod[],
  withFinalizer: Set<string>,
  needsFlush: boolean,
): Promise<boolean> {
  if (needsFlush) {
    normalizeUncounted(c.job.status ?? {});
    c.job = await writeStatus(d, c.job);
    d.backoff.update(c.newBackoff);
    needsFlush = false;
  }
  let removeError: unknown;
  if (toRemove.length > 0) {
    let done: boolean[];
    try {
      done = await removeFinalizers(d, c.key, toRemove);
    } catch (err) {
      removeError = err;
      done = (err as { done?: boolean[] }).done ?? toRemove.map(() => false);
    }
    toRemove.forEach((p, i) => {
      if (done[i]) withFinalizer.delete(uid(p));
    });
  }
  c.job.status ??= {};
  if (countUncounted(c.job.status, withFinalizer)) needsFlush = true;
  if (removeError !== undefined) {
    if (needsFlush) c.job = await writeStatus(d, c.job);
    throw removeError;
  }
  return needsFlush;
}

/** Adds the terminal condition when nothing is left uncounted or terminating; true when added. */
function enactFinished(d: JobDeps, c: SyncContext): boolean {
  const cond = c.finished;
  if (!cond) return false;
  const status = (c.job.status ??= {});
  const u = status.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
  if (c.terminating > 0) return false;
  const conditions = [...(status.conditions ?? [])];
  const i = conditions.findIndex((x) => x.type === cond.type);
  const next = newCondition(cond.type, 'True', cond.reason ?? '', cond.message ?? '', d.now());
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  status.conditions = conditions;
  if (cond.type === 'Complete') status.completionTime = next.lastTransitionTime;
  return true;
}

function recordFinished(d: JobDeps, job: JobObject, cond: JobCondition): void {
  if (cond.type === 'Complete') {
    const completions = job.spec?.completions;
    if (completions !== undefined && (job.status?.succeeded ?? 0) > completions)
      void d.recorder.record(
        jobTarget(job),
        'Warning',
        'TooManySucceededPods',
        'Too many succeeded pods running after completion count reached',
      );
    void d.recorder.record(jobTarget(job), 'Normal', 'Completed', 'Job completed');
  } else {
    void d.recorder.record(jobTarget(job), 'Warning', cond.reason ?? '', cond.message ?? '');
  }
}

/**
 * Records finished pods in the status, removes their finalizers, counts them, and finishes the Job
 * when its condition is reached. Writes the status when anything changed or `needsFlush`.
 */
export async function trackStatusAndRemoveFinalizers(
  d: JobDeps,
  c: SyncContext,
  needsFlush: boolean,
): Promise<void> {
  const job = c.job;
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const indexed = isIndexedJob(job);
  const completions = job.spec?.completions ?? 0;
  const pods = indexed ? [...c.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : c.pods;
  const withFinalizer = new Set<string>();
  for (const p of pods)
    if (hasTrackingFinalizer(p) && !c.expectedRemovals.has(uid(p))) withFinalizer.add(uid(p));

  if (countUncounted(status, withFinalizer)) needsFlush = true;
  const toRemove: Pod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  const policy = job.spec?.podFailurePolicy;
  for (const pod of pods) {
    if (!hasTrackingFinalizer(pod) || c.expectedRemovals.has(uid(pod))) continue;
    const consideredFailed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(c, pod, consideredFailed)) continue;
    toRemove.push(pod);
    const ix = completionIndex(pod);
    const validIx = ix >= 0 && ix < completions;
    if (pod.status?.phase === 'Succeeded' && !c.uncounted.failed.has(uid(pod))) {
      if (indexed) {
        if (validIx && !c.prevSucceededIndexes.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!c.uncounted.succeeded.has(uid(pod))) {
        (uncounted.succeeded ??= []).push(uid(pod));
        needsFlush = true;
      }
    } else if (consideredFailed || (c.finished && !isSuccessCriteriaMet(c.finished))) {
      // Once the Job is failing, every pod not yet succeeded counts as failed.
      if (!c.uncounted.failed.has(uid(pod)) && (!indexed || validIx)) {
        if (!policy || matchPodFailurePolicy(policy, pod).countFailed) {
          (uncounted.failed ??= []).push(uid(pod));
          needsFlush = true;
        }
      }
    }
    const pending =
      newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0);
    if (pending >= MAX_UNCOUNTED_PODS) {
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    c.succeededIndexes = c.succeededIndexes.withIndexes(newSucceededIndexes);
    const text = c.succeededIndexes.toString();
    if (text !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = c.succeededIndexes.total();
    status.completedIndexes = text;
    const failedText = c.failedIndexes?.toString();
    if (failedText !== status.failedIndexes) {
      if (failedText === undefined) delete status.failedIndexes;
      else status.failedIndexes = failedText;
      needsFlush = true;
    }
  }
  if (c.finished?.type === 'FailureTarget') {
    status.conditions = [...(status.conditions ?? []), c.finished];
    needsFlush = true;
    c.finished = newCondition('Failed', 'True', c.finished.reason ?? '', c.finished.message ?? '', d.now());
  }
  if (isSuccessCriteriaMet(c.finished) && c.finished) {
    if (findCondition(job, 'SuccessCriteriaMet')?.status !== 'True') {
      status.conditions = [...(status.conditions ?? []), c.finished];
      needsFlush = true;
    }
    c.finished = newCondition('Complete', 'True', c.finished.reason ?? '', c.finished.message ?? '', d.now());
  }
  needsFlush = await flushAndRemoveFinalizers(d, c, toRemove, withFinalizer, needsFlush);
  const finished = !reachedMax && enactFinished(d, c);
  if (finished) needsFlush = true;
  if (needsFlush) {
    normalizeUncounted(c.job.status ?? {});
    c.job = await writeStatus(d, c.job);
    if (finished && c.finished) recordFinished(d, c.job, c.finished);
  }
}

/**
 * Keeping the right number of pods: as many active pods as parallelism allows and completions still
 * need, none while suspended, replacements only after the pod failure backoff, Indexed Jobs one pod
 * per pending index. Creates go in slow-start batches (1, 2, 4, …) that stop at the first error.
 */
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { remainingBackoff } from './backoff.js';
import { MAX_PODS_PER_SYNC, type JobDeps, type SyncContext } from './context.js';
import {
  addCompletionIndexEnv,
  duplicateIndexPods,
  firstPendingIndexes,
  generateNameWithIndex,
  nextIndexFailureCounts,
  setCompletionIndex,
} from './indexed.js';
import {
  annotationCount,
  compareForRemoval,
  hasBackoffLimitPerIndex,
  INDEX_FAILURE_COUNT_ANNOTATION,
  INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
  isIndexedJob,
  isJobSuspended,
  isPodReady,
  JOB_TRACKING_FINALIZER,
  onlyReplaceFailedPods,
  podFinishedAt,
} from './jobpods.js';
import { isNamespaceTerminating, isNotFound } from './podcontrol.js';

/** What {@link manageJob} leaves: the active count and the first error, if any. */
export interface ManageResult {
  active: number;
  error?: unknown;
}

/**
 * Active pods to remove: in an Indexed Job those without a valid index and duplicates of an index
 * first, then at least `atLeast` pods in removal order.
 */
export function podsForRemoval(job: SyncContext['job'], active: readonly Pod[], atLeast: number): Pod[] {
  let remove: Pod[] = [];
  let keep: Pod[];
  if (isIndexedJob(job)) ({ remove, keep } = duplicateIndexPods(job, active));
  else keep = [...active];
  if (remove.length < atLeast) {
    keep.sort(compareForRemoval);
    remove = [...remove, ...keep.slice(0, atLeast - remove.length)];
  }
  return remove;
}

function uids(pods: readonly Pod[]): string[] {
  return pods.map((p) => p.metadata?.uid ?? '');
}

/**
 * Deletes pods the Job no longer wants (scale down, suspend): their finalizer goes first, so they
 * are not counted as failures. Returns how many (and how many ready) were deleted.
 */
async function deleteJobPods(
  d: JobDeps,
  c: SyncContext,
  pods: readonly Pod[],
): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = 0;
  let deletedReady = 0;
  let error: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      try {
        await d.pods.removeTrackingFinalizer(pod);
        await d.pods.delete(c.job, pod);
        deleted++;
        if (isPodReady(pod)) deletedReady++;
      } catch (err) {
        d.expectations.deletionObserved(c.key, pod.metadata?.uid ?? '');
        if (isNotFound(err)) {
          deleted++;
          if (isPodReady(pod)) deletedReady++;
        } else error ??= err;
      }
    }),
  );
  return { deleted, deletedReady, ...(error !== undefined ? { error } : {}) };
}

/**
 * Deletes the active pods of a finishing Job, keeping their finalizers so they are counted (as
 * failed) once gone. Returns how many (and how many ready) were deleted.
 */
export async function deleteActivePods(
  d: JobDeps,
  c: SyncContext,
): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = 0;
  let deletedReady = 0;
  let error: unknown;
  await Promise.all(
    c.activePods.map(async (pod) => {
      try {
        await d.pods.delete(c.job, pod);
        deleted++;
      } catch (err) {
        if (isNotFound(err)) deleted++;
        else error ??= err;
      }
      if (isPodReady(pod)) deletedReady++;
    }),
  );
  return { deleted, deletedReady, ...(error !== undefined ? { error } : {}) };
}

/** Delay (ms) before index `ix` may get a replacement for its last failed pod. */
function indexBackoff(d: JobDeps, lastFailed: Pod | undefined): number {
  if (!lastFailed) return 0;
  const failures =
    annotationCount(lastFailed, INDEX_FAILURE_COUNT_ANNOTATION) +
    annotationCount(lastFailed, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION) +
    1;
  return remainingBackoff(
    d.now().getTime(),
    failures,
    podFinishedAt(lastFailed),
    d.podFailureBackoffMs,
    d.maxPodFailureBackoffMs,
  );
}

/** Creates, or deletes, pods so the Job has the active pods it wants. */
export async function manageJob(d: JobDeps, c: SyncContext): Promise<ManageResult> {
  const job = c.job;
  const spec = job.spec ?? { template: {} };
  let active = c.activePods.length;
  const parallelism = spec.parallelism ?? 1;

  if (isJobSuspended(job)) {
    const remove = podsForRemoval(job, c.activePods, active);
    d.expectations.expect(c.key, 0, uids(remove));
    const r = await deleteJobPods(d, c, remove);
    c.terminating += r.deleted;
    c.ready -= r.deletedReady;
    return { active: active - r.deleted, ...(r.error !== undefined ? { error: r.error } : {}) };
  }

  let want: number;
  if (spec.completions === undefined || spec.completions === null) {
    // Without completions any success finishes the Job: let what runs finish, start nothing new.
    want = c.succeeded > 0 ? active : parallelism;
  } else {
    want = Math.max(0, Math.min(spec.completions - c.succeeded, parallelism));
  }

  const remove = podsForRemoval(job, c.activePods, Math.max(0, active - want)).slice(0, MAX_PODS_PER_SYNC);
  if (remove.length > 0) {
    d.expectations.expect(c.key, 0, uids(remove));
    const r = await deleteJobPods(d, c, remove);
    c.terminating += r.deleted;
    c.ready -= r.deletedReady;
    // Deletions and creations never happen in the same sync.
    return { active: active - r.deleted, ...(r.error !== undefined ? { error: r.error } : {}) };
  }

  const terminating = onlyReplaceFailedPods(job) ? c.terminating : 0;
  let diff = want - terminating - active;
  if (diff <= 0) return { active };

  if (!hasBackoffLimitPerIndex(job)) {
    const wait = remainingBackoff(
      d.now().getTime(),
      c.newBackoff.failuresAfterLastSuccess,
      c.newBackoff.lastFailureTime,
      d.podFailureBackoffMs,
      d.maxPodFailureBackoffMs,
    );
    if (wait > 0) {
      d.enqueueAfter(c.key, wait);
      return { active };
    }
  }
  diff = Math.min(diff, MAX_PODS_PER_SYNC);

  let indexes: number[] = [];
  if (isIndexedJob(job)) {
    indexes = firstPendingIndexes(job, c.pods, c.activePods, c.succeededIndexes, c.failedIndexes, diff);
    if (hasBackoffLimitPerIndex(job)) {
      const ready: number[] = [];
      let soonest: number | undefined;
      for (const ix of indexes) {
        const wait = indexBackoff(d, c.delayedDeletion.get(ix));
        if (wait === 0) ready.push(ix);
        else if (soonest === undefined || wait < soonest) soonest = wait;
      }
      if (ready.length === 0 && soonest !== undefined) {
        d.enqueueAfter(c.key, soonest);
        return { active };
      }
      indexes = ready;
    }
    diff = indexes.length;
  }
  if (diff <= 0) return { active };

  d.expectations.expect(c.key, diff);
  const template: PodTemplateSpec = structuredClone(spec.template);
  if (isIndexedJob(job)) addCompletionIndexEnv(template);
  const meta = (template.metadata ??= {});
  if (!meta.finalizers?.includes(JOB_TRACKING_FINALIZER))
    meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];

  let error: unknown;
  let remaining = diff;
  for (let batch = Math.min(remaining, 1); remaining > 0; batch = Math.min(2 * batch, remaining)) {
    let batchFailed = false;
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const ix = indexes.shift();
        let podTemplate = template;
        let generateName: string | undefined;
        if (ix !== undefined) {
          podTemplate = structuredClone(template);
          setCompletionIndex(podTemplate, job.metadata.name ?? '', ix);
          generateName = generateNameWithIndex(job.metadata.name ?? '', ix);
          if (hasBackoffLimitPerIndex(job)) {
            const [counted, ignored] = nextIndexFailureCounts(job, c.delayedDeletion.get(ix));
            const annotations = ((podTemplate.metadata ??= {}).annotations ??= {});
            annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(counted);
            if (ignored > 0) annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(ignored);
          }
        }
        try {
          await d.pods.create(job, podTemplate, generateName);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          d.expectations.creationObserved(c.key);
          active--;
          batchFailed = true;
          error ??= err;
        }
      }),
    );
    active += batch;
    remaining -= batch;
    if (batchFailed && remaining > 0) {
      // The rest would likely fail the same way: do not expect them; a later sync retries.
      for (let i = 0; i < remaining; i++) d.expectations.creationObserved(c.key);
      break;
    }
  }
  return { active, ...(error !== undefined ? { error } : {}) };
}

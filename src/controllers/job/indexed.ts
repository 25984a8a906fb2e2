/**
 * Indexed Jobs: which indexes succeeded or failed, which to start next, which pods duplicate an
 * index, and what a pod of an index carries (annotation, label, hostname, env, failure counts).
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { matchPodFailurePolicy } from './failure-policy.js';
import { IndexSet } from './intervals.js';
import {
  annotationCount,
  compareForRemoval,
  COMPLETION_INDEX_ANNOTATION,
  COMPLETION_INDEX_ENV,
  completionIndex,
  hasTrackingFinalizer,
  INDEX_FAILURE_COUNT_ANNOTATION,
  INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
  isPodFailed,
  isPodTerminating,
  onlyReplaceFailedPods,
  podFinishedAt,
} from './jobpods.js';

/** Longest generateName prefix the API server keeps (63 less 5 random characters). */
const MAX_GENERATED_NAME_LENGTH = 58;

function completionsOf(job: Job): number {
  return job.spec?.completions ?? 0;
}

function validIndex(job: Job, ix: number): boolean {
  return ix >= 0 && ix < completionsOf(job);
}

/** The counted indexes (`status.completedIndexes`) and those plus pods that succeeded since. */
export function succeededIndexes(job: Job, pods: readonly Pod[]): { prev: IndexSet; all: IndexSet } {
  const prev = IndexSet.parse(job.status?.completedIndexes, completionsOf(job));
  const fresh: number[] = [];
  for (const p of pods) {
    const ix = completionIndex(p);
    if (p.status?.phase === 'Succeeded' && validIndex(job, ix) && hasTrackingFinalizer(p)) fresh.push(ix);
  }
  return { prev, all: prev.withIndexes(fresh) };
}

/** With backoffLimitPerIndex: the pod's failure exhausted its index (or a FailIndex rule matched). */
export function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  let counted = true;
  if (job.spec?.podFailurePolicy) {
    const v = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
    if (v.action === 'FailIndex') return true;
    counted = v.countFailed;
  }
  return (
    counted && annotationCount(pod, INDEX_FAILURE_COUNT_ANNOTATION) >= (job.spec?.backoffLimitPerIndex ?? 0)
  );
}

/** `status.failedIndexes` plus the indexes whose pods failed for good since. */
export function failedIndexes(job: Job, pods: readonly Pod[]): IndexSet {
  const prev = IndexSet.parse(job.status?.failedIndexes, completionsOf(job));
  const fresh: number[] = [];
  for (const p of pods) {
    const ix = completionIndex(p);
    if (validIndex(job, ix) && hasTrackingFinalizer(p) && isIndexFailed(job, p)) fresh.push(ix);
  }
  return prev.withIndexes(fresh);
}

function indexesOf(pods: readonly Pod[]): number[] {
  return pods.map(completionIndex).filter((ix) => ix >= 0);
}

/** The first `count` indexes with no active (or, when replacements wait, terminating) pod. */
export function firstPendingIndexes(
  job: Job,
  pods: readonly Pod[],
  active: readonly Pod[],
  succeeded: IndexSet,
  failed: IndexSet | undefined,
  count: number,
): number[] {
  let taken = succeeded.withIndexes(indexesOf(active));
  if (onlyReplaceFailedPods(job)) taken = taken.withIndexes(indexesOf(pods.filter(isPodTerminating)));
  if (failed) taken = taken.merge(failed);
  return taken.firstMissing(count, completionsOf(job));
}

/**
 * Active pods to remove in an Indexed Job whatever the parallelism: those without a valid index,
 * and all but one pod of each repeated index.
 */
export function duplicateIndexPods(job: Job, active: readonly Pod[]): { remove: Pod[]; keep: Pod[] } {
  const remove: Pod[] = [];
  const keep: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of active) {
    const ix = completionIndex(p);
    if (!validIndex(job, ix)) {
      remove.push(p);
      continue;
    }
    const list = byIndex.get(ix);
    if (list) list.push(p);
    else byIndex.set(ix, [p]);
  }
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const list = (byIndex.get(ix) ?? []).sort(compareForRemoval);
    remove.push(...list.slice(0, -1));
    keep.push(list[list.length - 1] as Pod);
  }
  return { remove, keep };
}

function absoluteFailureCount(pod: Pod): number {
  return (
    annotationCount(pod, INDEX_FAILURE_COUNT_ANNOTATION) +
    annotationCount(pod, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION)
  );
}

/**
 * With backoffLimitPerIndex: per index still to be retried, the latest failed pod, whose deletion
 * waits until its replacement exists (the replacement's failure count is taken from it).
 */
export function podsWithDelayedDeletion(
  job: Job,
  pods: readonly Pod[],
  active: readonly Pod[],
  succeeded: IndexSet,
  failed: IndexSet,
  expectedRemovals: ReadonlySet<string>,
): Map<number, Pod> {
  const activeIndexes = new Set(indexesOf(active));
  const out = new Map<number, Pod>();
  for (const p of pods) {
    if (!hasTrackingFinalizer(p) || expectedRemovals.has(p.metadata?.uid ?? '')) continue;
    if (!isPodFailed(p, job)) continue;
    const ix = completionIndex(p);
    if (!validIndex(job, ix)) continue;
    if (succeeded.has(ix) || failed.has(ix) || activeIndexes.has(ix)) continue;
    const last = out.get(ix);
    if (
      !last ||
      (absoluteFailureCount(last) <= absoluteFailureCount(p) && podFinishedAt(p) >= podFinishedAt(last))
    )
      out.set(ix, p);
  }
  return out;
}

/** The failure counts a replacement of `replaced` carries (counted, ignored). */
export function nextIndexFailureCounts(job: Job, replaced: Pod | undefined): [number, number] {
  if (!replaced) return [0, 0];
  let counted = annotationCount(replaced, INDEX_FAILURE_COUNT_ANNOTATION);
  let ignored = annotationCount(replaced, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);
  if (job.spec?.podFailurePolicy && !matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed)
    ignored++;
  else counted++;
  return [counted, ignored];
}

function addIndexEnv(c: Container): void {
  if (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) return;
  (c.env ??= []).push({
    name: COMPLETION_INDEX_ENV,
    valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } },
  });
}

/** Adds JOB_COMPLETION_INDEX (from the pod's index label) to every container and init container. */
export function addCompletionIndexEnv(template: PodTemplateSpec): void {
  for (const c of template.spec?.initContainers ?? []) addIndexEnv(c);
  for (const c of template.spec?.containers ?? []) addIndexEnv(c);
}

/** Marks a pod template as index `ix` of Job `jobName`: annotation, label and hostname. */
export function setCompletionIndex(template: PodTemplateSpec, jobName: string, ix: number): void {
  const meta = (template.metadata ??= {});
  (meta.annotations ??= {})[COMPLETION_INDEX_ANNOTATION] = String(ix);
  (meta.labels ??= {})[COMPLETION_INDEX_ANNOTATION] = String(ix);
  if (template.spec) template.spec.hostname = `${jobName}-${ix}`;
}

/** `<job>-<index>-`, the Job name cut so the prefix fits the generated-name limit. */
export function generateNameWithIndex(jobName: string, ix: number): string {
  const suffix = `-${ix}-`;
  const prefix = jobName + suffix;
  if (prefix.length <= MAX_GENERATED_NAME_LENGTH) return prefix;
  return jobName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix;
}

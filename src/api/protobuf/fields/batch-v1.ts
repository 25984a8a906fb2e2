/**
 * Protobuf field numbers of the batch/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/batch/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.batch.v1.';

/** Field numbers of batch/v1. */
export const batchV1Fields: FieldTable = {
  [P + 'CronJob']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'CronJobList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'CronJobSpec']: {
    schedule: keep(1),
    timeZone: keep(8),
    startingDeadlineSeconds: keep(2),
    concurrencyPolicy: 3,
    suspend: keep(4),
    jobTemplate: 5,
    successfulJobsHistoryLimit: keep(6),
    failedJobsHistoryLimit: keep(7),
  },
  [P + 'CronJobStatus']: { active: 1, lastScheduleTime: 4, lastSuccessfulTime: 5 },
  [P + 'Job']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'JobCondition']: {
    type: keep(1),
    status: keep(2),
    lastProbeTime: 3,
    lastTransitionTime: 4,
    reason: 5,
    message: 6,
  },
  [P + 'JobList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'JobSpec']: {
    parallelism: keep(1),
    completions: keep(2),
    activeDeadlineSeconds: keep(3),
    podFailurePolicy: 11,
    successPolicy: 16,
    backoffLimit: keep(7),
    backoffLimitPerIndex: keep(12),
    maxFailedIndexes: keep(13),
    selector: 4,
    manualSelector: keep(5),
    template: 6,
    ttlSecondsAfterFinished: keep(8),
    completionMode: keep(9),
    suspend: keep(10),
    podReplacementPolicy: keep(14),
    managedBy: keep(15),
  },
  [P + 'JobStatus']: {
    conditions: 1,
    startTime: 2,
    completionTime: 3,
    active: 4,
    succeeded: 5,
    failed: 6,
    terminating: keep(11),
    completedIndexes: 7,
    failedIndexes: keep(10),
    uncountedTerminatedPods: 8,
    ready: keep(9),
  },
  [P + 'JobTemplateSpec']: { metadata: 1, spec: 2 },
  [P + 'PodFailurePolicy']: { rules: always(1) },
  [P + 'PodFailurePolicyOnExitCodesRequirement']: {
    containerName: always(1),
    operator: keep(2),
    values: always(3),
  },
  [P + 'PodFailurePolicyOnPodConditionsPattern']: { type: keep(1), status: keep(2) },
  [P + 'PodFailurePolicyRule']: { action: keep(1), onExitCodes: 2, onPodConditions: 3 },
  [P + 'SuccessPolicy']: { rules: always(1) },
  [P + 'SuccessPolicyRule']: { succeededIndexes: keep(1), succeededCount: keep(2) },
  [P + 'UncountedTerminatedPods']: { succeeded: 1, failed: 2 },
};

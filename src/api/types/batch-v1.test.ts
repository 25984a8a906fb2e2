import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../schema/registry.js';
import { batchV1Definitions } from './batch-v1.js';
import { def, field, fieldNames } from './testing/schema-groups.js';

const reg = new DefinitionRegistry().add(...batchV1Definitions);
const B = 'io.k8s.api.batch.v1.';

describe('batch/v1 schema', () => {
  it('serves Job and CronJob with their Lists', () => {
    for (const kind of ['Job', 'CronJob', 'JobList', 'CronJobList']) {
      expect(reg.forKind({ group: 'batch', version: 'v1', kind })?.name).toBe(B + kind);
    }
  });

  it('JobSpec has the v1.33 fields with their types', () => {
    const spec = B + 'JobSpec';
    expect(fieldNames(reg, spec)).toEqual([
      'activeDeadlineSeconds',
      'backoffLimit',
      'backoffLimitPerIndex',
      'completionMode',
      'completions',
      'managedBy',
      'manualSelector',
      'maxFailedIndexes',
      'parallelism',
      'podFailurePolicy',
      'podReplacementPolicy',
      'selector',
      'successPolicy',
      'suspend',
      'template',
      'ttlSecondsAfterFinished',
    ]);
    expect(def(reg, spec).required).toEqual(['template']);
    expect(field(reg, spec, 'completionMode').schema).toEqual({
      kind: 'string',
      enum: ['NonIndexed', 'Indexed'],
    });
    expect(field(reg, spec, 'podReplacementPolicy').schema).toEqual({
      kind: 'string',
      enum: ['TerminatingOrFailed', 'Failed'],
    });
    expect(field(reg, spec, 'activeDeadlineSeconds').schema).toEqual({ kind: 'integer', format: 'int64' });
    expect(field(reg, spec, 'backoffLimitPerIndex').schema).toEqual({ kind: 'integer', format: 'int32' });
  });

  it('pod failure policy: actions, exit codes as an int32 set, atomic rule lists', () => {
    expect(field(reg, B + 'PodFailurePolicyRule', 'action').schema).toEqual({
      kind: 'string',
      enum: ['FailJob', 'FailIndex', 'Ignore', 'Count'],
    });
    expect(def(reg, B + 'PodFailurePolicyRule').required).toEqual(['action']);
    const values = field(reg, B + 'PodFailurePolicyOnExitCodesRequirement', 'values');
    expect(values.schema).toEqual({ kind: 'array', items: { kind: 'integer', format: 'int32' } });
    expect(values.listType).toBe('set');
    expect(field(reg, B + 'PodFailurePolicy', 'rules').listType).toBe('atomic');
    expect(field(reg, B + 'SuccessPolicy', 'rules').listType).toBe('atomic');
    expect(fieldNames(reg, B + 'SuccessPolicyRule')).toEqual(['succeededCount', 'succeededIndexes']);
  });

  it('JobStatus: atomic conditions with a merge key, UID sets, counters', () => {
    const conditions = field(reg, B + 'JobStatus', 'conditions');
    expect(conditions.listType).toBe('atomic');
    expect(conditions.patchStrategy).toBe('merge');
    expect(conditions.patchMergeKey).toBe('type');
    expect(field(reg, B + 'UncountedTerminatedPods', 'failed').listType).toBe('set');
    expect(fieldNames(reg, B + 'JobStatus')).toEqual(
      expect.arrayContaining(['terminating', 'ready', 'failedIndexes', 'completedIndexes']),
    );
  });

  it('CronJobSpec: schedule, timeZone and an int64 starting deadline', () => {
    const spec = B + 'CronJobSpec';
    expect(def(reg, spec).required).toEqual(['schedule', 'jobTemplate']);
    expect(field(reg, spec, 'timeZone').schema).toEqual({ kind: 'string' });
    expect(field(reg, spec, 'startingDeadlineSeconds').schema).toEqual({ kind: 'integer', format: 'int64' });
    expect(field(reg, spec, 'concurrencyPolicy').schema).toEqual({
      kind: 'string',
      enum: ['Allow', 'Forbid', 'Replace'],
    });
    expect(field(reg, B + 'CronJobStatus', 'active').listType).toBe('atomic');
  });
});

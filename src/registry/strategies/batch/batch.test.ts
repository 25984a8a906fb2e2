import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { copy, create, get, set, update, updateStatus } from '../test-support.js';
import { cronJobStrategy } from './cronjobs.js';
import { jobStrategy } from './jobs.js';

const UID = '0b7c5b1e-1111-2222-3333-444455556666';

function job(...edits: [string, unknown][]): KubeObject {
  const j: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: UID },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
    },
  };
  for (const [path, value] of edits) set(j, path, value);
  return j;
}

describe('Job defaults and generated selector', () => {
  it('fills upstream defaults', () => {
    const j = job();
    jobStrategy.defaults?.(j);
    expect(j['spec']).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      manualSelector: false,
    });
  });
  it('defaults parallelism only when completions is set, and the failure-policy dependent fields', () => {
    const j = job(
      ['spec.completions', 5],
      [
        'spec.podFailurePolicy',
        { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
      ],
      ['spec.backoffLimitPerIndex', 1],
      ['spec.completionMode', 'Indexed'],
    );
    jobStrategy.defaults?.(j);
    expect(j['spec']).toMatchObject({
      completions: 5,
      parallelism: 1,
      backoffLimit: 2147483647,
      podReplacementPolicy: 'Failed',
    });
    expect(get(j, 'spec.podFailurePolicy.rules.0.onPodConditions.0.status')).toBe('True');
  });
  it('generates the selector and labels on create', () => {
    const j = job();
    expect(create(jobStrategy, j)).toEqual([]);
    const labels = {
      'batch.kubernetes.io/controller-uid': UID,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': UID,
      'job-name': 'pi',
    };
    expect(get(j, 'spec.selector')).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': UID } });
    expect(get(j, 'spec.template.metadata.labels')).toEqual(labels);
    expect(j.metadata?.labels).toEqual(labels);
    expect(j['status']).toEqual({});
    expect(j.metadata?.generation).toBe(1);
    expect(jobStrategy.selectableFields?.(j)).toEqual({ 'status.successful': '0' });
  });
  it('keeps the user labels of the Job', () => {
    const j = job(['metadata.labels', { team: 'a' }], ['spec.template.metadata.labels', { app: 'pi' }]);
    expect(create(jobStrategy, j)).toEqual([]);
    expect(j.metadata?.labels).toEqual({ team: 'a' });
  });
  it('rejects a selector that was not generated', () => {
    const j = job(['spec.selector', { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } }]);
    const errs = create(jobStrategy, j);
    expect(errs).toContain(
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
    );
  });
  it('accepts a manual selector that matches the template', () => {
    const j = job(
      ['spec.manualSelector', true],
      ['spec.selector', { matchLabels: { app: 'pi' } }],
      ['spec.template.metadata.labels', { app: 'pi' }],
    );
    expect(create(jobStrategy, j)).toEqual([]);
    expect(get(j, 'spec.template.metadata.labels')).toEqual({ app: 'pi' });
  });
});

describe('Job validation', () => {
  it('requires restartPolicy OnFailure or Never', () => {
    expect(create(jobStrategy, job(['spec.template.spec.restartPolicy', 'Always']))).toEqual([
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
    // The pod template check reports an unknown policy too; this is the Job's own message.
    expect(create(jobStrategy, job(['spec.template.spec.restartPolicy', 'Sometimes']))).toContain(
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    );
  });
  it('checks counts', () => {
    expect(
      create(
        jobStrategy,
        job(
          ['spec.parallelism', -1],
          ['spec.activeDeadlineSeconds', -5],
          ['spec.ttlSecondsAfterFinished', -1],
        ),
      ),
    ).toEqual([
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0',
      'spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
  it('checks pod failure policy rules', () => {
    const j = job([
      'spec.podFailurePolicy',
      {
        rules: [
          { action: 'FailJob', onExitCodes: { operator: 'In', values: [3, 0, 3] } },
          { action: 'Explode', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] },
          { action: 'Ignore' },
        ],
      },
    ]);
    expect(create(jobStrategy, j)).toEqual([
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{3, 0, 3}: must be ordered',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Explode": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ]);
  });
  it('requires Never with a pod failure policy and checks the replacement policy', () => {
    const j = job(
      ['spec.template.spec.restartPolicy', 'OnFailure'],
      ['spec.podReplacementPolicy', 'TerminatingOrFailed'],
      [
        'spec.podFailurePolicy',
        { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
      ],
    );
    expect(create(jobStrategy, j)).toEqual([
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ]);
  });
  it('checks indexed jobs', () => {
    const j = job(
      ['metadata.name', 'x'.repeat(62)],
      ['spec.completionMode', 'Indexed'],
      ['spec.completions', 10],
    );
    expect(create(jobStrategy, j)).toContain(
      `metadata.name: Invalid value: "${'x'.repeat(62)}": will not able to create pod with invalid DNS label: ${'x'.repeat(62)}-9`,
    );
    expect(create(jobStrategy, job(['spec.maxFailedIndexes', 1]))).toEqual([
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
    ]);
    expect(
      create(
        jobStrategy,
        job(
          ['spec.completionMode', 'Indexed'],
          ['spec.completions', 3],
          ['spec.successPolicy', { rules: [{ succeededIndexes: '0-5' }] }],
        ),
      ),
    ).toEqual([
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0-5": error parsing succeededIndexes: too large index: "5"',
    ]);
  });
  it('warns about names that are not DNS labels', () => {
    const j = job(['metadata.name', 'pi.v2']);
    expect(jobStrategy.warnings?.(j, undefined)).toEqual([
      "metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
    ]);
  });
});

describe('Job update', () => {
  function stored(...edits: [string, unknown][]): KubeObject {
    const j = job(...edits);
    expect(create(jobStrategy, j)).toEqual([]);
    return j;
  }
  it('keeps the template, selector and completions immutable', () => {
    const old = stored();
    const j = copy(old);
    set(j, 'spec.template.spec.containers.0.image', 'perl:2');
    set(j, 'spec.completions', 3);
    expect(update(jobStrategy, j, old)).toEqual([
      'spec.completions: Invalid value: 3: field is immutable',
      'spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable',
    ]);
  });
  it('allows scheduling directives on a suspended job that never started, and parallelism changes', () => {
    const old = stored(['spec.suspend', true]);
    const j = copy(old);
    set(j, 'spec.template.spec.nodeSelector', { disk: 'ssd' });
    set(j, 'spec.parallelism', 4);
    set(j, 'spec.suspend', false);
    expect(update(jobStrategy, j, old)).toEqual([]);
    expect(j.metadata?.generation).toBe(2);
  });
  it('lets Indexed jobs scale completions with parallelism', () => {
    const old = stored(['spec.completionMode', 'Indexed'], ['spec.completions', 2], ['spec.parallelism', 2]);
    const ok = copy(old);
    set(ok, 'spec.completions', 4);
    set(ok, 'spec.parallelism', 4);
    expect(update(jobStrategy, ok, old)).toEqual([]);
    const bad = copy(old);
    set(bad, 'spec.completions', 4);
    expect(update(jobStrategy, bad, old)).toEqual([
      'spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism',
    ]);
  });
  it('checks status transitions', () => {
    const old = stored();
    old['status'] = { failed: 2, startTime: '2025-01-01T00:00:00Z' };
    const j = copy(old);
    j['status'] = {
      failed: 1,
      active: 1,
      startTime: '2025-01-01T00:00:00Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    };
    expect(updateStatus(jobStrategy, j, old)).toEqual([
      'status.completionTime: Required value: completionTime is required for Complete jobs',
      'status.active: Invalid value: 1: active>0 is invalid for finished job',
      'status.failed: Invalid value: 1: cannot decrease the failed counter',
    ]);
  });
});

function cronJob(...edits: [string, unknown][]): KubeObject {
  const c: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        spec: {
          template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    },
  };
  for (const [path, value] of edits) set(c, path, value);
  return c;
}

describe('CronJob', () => {
  const s = cronJobStrategy;
  it('defaults and validates', () => {
    const c = cronJob();
    expect(create(s, c)).toEqual([]);
    expect(c['spec']).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
    expect(get(c, 'spec.jobTemplate.spec.backoffLimit')).toBeUndefined();
  });
  it('checks the schedule and time zone', () => {
    expect(create(s, cronJob(['spec.schedule', 'TZ=UTC */5 * * * *']))).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC */5 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
    expect(create(s, cronJob(['spec.schedule', '61 * * * *']))).toEqual([
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    ]);
    expect(create(s, cronJob(['spec.schedule', '@hourly'], ['spec.timeZone', 'Europe/Paris']))).toEqual([]);
    expect(create(s, cronJob(['spec.timeZone', 'Mars/Olympus']))).toEqual([
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    ]);
    expect(create(s, cronJob(['spec.timeZone', 'Local']))).toEqual([
      'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    ]);
    expect(create(s, cronJob(['spec.timeZone', '']))).toEqual([
      'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string',
    ]);
  });
  it('checks policies, limits, the job template and the name length', () => {
    expect(
      create(
        s,
        cronJob(
          ['metadata.name', 'n'.repeat(53)],
          ['spec.concurrencyPolicy', 'Sometimes'],
          ['spec.startingDeadlineSeconds', -1],
          ['spec.successfulJobsHistoryLimit', -1],
          ['spec.jobTemplate.spec.selector', { matchLabels: { a: 'b' } }],
          ['spec.jobTemplate.spec.manualSelector', true],
          ['spec.jobTemplate.spec.template.spec.restartPolicy', 'Always'],
        ),
      ),
    ).toEqual([
      'spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
      'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"',
      'spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
      `metadata.name: Invalid value: "${'n'.repeat(53)}": must be no more than 52 characters`,
    ]);
  });
  it('lets old schedules with TZ be updated', () => {
    const old = cronJob(['spec.schedule', 'TZ=UTC 0 * * * *']);
    s.defaults?.(old);
    const c = copy(old);
    set(c, 'spec.suspend', true);
    expect(update(s, c, old)).toEqual([]);
    expect(c.metadata?.generation).toBe(1);
  });
});

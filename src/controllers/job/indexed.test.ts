import type { Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { until } from '../framework/testing/harness.js';
import { JOBS, PODS as PODS_REF } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { JobController } from './controller.js';
import { generateNameWithIndex } from './indexed.js';
import { completionIndex } from './jobpods.js';
import { benchStarter, newJob, type Bench } from './testing/harness.js';
import { finishPod } from './testing/pods.js';

const start = benchStarter((time) => [new JobController({ timers: time, batchPeriodMs: 0 })]);

function job(b: Bench, name: string): Job & ApiObject {
  const j = b.api.job(`default/${name}`);
  if (!j) throw new Error(`no job ${name}`);
  return j;
}

function conditions(j: Job): string[] {
  return (j.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`);
}

function activeIndexes(b: Bench, name: string): number[] {
  return b.api
    .podList(name)
    .filter((p) => !p.status?.phase && !p.metadata.deletionTimestamp)
    .map(completionIndex)
    .sort((x, y) => x - y);
}

function podOf(b: Bench, name: string, ix: number) {
  const p = b.api.podList(name).find((x) => completionIndex(x) === ix && !x.status?.phase);
  if (!p) throw new Error(`no active pod for index ${ix}`);
  return p;
}

describe('Job controller: Indexed', () => {
  it('gives each pod its index (annotation, label, hostname, env, name) and tracks completedIndexes', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('idx', { completionMode: 'Indexed', completions: 3, parallelism: 2 }));
    await until(() => expect(activeIndexes(b, 'idx')).toEqual([0, 1]));
    const p0 = podOf(b, 'idx', 0);
    expect(p0.metadata.generateName).toBe('idx-0-');
    expect(p0.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).toBe('0');
    expect(p0.metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe('0');
    expect(p0.spec?.hostname).toBe('idx-0');
    expect(p0.spec?.containers[0]?.env).toEqual([
      {
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } },
      },
    ]);
    finishPod(b.api, podOf(b, 'idx', 1), 0, b.time.clock.now());
    await until(() => expect(job(b, 'idx').status?.completedIndexes).toBe('1'));
    await until(() => expect(activeIndexes(b, 'idx')).toEqual([0, 2]));
    finishPod(b.api, podOf(b, 'idx', 2), 0, b.time.clock.now());
    await until(() => expect(job(b, 'idx').status?.completedIndexes).toBe('1,2'));
    finishPod(b.api, podOf(b, 'idx', 0), 0, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'idx'))).toContain('Complete=True/CompletionsReached'));
    expect(job(b, 'idx').status).toMatchObject({ completedIndexes: '0-2', succeeded: 3 });
  });

  it('replaces a failed index with the same index', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('r', { completionMode: 'Indexed', completions: 2, parallelism: 2 }));
    await until(() => expect(activeIndexes(b, 'r')).toEqual([0, 1]));
    finishPod(b.api, podOf(b, 'r', 1), 3, b.time.clock.now());
    await until(() => expect(job(b, 'r').status?.failed).toBe(1));
    b.time.advance(10_000);
    await until(() => expect(activeIndexes(b, 'r')).toEqual([0, 1]));
  });

  it('with backoffLimitPerIndex, retries an index up to its limit and then fails the Job', async () => {
    const b = await start();
    b.api.put(
      JOBS,
      newJob('pi', { completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 1 }),
    );
    await until(() => expect(activeIndexes(b, 'pi')).toEqual([0, 1]));
    expect(podOf(b, 'pi', 0).metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe('0');
    finishPod(b.api, podOf(b, 'pi', 0), 1, b.time.clock.now());
    b.time.advance(10_000);
    await until(() => expect(activeIndexes(b, 'pi')).toEqual([0, 1]));
    expect(podOf(b, 'pi', 0).metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe('1');
    finishPod(b.api, podOf(b, 'pi', 0), 1, b.time.clock.now());
    await until(() => expect(job(b, 'pi').status?.failedIndexes).toBe('0'));
    expect(activeIndexes(b, 'pi')).toEqual([1]);
    finishPod(b.api, podOf(b, 'pi', 1), 0, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'pi'))).toContain('Failed=True/FailedIndexes'));
    expect(job(b, 'pi').status).toMatchObject({ completedIndexes: '1', failedIndexes: '0', failed: 2 });
  });

  it('fails only the index on a FailIndex rule', async () => {
    const b = await start();
    b.api.put(
      JOBS,
      newJob('fi', {
        completionMode: 'Indexed',
        completions: 2,
        parallelism: 2,
        backoffLimitPerIndex: 3,
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [9] } }] },
      }),
    );
    await until(() => expect(activeIndexes(b, 'fi')).toEqual([0, 1]));
    finishPod(b.api, podOf(b, 'fi', 1), 9, b.time.clock.now());
    await until(() => expect(job(b, 'fi').status?.failedIndexes).toBe('1'));
    b.time.advance(60_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(activeIndexes(b, 'fi')).toEqual([0]);
    finishPod(b.api, podOf(b, 'fi', 0), 0, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'fi'))).toContain('Failed=True/FailedIndexes'));
  });

  it('meets a success policy, deletes the rest and completes with reason SuccessPolicy', async () => {
    const b = await start();
    b.api.put(
      JOBS,
      newJob('lead', {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 3,
        successPolicy: { rules: [{ succeededIndexes: '0' }] },
      }),
    );
    await until(() => expect(activeIndexes(b, 'lead')).toEqual([0, 1, 2]));
    finishPod(b.api, podOf(b, 'lead', 0), 0, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'lead'))).toContain('Complete=True/SuccessPolicy'));
    const j = job(b, 'lead');
    expect(conditions(j)).toEqual(['SuccessCriteriaMet=True/SuccessPolicy', 'Complete=True/SuccessPolicy']);
    expect(j.status?.conditions?.[0]?.message).toBe('Matched rules at index 0');
    expect(b.api.podList('lead').filter((p) => !p.status?.phase)).toHaveLength(0);
  });

  it('cuts long Job names so the indexed generateName fits', () => {
    expect(generateNameWithIndex('a'.repeat(60), 12)).toBe(`${'a'.repeat(54)}-12-`);
    expect(generateNameWithIndex('short', 3)).toBe('short-3-');
  });
});

describe('Job controller: pod failure policy and replacement', () => {
  const template = (nodeName?: string) => ({
    spec: {
      restartPolicy: 'Never' as const,
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'main', image: 'busybox' }],
    },
  });

  it('fails the Job on a FailJob exit code, with upstream message', async () => {
    const b = await start();
    b.api.put(
      JOBS,
      newJob('pfp', {
        template: template(),
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
      }),
    );
    await until(() => expect(b.api.podList('pfp')).toHaveLength(1));
    const pod = b.api.podList('pfp')[0]!;
    finishPod(b.api, pod, 42, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'pfp'))).toContain('Failed=True/PodFailurePolicy'));
    expect(job(b, 'pfp').status?.conditions?.[1]?.message).toBe(
      `Container main for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    );
  });

  it('ignores failures an Ignore rule matches (not counted; replaced after the pod backoff)', async () => {
    const b = await start();
    b.api.put(
      JOBS,
      newJob('ign', {
        template: template(),
        backoffLimit: 0,
        podFailurePolicy: {
          rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
        },
      }),
    );
    await until(() => expect(b.api.podList('ign')).toHaveLength(1));
    finishPod(b.api, b.api.podList('ign')[0]!, 137, b.time.clock.now(), [
      { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' },
    ]);
    await until(() => expect(b.api.podList('ign')[0]?.metadata.finalizers ?? []).toEqual([]));
    b.time.advance(10_000);
    await until(() => expect(b.api.podList('ign').filter((p) => !p.status?.phase)).toHaveLength(1));
    expect(job(b, 'ign').status?.failed).toBeUndefined();
    expect(conditions(job(b, 'ign'))).toEqual([]);
  });

  it('with podReplacementPolicy Failed, replaces a deleted pod only once it is terminal', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('prp', { template: template('n1'), podReplacementPolicy: 'Failed' }));
    await until(() => expect(b.api.podList('prp')).toHaveLength(1));
    const pod = b.api.podList('prp')[0]!;
    await b.api.resource(PODS_REF, 'default').delete(pod.metadata.name!);
    await until(() => expect(job(b, 'prp').status?.terminating).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(b.api.podList('prp')).toHaveLength(1);
    finishPod(b.api, b.api.podList('prp')[0]!, 137, b.time.clock.now());
    await until(() => expect(job(b, 'prp').status?.failed).toBe(1));
    b.time.advance(10_000);
    await until(() =>
      expect(b.api.podList('prp').filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(1),
    );
  });
});

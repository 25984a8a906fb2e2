import type { Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { until } from '../framework/testing/harness.js';
import { JOBS, PODS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { JobController } from './controller.js';
import { benchStarter, newJob, type Bench } from './testing/harness.js';
import { finishPod, runPod } from './testing/pods.js';

const start = benchStarter((time) => [new JobController({ timers: time, batchPeriodMs: 0 })]);

function job(b: Bench, name = 'pi'): Job & ApiObject {
  const j = b.api.job(`default/${name}`);
  if (!j) throw new Error(`no job ${name}`);
  return j;
}

function conditions(j: Job): string[] {
  return (j.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`);
}

describe('Job controller: NonIndexed', () => {
  it('runs a pod to completion and marks the Job complete as upstream does', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('pi'));
    await until(() => expect(b.api.podList('pi')).toHaveLength(1));
    const pod = b.api.podList('pi')[0]!;
    expect(pod.metadata.generateName).toBe('pi-');
    expect(pod.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(pod.metadata.labels?.['batch.kubernetes.io/job-name']).toBe('pi');
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'pi', controller: true });
    await until(() => expect(job(b).status?.active).toBe(1));
    expect(job(b).status).toMatchObject({ ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(job(b).status?.startTime).toBe('2026-03-01T10:00:00Z');

    b.time.advance(5_000);
    finishPod(b.api, pod, 0, b.time.clock.now());
    await until(() => expect(conditions(job(b))).toContain('Complete=True/CompletionsReached'));
    const done = job(b);
    expect(conditions(done)).toEqual([
      'SuccessCriteriaMet=True/CompletionsReached',
      'Complete=True/CompletionsReached',
    ]);
    expect(done.status?.conditions?.[1]?.message).toBe('Reached expected number of succeeded pods');
    expect(done.status).toMatchObject({
      succeeded: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    expect(done.status?.active).toBeUndefined();
    expect(done.status?.completionTime).toBe('2026-03-01T10:00:05Z');
    expect(b.api.podList('pi')[0]?.metadata.finalizers ?? []).toEqual([]);
    expect(b.api.eventsFor('pi')).toEqual([
      `SuccessfulCreate: Created pod: ${pod.metadata.name}`,
      'Completed: Job completed',
    ]);
  });

  it('keeps parallelism pods running until completions succeed', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('pi', { parallelism: 2, completions: 4 }));
    let finished = 0;
    while (finished < 4) {
      const want = Math.min(2, 4 - finished);
      await until(() => {
        const active = b.api.podList('pi').filter((p) => !p.status?.phase);
        expect(active).toHaveLength(want);
      });
      const active = b.api.podList('pi').filter((p) => !p.status?.phase);
      runPod(b.api, active[0]!, b.time.clock.now());
      await until(() => expect(job(b).status?.ready).toBe(1));
      finishPod(
        b.api,
        b.api.podList('pi').find((p) => p.status?.phase === 'Running')!,
        0,
        b.time.clock.now(),
      );
      finished++;
      await until(() => expect(job(b).status?.succeeded ?? 0).toBe(finished));
    }
    await until(() => expect(conditions(job(b))).toContain('Complete=True/CompletionsReached'));
    expect(b.api.podList('pi').filter((p) => p.status?.phase === 'Succeeded')).toHaveLength(4);
    expect(b.api.podList('pi')).toHaveLength(4);
  });

  it('without completions, completes when a pod succeeded and the others finished', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('q', { parallelism: 2 }));
    await until(() => expect(b.api.podList('q')).toHaveLength(2));
    const [p1, p2] = b.api.podList('q');
    finishPod(b.api, p1!, 0, b.time.clock.now());
    await until(() => expect(job(b, 'q').status?.succeeded).toBe(1));
    expect(conditions(job(b, 'q'))).toEqual([]);
    expect(b.api.podList('q')).toHaveLength(2);
    finishPod(b.api, p2!, 0, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'q'))).toContain('Complete=True/CompletionsReached'));
  });

  it('replaces failed pods after 10 s, then 20 s, and fails at the backoff limit', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('flaky', { backoffLimit: 2 }));
    await until(() => expect(b.api.podList('flaky')).toHaveLength(1));
    finishPod(b.api, b.api.podList('flaky')[0]!, 1, b.time.clock.now());
    await until(() => expect(job(b, 'flaky').status?.failed).toBe(1));
    expect(b.api.podList('flaky')).toHaveLength(1);
    b.time.advance(9_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(b.api.podList('flaky')).toHaveLength(1);
    b.time.advance(1_000);
    await until(() => expect(b.api.podList('flaky')).toHaveLength(2));

    const second = b.api.podList('flaky').find((p) => !p.status?.phase)!;
    finishPod(b.api, second, 1, b.time.clock.now());
    await until(() => expect(job(b, 'flaky').status?.failed).toBe(2));
    b.time.advance(19_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(b.api.podList('flaky')).toHaveLength(2);
    b.time.advance(1_000);
    await until(() => expect(b.api.podList('flaky')).toHaveLength(3));

    const third = b.api.podList('flaky').find((p) => !p.status?.phase)!;
    finishPod(b.api, third, 1, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'flaky'))).toContain('Failed=True/BackoffLimitExceeded'));
    const j = job(b, 'flaky');
    expect(conditions(j)).toEqual([
      'FailureTarget=True/BackoffLimitExceeded',
      'Failed=True/BackoffLimitExceeded',
    ]);
    expect(j.status?.failed).toBe(3);
    expect(j.status?.completionTime).toBeUndefined();
    expect(b.api.eventsFor('flaky')).toContain(
      'BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds and deletes its pods', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 2 }));
    await until(() => expect(b.api.podList('slow')).toHaveLength(2));
    await until(() => expect(b.time.waiting()).toContain(30_000));
    b.time.advance(30_000);
    await until(() => expect(conditions(job(b, 'slow'))).toContain('Failed=True/DeadlineExceeded'));
    const j = job(b, 'slow');
    expect(conditions(j)).toEqual(['FailureTarget=True/DeadlineExceeded', 'Failed=True/DeadlineExceeded']);
    expect(j.status?.conditions?.[1]?.message).toBe('Job was active longer than specified deadline');
    expect(j.status?.failed).toBe(2);
    expect(b.api.podList('slow')).toHaveLength(0);
    expect(b.api.eventsFor('slow')).toContain(
      'DeadlineExceeded: Job was active longer than specified deadline',
    );
  });

  it('waits for terminating pods before Failed when they run on a node', async () => {
    const b = await start();
    const spec = newJob('x').spec!;
    spec.template.spec = {
      ...spec.template.spec!,
      nodeName: 'n1',
      containers: [{ name: 'c', image: 'busybox' }],
    };
    b.api.put(JOBS, newJob('x', { activeDeadlineSeconds: 10, template: spec.template }));
    await until(() => expect(b.api.podList('x')).toHaveLength(1));
    runPod(b.api, b.api.podList('x')[0]!, b.time.clock.now());
    b.time.advance(10_000);
    await until(() => expect(conditions(job(b, 'x'))).toEqual(['FailureTarget=True/DeadlineExceeded']));
    await until(() => expect(job(b, 'x').status?.terminating).toBe(1));
    expect(b.api.podList('x')[0]?.metadata.deletionTimestamp).toBeDefined();
    // The kubelet ends the container: the pod is gone, the Job failed.
    finishPod(b.api, b.api.podList('x')[0]!, 137, b.time.clock.now());
    await until(() => expect(conditions(job(b, 'x'))).toContain('Failed=True/DeadlineExceeded'));
    expect(job(b, 'x').status).toMatchObject({ terminating: 0, failed: 1 });
  });

  it('suspends (deleting pods, uncounted) and resumes with events and conditions', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('s', { suspend: true, parallelism: 2, completions: 2 }));
    await until(() => expect(conditions(job(b, 's'))).toEqual(['Suspended=True/JobSuspended']));
    expect(b.api.podList('s')).toHaveLength(0);
    expect(job(b, 's').status?.startTime).toBeUndefined();
    const resumed = job(b, 's');
    resumed.spec!.suspend = false;
    (resumed.metadata as { generation?: number }).generation = 2;
    b.time.advance(60_000);
    b.api.put(JOBS, resumed);
    await until(() => expect(b.api.podList('s')).toHaveLength(2));
    await until(() => expect(conditions(job(b, 's'))).toEqual(['Suspended=False/JobResumed']));
    expect(job(b, 's').status?.startTime).toBe('2026-03-01T10:01:00Z');
    const again = job(b, 's');
    again.spec!.suspend = true;
    (again.metadata as { generation?: number }).generation = 3;
    b.api.put(JOBS, again);
    await until(() => expect(b.api.podList('s')).toHaveLength(0));
    await until(() => expect(conditions(job(b, 's'))).toEqual(['Suspended=True/JobSuspended']));
    expect(job(b, 's').status?.failed).toBeUndefined();
    expect(b.api.eventsFor('s')).toEqual(
      expect.arrayContaining(['Suspended: Job suspended', 'Resumed: Job resumed']),
    );
  });

  it('with restartPolicy OnFailure, fails once container restarts reach the backoff limit', async () => {
    const b = await start();
    const base = newJob('restarts').spec!.template;
    base.spec = { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] };
    b.api.put(JOBS, newJob('restarts', { backoffLimit: 2, template: base }));
    await until(() => expect(b.api.podList('restarts')).toHaveLength(1));
    const pod = b.api.podList('restarts')[0]!;
    b.api.setPodStatus(pod, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'c',
          image: 'busybox',
          imageID: '',
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    });
    await until(() => expect(conditions(job(b, 'restarts'))).toContain('Failed=True/BackoffLimitExceeded'));
    expect(b.api.podList('restarts')).toHaveLength(0);
  });

  it('adopts a matching orphan pod (owner reference and tracking finalizer)', async () => {
    const b = await start();
    const j = newJob('adopter', { parallelism: 1, completions: 1 });
    b.api.put(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stray', namespace: 'default', labels: { ...j.spec!.template.metadata!.labels } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    b.api.put(JOBS, j);
    await until(() => expect(b.api.podList('adopter').map((p) => p.metadata.name)).toEqual(['stray']));
    const stray = b.api.podList('adopter')[0]!;
    expect(stray.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(stray.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Job',
      uid: j.metadata.uid,
      controller: true,
    });
    await until(() => expect(job(b, 'adopter').status?.active).toBe(1));
    expect(b.api.podList()).toHaveLength(1);
  });

  it('removes the tracking finalizer from orphaned pods', async () => {
    const b = await start();
    b.api.put(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'left',
        namespace: 'default',
        finalizers: ['batch.kubernetes.io/job-tracking', 'keep/me'],
      },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await until(() => expect(b.api.podList()[0]?.metadata.finalizers).toEqual(['keep/me']));
  });

  it('retries failed pod creates with backoff and a FailedCreate event, without hot-looping', async () => {
    const b = await start();
    const { apiErrors } = await import('../../api/errors.js');
    const quota = apiErrors.forbidden({ group: '', resource: 'pods' }, 'x', 'exceeded quota');
    let refusals = 10;
    b.api.beforeCreate = (ref) => {
      if (ref.resource === 'pods' && refusals-- > 0) throw quota;
    };
    b.api.put(JOBS, newJob('q'));
    await until(() =>
      expect(b.api.eventsFor('q').some((e) => e.startsWith('FailedCreate: Error creating:'))).toBe(true),
    );
    const creates = (): number => 10 - Math.max(refusals, 0);
    await new Promise((r) => setTimeout(r, 100));
    // The first attempt, and one more after its own status write; then only on the retry backoff.
    const settled = creates();
    expect(settled).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(creates()).toBe(settled);
    b.time.advance(1_000);
    await until(() => expect(creates()).toBe(settled + 1));
    // Each failure doubles the retry delay.
    b.time.advance(2_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(creates()).toBe(settled + 1);
    b.time.advance(2_000);
    await until(() => expect(creates()).toBe(settled + 2));
  });

  it('writes no status while nothing changes (no hot loop on a Job that cannot progress)', async () => {
    const b = await start();
    b.api.put(JOBS, newJob('idle', { parallelism: 0, completions: 3 }));
    await until(() => expect(job(b, 'idle').status?.startTime).toBeDefined());
    const writes = (): number => b.api.calls.filter((c) => c.startsWith('updateStatus jobs')).length;
    const before = writes();
    b.time.advance(600_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(writes()).toBe(before);
    expect(b.api.podList('idle')).toHaveLength(0);
  });
});

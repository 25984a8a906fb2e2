import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { sleep, until } from '../framework/testing/harness.js';
import { defaultCronJob } from '../../api/batch/defaults.js';
import type { KubeObject } from '../../api/meta.js';
import { CRONJOBS, JOBS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { rfc3339 } from '../../util/time.js';
import { BATCH_T0, benchStarter, type Bench } from '../job/testing/harness.js';
import { CronJobController } from './controller.js';

/** 2026-03-01T10:00:00Z, minutes since the epoch. */
const T0_MIN = Date.parse(BATCH_T0) / 60_000;

const start = benchStarter((t) => [new CronJobController({ timers: t, defaultTimeZone: 'UTC' })]);

function cronJob(
  name: string,
  spec: Partial<CronJob['spec']> & { schedule: string },
  created?: string,
): CronJob & ApiObject {
  const cj: CronJob & ApiObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      ...(created ? { creationTimestamp: created } : {}),
    },
    spec: {
      jobTemplate: {
        metadata: { labels: { app: name }, annotations: { team: 'a' } },
        spec: {
          template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
      ...spec,
    },
  };
  defaultCronJob(cj as KubeObject);
  return cj;
}

async function create(b: Bench, cj: CronJob & ApiObject): Promise<void> {
  if (cj.metadata.creationTimestamp) b.api.put(CRONJOBS, cj);
  else await b.api.resource(CRONJOBS, 'default').create(cj);
}

function cj(b: Bench, name: string): CronJob & ApiObject {
  const found = b.api.stored(CRONJOBS).find((c) => c.metadata.name === name);
  if (!found) throw new Error(`no cronjob ${name}`);
  return found as CronJob & ApiObject;
}

function jobs(b: Bench): (Job & ApiObject)[] {
  return (b.api.stored(JOBS) as (Job & ApiObject)[]).sort((x, y) =>
    (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''),
  );
}

/** Finishes a Job as the Job controller would (Complete or Failed, with times). */
function finishJob(b: Bench, name: string, type: 'Complete' | 'Failed'): void {
  const j = jobs(b).find((x) => x.metadata.name === name);
  if (!j) throw new Error(`no job ${name}`);
  const now = rfc3339(b.time.clock.now());
  (j as { status?: Job['status'] }).status = {
    startTime: j.status?.startTime ?? now,
    conditions: [{ type, status: 'True', lastTransitionTime: now }],
    ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
  };
  b.api.put(JOBS, j);
}

function startJob(b: Bench, name: string): void {
  const j = jobs(b).find((x) => x.metadata.name === name);
  if (!j) throw new Error(`no job ${name}`);
  (j as { status?: Job['status'] }).status = { startTime: rfc3339(b.time.clock.now()), active: 1 };
  b.api.put(JOBS, j);
}

describe('CronJob controller (injected clock)', () => {
  it('starts a Job at each schedule time, named by the minute, and requeues for the next one', async () => {
    const b = await start();
    await create(b, cronJob('every5', { schedule: '*/5 * * * *' }));
    await until(() => expect(b.time.waiting()).toContain(300_100));
    expect(jobs(b)).toHaveLength(0);
    b.time.advance(299_000);
    await sleep(30);
    expect(jobs(b)).toHaveLength(0);
    b.time.advance(1_100);
    await until(() => expect(jobs(b)).toHaveLength(1));
    const j = jobs(b)[0]!;
    expect(j.metadata.name).toBe(`every5-${T0_MIN + 5}`);
    expect(j.metadata.labels).toEqual({ app: 'every5' });
    expect(j.metadata.annotations).toEqual({
      team: 'a',
      'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-03-01T10:05:00Z',
    });
    expect(j.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        name: 'every5',
        uid: 'uid-every5',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(j.spec?.template.spec?.containers[0]?.image).toBe('busybox');
    await until(() => expect(cj(b, 'every5').status?.lastScheduleTime).toBe('2026-03-01T10:05:00Z'));
    expect(cj(b, 'every5').status?.active).toEqual([
      expect.objectContaining({
        kind: 'Job',
        name: j.metadata.name,
        uid: j.metadata.uid,
        apiVersion: 'batch/v1',
      }),
    ]);
    expect(b.api.eventsFor('every5')).toEqual([`SuccessfulCreate: Created job ${j.metadata.name}`]);
    // The next wake-up is 100 ms after 10:10.
    await until(() => expect(b.time.waiting()).toContain(300_000));
    b.time.advance(300_000);
    await until(() => expect(jobs(b)).toHaveLength(2));
    expect(jobs(b)[1]?.metadata.name).toBe(`every5-${T0_MIN + 10}`);
  });

  it('moves finished Jobs out of active, records the last success, and keeps the history limits', async () => {
    const b = await start();
    await create(
      b,
      cronJob('hist', { schedule: '* * * * *', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }),
    );
    for (let i = 1; i <= 3; i++) {
      b.time.advanceTo(`2026-03-01T10:0${i}:00.200Z`);
      await until(() => expect(jobs(b).map((j) => j.metadata.name)).toContain(`hist-${T0_MIN + i}`));
      startJob(b, `hist-${T0_MIN + i}`);
      b.time.advance(10_000);
      finishJob(b, `hist-${T0_MIN + i}`, i === 2 ? 'Failed' : 'Complete');
      await until(() => expect(cj(b, 'hist').status?.active ?? []).toEqual([]));
    }
    await until(() =>
      expect(jobs(b).map((j) => j.metadata.name)).toEqual([`hist-${T0_MIN + 2}`, `hist-${T0_MIN + 3}`]),
    );
    const events = b.api.eventsFor('hist');
    expect(events).toContain(`SawCompletedJob: Saw completed job: hist-${T0_MIN + 1}, status: Complete`);
    expect(events).toContain(`SawCompletedJob: Saw completed job: hist-${T0_MIN + 2}, status: Failed`);
    expect(events).toContain(`SuccessfulDelete: Deleted job hist-${T0_MIN + 1}`);
    expect(b.api.deletes.find((d) => d.resource === 'jobs')?.opts).toEqual({
      propagationPolicy: 'Background',
    });
    await until(() => expect(cj(b, 'hist').status?.lastSuccessfulTime).toBeDefined());
  });

  it('Forbid skips a start while a Job runs; Replace deletes it and starts anew', async () => {
    const b = await start();
    await create(b, cronJob('forbid', { schedule: '* * * * *', concurrencyPolicy: 'Forbid' }));
    await create(b, cronJob('replace', { schedule: '* * * * *', concurrencyPolicy: 'Replace' }));
    await until(() => expect(b.time.waiting()).toEqual([60_100, 60_100]));
    b.time.advance(60_100);
    await until(() => expect(jobs(b)).toHaveLength(2));
    startJob(b, `forbid-${T0_MIN + 1}`);
    startJob(b, `replace-${T0_MIN + 1}`);
    await until(() => expect(cj(b, 'replace').status?.active).toHaveLength(1));
    await until(() => expect(cj(b, 'forbid').status?.active).toHaveLength(1));
    b.time.advance(60_000);
    await until(() => expect(jobs(b).map((j) => j.metadata.name)).toContain(`replace-${T0_MIN + 2}`));
    await until(() =>
      expect(b.api.eventsFor('forbid')).toContain(
        'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
      ),
    );
    expect(jobs(b).map((j) => j.metadata.name)).toEqual([`forbid-${T0_MIN + 1}`, `replace-${T0_MIN + 2}`]);
    expect(b.api.eventsFor('replace')).toContain(`SuccessfulDelete: Deleted job replace-${T0_MIN + 1}`);
    await until(() =>
      expect(cj(b, 'replace').status?.active?.map((r) => r.name)).toEqual([`replace-${T0_MIN + 2}`]),
    );
  });

  it('starts nothing while suspended, and starts the missed time within startingDeadlineSeconds on resume', async () => {
    const b = await start();
    await create(
      b,
      cronJob('sus', { schedule: '*/10 * * * *', suspend: true, startingDeadlineSeconds: 120 }),
    );
    b.time.advance(3_600_000);
    await sleep(30);
    expect(jobs(b)).toHaveLength(0);
    // Resumed 60 s after 11:00: that time is within the deadline.
    b.time.advance(60_000);
    const c = cj(b, 'sus');
    c.spec!.suspend = false;
    b.api.put(CRONJOBS, c);
    await until(() => expect(jobs(b).map((j) => j.metadata.name)).toEqual([`sus-${T0_MIN + 60}`]));
  });

  it('skips times older than startingDeadlineSeconds', async () => {
    const b = await start();
    await create(b, cronJob('late', { schedule: '0 * * * *', suspend: true, startingDeadlineSeconds: 30 }));
    b.time.advance(3_660_000); // 11:01, a minute after 11:00
    const c = cj(b, 'late');
    c.spec!.suspend = false;
    b.api.put(CRONJOBS, c);
    await until(() => expect(b.time.waiting().some((ms) => ms > 3_000_000)).toBe(true));
    expect(jobs(b)).toHaveLength(0);
    b.time.advance(3_540_100); // 12:00
    await until(() => expect(jobs(b).map((j) => j.metadata.name)).toEqual([`late-${T0_MIN + 120}`]));
  });

  it('warns about too many missed start times and starts only the most recent one', async () => {
    const b = await start();
    await create(b, cronJob('behind', { schedule: '* * * * *' }, '2026-02-27T10:00:00Z'));
    await until(() => expect(jobs(b)).toHaveLength(1));
    expect(jobs(b)[0]?.metadata.name).toBe(`behind-${T0_MIN}`);
    expect(b.api.eventsFor('behind')).toContain(
      'TooManyMissedTimes: too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );
  });

  it('schedules in spec.timeZone and stamps the Job in that zone', async () => {
    const b = await start();
    await create(b, cronJob('berlin', { schedule: '0 12 * * *', timeZone: 'Europe/Berlin' }));
    b.time.advanceTo('2026-03-01T10:59:59Z');
    await sleep(30);
    expect(jobs(b)).toHaveLength(0);
    b.time.advanceTo('2026-03-01T11:00:00.200Z');
    await until(() => expect(jobs(b)).toHaveLength(1));
    expect(jobs(b)[0]?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(
      '2026-03-01T12:00:00+01:00',
    );
    expect(jobs(b)[0]?.metadata.name).toBe(`berlin-${T0_MIN + 60}`);
  });

  it('wakes at the new time after a schedule change', async () => {
    const b = await start();
    await create(b, cronJob('move', { schedule: '0 0 * * *' }));
    await sleep(30);
    const c = cj(b, 'move');
    c.spec!.schedule = '30 10 * * *';
    b.api.put(CRONJOBS, c);
    await until(() => expect(b.time.waiting()).toContain(1_800_100));
    b.time.advance(1_800_100);
    await until(() => expect(jobs(b).map((j) => j.metadata.name)).toEqual([`move-${T0_MIN + 30}`]));
  });

  it('drops an active Job that went missing, with a MissingJob event', async () => {
    const b = await start();
    await create(b, cronJob('gone', { schedule: '*/30 * * * *' }));
    b.time.advance(1_800_100);
    await until(() => expect(cj(b, 'gone').status?.active).toHaveLength(1));
    b.api.remove(JOBS, `default/gone-${T0_MIN + 30}`);
    await until(() => expect(cj(b, 'gone').status?.active ?? []).toEqual([]));
    expect(b.api.eventsFor('gone')).toContain(`MissingJob: Active job went missing: gone-${T0_MIN + 30}`);
  });

  it('reports a schedule that never fires once, without requeueing or writing', async () => {
    const b = await start();
    await create(b, cronJob('never', { schedule: '0 0 30 2 *' }));
    await until(() =>
      expect(b.api.eventsFor('never')).toContain(
        'InvalidSchedule: invalid schedule: 0 0 30 2 * : time difference between two schedules is less than 1 second',
      ),
    );
    await sleep(30);
    expect(b.time.waiting()).toEqual([]);
    expect(b.api.calls.filter((c) => c.startsWith('updateStatus'))).toEqual([]);
  });

  it('does not write status or create Jobs between schedule times', async () => {
    const b = await start();
    await create(b, cronJob('quiet', { schedule: '0 * * * *' }));
    b.time.advance(3_600_100);
    await until(() => expect(jobs(b)).toHaveLength(1));
    await sleep(30);
    const writes = b.api.calls.filter((c) => c.startsWith('updateStatus')).length;
    b.time.advance(1_000_000);
    await sleep(30);
    expect(b.api.calls.filter((c) => c.startsWith('updateStatus')).length).toBe(writes);
    expect(jobs(b)).toHaveLength(1);
  });
});

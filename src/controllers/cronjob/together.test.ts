import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { until } from '../framework/testing/harness.js';
import { defaultCronJob } from '../../api/batch/defaults.js';
import type { KubeObject } from '../../api/meta.js';
import { CRONJOBS, JOBS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { JobController } from '../job/controller.js';
import { benchStarter } from '../job/testing/harness.js';
import { finishPod } from '../job/testing/pods.js';
import { TtlAfterFinishedController } from '../ttlafterfinished/controller.js';
import { CronJobController } from './controller.js';

const start = benchStarter((t) => [
  new CronJobController({ timers: t, defaultTimeZone: 'UTC' }),
  new JobController({ timers: t, batchPeriodMs: 0 }),
  new TtlAfterFinishedController({ timers: t }),
]);

describe('CronJob, Job and TTL controllers together', () => {
  it('runs a scheduled Job to completion, records it, and the TTL removes it', async () => {
    const b = await start();
    const cj: CronJob & ApiObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'default', uid: 'cj-uid' },
      spec: {
        schedule: '0 2 * * *',
        jobTemplate: {
          spec: {
            ttlSecondsAfterFinished: 300,
            template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
          },
        },
      },
    };
    defaultCronJob(cj as KubeObject);
    await b.api.resource(CRONJOBS, 'default').create(cj);
    b.time.advanceTo('2026-03-02T02:00:00.100Z');
    await until(() => expect(b.api.stored(JOBS)).toHaveLength(1));
    const job = b.api.stored(JOBS)[0] as Job & ApiObject;
    expect(job.spec?.selector?.matchLabels).toEqual({
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
    });
    await until(() => expect(b.api.podList(job.metadata.name)).toHaveLength(1));
    b.time.advance(30_000);
    finishPod(b.api, b.api.podList(job.metadata.name)[0]!, 0, b.time.clock.now());
    await until(() =>
      expect((b.api.stored(CRONJOBS)[0] as CronJob).status?.lastSuccessfulTime).toBe('2026-03-02T02:00:30Z'),
    );
    expect((b.api.stored(CRONJOBS)[0] as CronJob).status?.active ?? []).toEqual([]);
    expect(b.api.eventsFor('nightly')).toContain(
      `SawCompletedJob: Saw completed job: ${job.metadata.name}, status: Complete`,
    );
    b.time.advance(300_000);
    await until(() => expect(b.api.stored(JOBS)).toHaveLength(0));
    expect((b.api.stored(JOBS) as Job[]).length).toBe(0);
  });
});

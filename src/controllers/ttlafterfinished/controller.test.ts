import type { Job } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { sleep, until } from '../framework/testing/harness.js';
import { JOBS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { rfc3339 } from '../../util/time.js';
import { benchStarter, newJob, type Bench } from '../job/testing/harness.js';
import { TtlAfterFinishedController } from './controller.js';

function finished(b: Bench, name: string, ttl: number | undefined, type = 'Complete'): Job & ApiObject {
  const j = newJob(name, ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl });
  const now = rfc3339(b.time.clock.now());
  (j as { status?: Job['status'] }).status = {
    startTime: now,
    conditions: [{ type, status: 'True', lastTransitionTime: now }],
    ...(type === 'Complete' ? { completionTime: now } : {}),
  };
  return j;
}

const names = (b: Bench): string[] => b.api.stored(JOBS).map((j) => j.metadata.name ?? '');

const start = benchStarter((t) => [new TtlAfterFinishedController({ timers: t })]);

describe('TTL-after-finished controller', () => {
  it('deletes a finished Job when its TTL passes, with foreground propagation and a uid precondition', async () => {
    const b = await start();
    const j = b.api.put(JOBS, finished(b, 'done', 60));
    b.api.put(JOBS, finished(b, 'keep', undefined));
    b.api.put(JOBS, finished(b, 'failed', 0, 'Failed'));
    await until(() => expect(names(b)).toEqual(['done', 'keep']));
    await until(() => expect(b.time.waiting()).toEqual([60_000]));
    b.time.advance(59_999);
    await sleep(30);
    expect(names(b)).toEqual(['done', 'keep']);
    b.time.advance(1);
    await until(() => expect(names(b)).toEqual(['keep']));
    expect(b.api.deletes.find((d) => d.key === 'default/done')?.opts).toEqual({
      propagationPolicy: 'Foreground',
      preconditions: { uid: j.metadata.uid },
    });
  });

  it('honours a TTL changed before it expired, and ignores unfinished Jobs', async () => {
    const b = await start();
    b.api.put(JOBS, finished(b, 'longer', 10));
    b.api.put(JOBS, newJob('running', { ttlSecondsAfterFinished: 0 }));
    await until(() => expect(b.time.waiting()).toEqual([10_000]));
    const j = b.api.job('default/longer')!;
    j.spec!.ttlSecondsAfterFinished = 100;
    b.api.put(JOBS, j);
    b.time.advance(10_000);
    await sleep(30);
    expect(names(b)).toEqual(['longer', 'running']);
    b.time.advance(90_000);
    await until(() => expect(names(b)).toEqual(['running']));
  });
});

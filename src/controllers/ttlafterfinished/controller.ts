/**
 * The TTL-after-finished controller: deletes a finished Job (Complete or Failed) once
 * `ttlSecondsAfterFinished` has passed since its terminal condition, with its pods (foreground
 * propagation, as upstream deletes). Jobs not yet due are requeued for the moment they expire;
 * before deleting, the Job is read again from the server so a TTL changed meanwhile is honoured.
 */
import { untilAborted } from '../framework/manager.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { ApiError } from '../../api/errors.js';
import { realTimers, type Timers } from '../../client/backoff.js';
import { JOBS } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';

type JobObject = Job & ApiObject;

/** Options of the TTL-after-finished controller. */
export interface TtlAfterFinishedOptions {
  /** Timers of the queue, which also wakes Jobs when they expire (virtual in tests). */
  timers?: Timers;
  /** Jobs processed at once (default 5, upstream's --concurrent-ttl-after-finished-syncs). */
  concurrency?: number;
}

/** When a finished Job with a TTL finished (ms), or undefined when it needs no cleanup. */
export function finishedAt(job: Job): number | undefined {
  if (typeof job.spec?.ttlSecondsAfterFinished !== 'number') return undefined;
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
      return Number.isFinite(t) ? t : undefined;
    }
  }
  return undefined;
}

/** Milliseconds until `job` expires (≤ 0 once due), or undefined when it needs no cleanup. */
export function timeLeft(job: Job, now: number): number | undefined {
  if (job.metadata?.deletionTimestamp) return undefined;
  const at = finishedAt(job);
  if (at === undefined) return undefined;
  return at + (job.spec?.ttlSecondsAfterFinished ?? 0) * 1000 - now;
}

/** The `ttl-after-finished` controller of `k8ts server`. */
export class TtlAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';

  constructor(private readonly opts: TtlAfterFinishedOptions = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const jobs = ctx.informers.informer<JobObject>(JOBS);
    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;
    const log = ctx.logger('ttl-after-finished-controller');
    const queue: WorkQueue = new WorkQueue(
      (k): Promise<void> => this.process(ctx, log, jobs, queue, k),
      log,
      {
        concurrency: this.opts.concurrency ?? 5,
        timers: this.opts.timers ?? realTimers,
      },
    );
    const enqueue = (j: JobObject): void => {
      if (!j.metadata.deletionTimestamp && finishedAt(j) !== undefined) queue.add(objectKey(j));
    };
    const off = jobs.addHandlers({ add: enqueue, update: (_old, cur) => enqueue(cur) });
    await untilAborted(signal);
    off();
    queue.stop();
  }

  private async process(
    ctx: ControllerContext,
    log: Logger,
    jobs: Informer<JobObject>,
    queue: WorkQueue,
    key: string,
  ): Promise<void> {
    const cached = jobs.get(key);
    if (!cached || !this.expired(cached, ctx, queue, key)) return;
    const api = ctx.client.resource<JobObject>(JOBS, cached.metadata.namespace);
    let fresh: JobObject;
    try {
      fresh = await api.get(cached.metadata.name ?? '');
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
    if (!this.expired(fresh, ctx, queue, key)) return;
    log.debug({ job: key }, 'cleaning up finished job');
    try {
      await api.delete(fresh.metadata.name ?? '', {
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid ?? '' },
      });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  /** Whether the TTL passed; if it will pass later, requeues for then. */
  private expired(job: JobObject, ctx: ControllerContext, queue: WorkQueue, key: string): boolean {
    const left = timeLeft(job, ctx.clock.now().getTime());
    if (left === undefined) return false;
    if (left > 0) {
      queue.addAfter(key, left);
      return false;
    }
    return true;
  }
}

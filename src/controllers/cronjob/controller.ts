/**
 * The CronJob controller (upstream's v2): each sync reconciles a CronJob with the Jobs it controls
 * (active list, last successful time, history limits), starts the Job of the most recent unmet
 * schedule time when concurrencyPolicy, suspend and startingDeadlineSeconds allow, and requeues the
 * CronJob for just after its next schedule time through the injected timers.
 */
import { untilAborted } from '../framework/manager.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { CronParseError } from '../../api/batch/cron.js';
import { isKnownTimeZone, localTimeZone } from '../../api/batch/timezone.js';
import { ApiError } from '../../api/errors.js';
import { realTimers, type Timers } from '../../client/backoff.js';
import type { EventRecorder, EventTarget } from '../../client/events.js';
import { CRONJOBS, JOBS } from '../../client/resources.js';
import { objectKey, type ApiObject, type Client, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { rfc3339 } from '../../util/time.js';
import { controllerOf } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import {
  jobFromTemplate,
  jobName,
  mostRecentScheduleTime,
  nextScheduleDelay,
  parseCronJobSchedule,
  type CronJobObject,
} from './schedule.js';

type JobObject = Job & ApiObject;

const JOB_OWNER_INDEX = 'cronjob-controller/owner';

/** Options of the CronJob controller. */
export interface CronJobControllerOptions {
  /** Timers of the queue, which also wakes CronJobs at their schedule times (virtual in tests). */
  timers?: Timers;
  /** Zone of schedules without `timeZone` (default: the process's, as upstream uses the controller's). */
  defaultTimeZone?: string;
  /** CronJobs synced at once (default 5, upstream's --concurrent-cron-job-syncs). */
  concurrency?: number;
}

function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? [])
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  return undefined;
}

function cronJobTarget(cj: CronJobObject): EventTarget {
  return {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    namespace: cj.metadata.namespace ?? '',
    name: cj.metadata.name ?? '',
    ...(cj.metadata.uid ? { uid: cj.metadata.uid } : {}),
    ...(cj.metadata.resourceVersion ? { resourceVersion: cj.metadata.resourceVersion } : {}),
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.reason === 'AlreadyExists';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function jobRef(job: JobObject): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace ?? '',
    name: job.metadata.name ?? '',
    uid: job.metadata.uid ?? '',
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion ?? '',
  };
}

/** Oldest first: by start time (Jobs not started last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa === sb) return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  return Date.parse(sa ?? '') - Date.parse(sb ?? '');
}

/** The `cronjob` controller of `k8ts server`. */
export class CronJobController implements Controller {
  readonly name = 'cronjob';

  constructor(private readonly opts: CronJobControllerOptions = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const cronJobs = ctx.informers.informer<CronJobObject>(CRONJOBS);
    const jobs = ctx.informers.informer<JobObject>(JOBS);
    try {
      jobs.addIndex(JOB_OWNER_INDEX, (j) => {
        const ref = controllerOf(j);
        return ref?.kind === 'CronJob' ? [`${j.metadata.namespace ?? ''}/${ref.name}`] : [];
      });
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('already exists'))) throw err;
    }
    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;
    await new CronJobRun(ctx, cronJobs, jobs, this.opts).start(signal);
  }
}

/** What one sync decided: a status write, a requeue. */
interface SyncOutcome {
  updateStatus: boolean;
  requeueMs?: number;
}

class CronJobRun {
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly client: Client;
  private readonly defaultZone: string;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly cronJobs: Informer<CronJobObject>,
    private readonly jobs: Informer<JobObject>,
    opts: CronJobControllerOptions,
  ) {
    this.log = ctx.logger('cronjob-controller');
    this.recorder = ctx.recorder('cronjob-controller');
    this.client = ctx.client;
    this.defaultZone = opts.defaultTimeZone ?? localTimeZone();
    this.queue = new WorkQueue((k) => this.sync(k), this.log, {
      concurrency: opts.concurrency ?? 5,
      timers: opts.timers ?? realTimers,
      baseDelayMs: 5,
      maxDelayMs: 1_000_000,
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const offJobs = this.jobs.addHandlers({
      add: (j) => {
        this.enqueueOwner(j, controllerOf(j));
      },
      update: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = controllerOf(old);
        const curRef = controllerOf(cur);
        if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(curRef)) this.enqueueOwner(old, oldRef);
        this.enqueueOwner(cur, curRef);
      },
      delete: (j) => this.enqueueOwner(j, controllerOf(j)),
    });
    const offCronJobs = this.cronJobs.addHandlers({
      add: (cj) => this.queue.add(objectKey(cj)),
      update: (old, cur) => this.updateCronJob(old, cur),
      delete: (cj) => this.queue.add(objectKey(cj)),
    });
    await untilAborted(signal);
    offJobs();
    offCronJobs();
    this.queue.stop();
  }

  private resolve(namespace: string, ref: OwnerReference): CronJobObject | undefined {
    if (ref.kind !== 'CronJob') return undefined;
    const cj = this.cronJobs.get(`${namespace}/${ref.name}`);
    return cj && cj.metadata.uid === ref.uid ? cj : undefined;
  }

  private enqueueOwner(job: JobObject, ref: OwnerReference | undefined): void {
    if (!ref) return;
    const cj = this.resolve(job.metadata.namespace ?? '', ref);
    if (cj) this.queue.add(objectKey(cj));
  }

  private record(cj: CronJobObject, type: 'Normal' | 'Warning', reason: string, msg: string): void {
    void this.recorder.record(cronJobTarget(cj), type, reason, msg);
  }

  /** A new schedule or zone moves the wake-up; anything else syncs now. */
  private updateCronJob(old: CronJobObject, cur: CronJobObject): void {
    const key = objectKey(cur);
    if (old.spec?.schedule === cur.spec?.schedule && old.spec?.timeZone === cur.spec?.timeZone) {
      this.queue.add(key);
      return;
    }
    let delay: number | undefined;
    try {
      delay = nextScheduleDelay(
        cur,
        this.ctx.clock.now().getTime(),
        parseCronJobSchedule(cur, this.defaultZone),
      );
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      this.record(
        cur,
        'Warning',
        'UnParseableCronJobSchedule',
        `unparseable schedule for cronjob: ${cur.spec?.schedule ?? ''}`,
      );
      return;
    }
    if (delay !== undefined) this.queue.addAfter(key, delay);
  }

  private async sync(key: string): Promise<void> {
    const shared = this.cronJobs.get(key);
    if (!shared) return;
    const owned = this.jobs
      .byIndex(JOB_OWNER_INDEX, key)
      .filter((j) => controllerOf(j)?.name === shared.metadata.name);
    const cj = structuredClone(shared);
    const cleaned = await this.cleanupFinishedJobs(cj, owned);
    let outcome: SyncOutcome = { updateStatus: false };
    let syncError: unknown;
    try {
      outcome = await this.syncCronJob(cj, owned);
    } catch (err) {
      syncError = err;
      outcome = { updateStatus: (err as { updateStatus?: boolean }).updateStatus ?? false };
      this.log.debug({ err, cronjob: key }, 'error reconciling cronjob');
    }
    if (cleaned || outcome.updateStatus) {
      cj.apiVersion = 'batch/v1';
      cj.kind = 'CronJob';
      await this.client.resource<CronJobObject>(CRONJOBS, cj.metadata.namespace).updateStatus(cj);
    }
    if (outcome.requeueMs !== undefined) this.queue.addAfter(key, outcome.requeueMs);
    else if (syncError !== undefined) throw syncError;
  }

  private deleteFromActive(cj: CronJobObject, uid: string | undefined): void {
    const status = (cj.status ??= {});
    status.active = (status.active ?? []).filter((r) => r.uid !== uid);
  }

  /** Deletes a Job (its pods in the background) and drops it from the active list. */
  private async deleteJob(cj: CronJobObject, job: JobObject): Promise<boolean> {
    try {
      await this.client.resource(JOBS, job.metadata.namespace).delete(job.metadata.name ?? '', {
        propagationPolicy: 'Background',
      });
    } catch (err) {
      this.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${message(err)}`);
      this.log.error({ err, job: objectKey(job), cronjob: objectKey(cj) }, 'error deleting job from cronjob');
      return false;
    }
    this.deleteFromActive(cj, job.metadata.uid);
    this.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name ?? ''}`);
    return true;
  }

  /** Keeps successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs, deleting the oldest. */
  private async cleanupFinishedJobs(cj: CronJobObject, jobs: readonly JobObject[]): Promise<boolean> {
    const successLimit = cj.spec?.successfulJobsHistoryLimit;
    const failedLimit = cj.spec?.failedJobsHistoryLimit;
    if (typeof successLimit !== 'number' && typeof failedLimit !== 'number') return false;
    let update = false;
    const trim = async (list: JobObject[], limit: number | undefined): Promise<void> => {
      if (typeof limit !== 'number' || list.length <= limit) return;
      list.sort(byStartTime);
      for (const j of list.slice(0, list.length - limit)) if (await this.deleteJob(cj, j)) update = true;
    };
    await trim(
      jobs.filter((j) => finishedType(j) === 'Complete'),
      successLimit,
    );
    await trim(
      jobs.filter((j) => finishedType(j) === 'Failed'),
      failedLimit,
    );
    return update;
  }

  private inActive(cj: CronJobObject, uid: string | undefined): boolean {
    return (cj.status?.active ?? []).some((r) => r.uid === uid);
  }

  private async syncCronJob(cj: CronJobObject, jobs: readonly JobObject[]): Promise<SyncOutcome> {
    const now = this.ctx.clock.now();
    let update = false;
    const fail = (err: unknown): never => {
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { updateStatus: update });
    };
    const children = new Set<string>();
    const jobsApi = this.client.resource<JobObject>(JOBS, cj.metadata.namespace);
    for (const j of jobs) {
      children.add(j.metadata.uid ?? '');
      const found = this.inActive(cj, j.metadata.uid);
      const finished = finishedType(j);
      if (!found && !finished) {
        let fresh: CronJobObject;
        try {
          fresh = await this.client
            .resource<CronJobObject>(CRONJOBS, cj.metadata.namespace)
            .get(cj.metadata.name ?? '');
        } catch (err) {
          return fail(err);
        }
        if (this.inActive(fresh, j.metadata.uid)) {
          cj.status = structuredClone(fresh.status ?? {});
          (cj.metadata as { resourceVersion?: string }).resourceVersion = fresh.metadata.resourceVersion;
          continue;
        }
        this.record(
          cj,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${j.metadata.name ?? ''}`,
        );
      } else if (found && finished) {
        this.deleteFromActive(cj, j.metadata.uid);
        this.record(
          cj,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${j.metadata.name ?? ''}, status: ${finished}`,
        );
        update = true;
      } else if (finished === 'Complete') {
        const done = j.status?.completionTime;
        const last = cj.status?.lastSuccessfulTime;
        if (done && (!last || Date.parse(done) > Date.parse(last))) {
          (cj.status ??= {}).lastSuccessfulTime = done;
          update = true;
        }
      }
    }
    // Active entries whose Job is gone (checked with the server: the cache may lag).
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.client.resource(JOBS, ref.namespace).get(ref.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) return fail(err);
        this.record(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        this.deleteFromActive(cj, ref.uid);
        update = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { updateStatus: update };

    const tz = cj.spec?.timeZone;
    if (tz !== undefined && tz !== null && !isKnownTimeZone(tz) && tz !== 'UTC') {
      this.record(
        cj,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`,
      );
      return { updateStatus: update };
    }
    if (cj.spec?.suspend === true) return { updateStatus: update };

    const schedule = cj.spec?.schedule ?? '';
    if (schedule.includes('TZ'))
      this.record(
        cj,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    let sched;
    try {
      sched = parseCronJobSchedule(cj, this.defaultZone);
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      this.record(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(schedule)} : ${err.message}`,
      );
      return { updateStatus: update };
    }
    const nowMs = now.getTime();
    const recent = mostRecentScheduleTime(cj, nowMs, sched, true);
    if (recent.error !== undefined) {
      this.record(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${schedule} : ${recent.error}`);
      return { updateStatus: update };
    }
    const next = (): SyncOutcome => {
      const delay = nextScheduleDelay(cj, nowMs, sched);
      return { updateStatus: update, ...(delay !== undefined ? { requeueMs: delay } : {}) };
    };
    const scheduled = recent.mostRecent;
    if (scheduled === undefined || scheduled > nowMs) return next();
    if (recent.missed === 'many')
      this.record(
        cj,
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );

    const deadline = cj.spec?.startingDeadlineSeconds;
    if (typeof deadline === 'number' && scheduled + deadline * 1000 < nowMs) {
      this.record(
        cj,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`,
      );
      return next();
    }
    const name = jobName(cj, scheduled);
    const lastScheduled = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
    if (
      (cj.status?.active ?? []).some((r) => r.name === name) ||
      lastScheduled === Math.floor(scheduled / 1000) * 1000
    )
      return next();
    if (cj.spec?.concurrencyPolicy === 'Forbid' && (cj.status?.active ?? []).length > 0) {
      this.record(
        cj,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return next();
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let job: JobObject;
        try {
          job = await this.client.resource<JobObject>(JOBS, ref.namespace).get(ref.name ?? '');
        } catch (err) {
          this.record(cj, 'Warning', 'FailedGet', `Get job: ${message(err)}`);
          return fail(err);
        }
        if (!(await this.deleteJob(cj, job)))
          return fail(
            new Error(`could not replace job ${job.metadata.namespace ?? ''}/${job.metadata.name ?? ''}`),
          );
        update = true;
      }
    }

    const request = jobFromTemplate(cj, scheduled);
    let created: JobObject;
    let existed = false;
    try {
      created = await jobsApi.create(request);
    } catch (err) {
      if (
        err instanceof ApiError &&
        (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
      )
        return fail(err);
      if (!isAlreadyExists(err)) {
        this.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${message(err)}`);
        return fail(err);
      }
      // Created earlier, but the status write that should have recorded it failed.
      existed = true;
      try {
        created = await jobsApi.get(request.metadata.name ?? '');
      } catch (e) {
        return fail(e);
      }
      if (controllerOf(created)?.uid !== cj.metadata.uid) return { updateStatus: update };
      if (this.inActive(cj, created.metadata.uid)) return { updateStatus: update };
    }
    if (existed) this.log.info({ cronjob: objectKey(cj), job: name }, 'job already exists');
    else this.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name ?? ''}`);
    const status = (cj.status ??= {});
    status.active = [...(status.active ?? []), jobRef(created)];
    status.lastScheduleTime = rfc3339(new Date(scheduled));
    update = true;
    return next();
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function rfc1123z(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()] ?? ''}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

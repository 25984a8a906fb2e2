/**
 * batch/v1 Jobs (STATUS, COMPLETIONS, DURATION) and CronJobs (SCHEDULE, TIMEZONE, SUSPEND, ACTIVE,
 * LAST SCHEDULE).
 */
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../meta.js';
import {
  AGE,
  CONTAINERS,
  IMAGES,
  NAME,
  ageOf,
  column,
  containerCells,
  nameOf,
  printer,
  view,
  wide,
} from './columns.js';
import { humanDuration, parseTime, since } from './duration.js';
import { formatLabelSelector } from './selectors.js';
import type { Cell } from './types.js';

const SELECTOR = wide('Selector', 'string', 'Label selector of the pods of the job.');

/** Whether the first condition of `type` is true. */
function hasCondition(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/** `Complete`, `Failed`, `Terminating`, `Suspended`, `FailureTarget` or `Running`. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (hasCondition(conditions, 'Complete')) return 'Complete';
  if (hasCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conditions, 'Suspended')) return 'Suspended';
  if (hasCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** `succeeded/completions`, or `succeeded/1 of parallelism` for a work queue job. */
function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const total = job.spec?.completions;
  if (total !== undefined && total !== null) return `${succeeded}/${total}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Time from start to completion, or to now while the job runs; empty before it starts. */
function duration(job: Job, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  if (end === undefined) return since(job.status?.startTime, now);
  return humanDuration(end - start);
}

function jobCells(obj: KubeObject, now: Date): Cell[] {
  const job = view<Job>(obj);
  const [names, images] = containerCells(job.spec?.template?.spec?.containers);
  return [
    nameOf(obj),
    jobStatus(job),
    completions(job),
    duration(job, now),
    ageOf(obj, now),
    names,
    images,
    formatLabelSelector(job.spec?.selector),
  ];
}

/** batch/v1 Job. */
export const jobPrinter = printer(
  [
    NAME,
    column('Status', 'string', 'Where the job stands: Running, Complete, Failed, Suspended …'),
    column('Completions', 'string', 'Succeeded pods out of the completions wanted.'),
    column('Duration', 'string', 'How long the job ran, or has been running.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  jobCells,
);

/** `True`, `False`, or `<unset>` for a missing flag. */
function boolText(value: boolean | undefined | null): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

function cronJobCells(obj: KubeObject, now: Date): Cell[] {
  const cj = view<CronJob>(obj);
  const jobSpec = cj.spec?.jobTemplate?.spec;
  const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
  const last = cj.status?.lastScheduleTime;
  return [
    nameOf(obj),
    cj.spec?.schedule ?? '',
    cj.spec?.timeZone ?? '<none>',
    boolText(cj.spec?.suspend),
    cj.status?.active?.length ?? 0,
    last ? since(last, now) : '<none>',
    ageOf(obj, now),
    names,
    images,
    formatLabelSelector(jobSpec?.selector),
  ];
}

/** batch/v1 CronJob. */
export const cronJobPrinter = printer(
  [
    NAME,
    column('Schedule', 'string', 'When jobs run, in cron syntax.'),
    column('Timezone', 'string', 'The time zone the schedule is read in.'),
    column('Suspend', 'boolean', 'Whether new runs are held back.'),
    column('Active', 'integer', 'Number of jobs of the cron job that are running.'),
    column('Last Schedule', 'string', 'How long ago a job was last scheduled.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cronJobCells,
);

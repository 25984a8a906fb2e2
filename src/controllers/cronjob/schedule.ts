/**
 * CronJob time arithmetic as upstream's controller does it: the most recent unmet schedule time
 * (with startingDeadlineSeconds, and a rough count of missed times so a controller that was down
 * for a long while does not walk years of minutes), the delay until the next one, and the Job a
 * schedule time produces.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { parseStandardSchedule, type CronSchedule } from '../../api/batch/cron.js';
import { isKnownTimeZone, offsetAt } from '../../api/batch/timezone.js';
import type { ApiObject } from '../../client/types.js';
import { controllerRef } from '../framework/pods.js';

/** Annotation on a CronJob's Job with its scheduled time (RFC 3339, in the CronJob's zone). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** Padding added to each requeue so clock skew never makes the controller wake early (ms). */
export const NEXT_SCHEDULE_DELTA_MS = 100;

/** More missed start times than this earn a TooManyMissedTimes warning. */
export const MANY_MISSED = 100;

/** A CronJob as the API returns it. */
export type CronJobObject = CronJob & ApiObject;

/** How many start times were missed since the last one. */
export type Missed = 'none' | 'few' | 'many';

/** The schedule string handed to the parser: the spec's, with `TZ=<timeZone>` when a valid zone is set. */
export function formatSchedule(cj: CronJob): string {
  const schedule = cj.spec?.schedule ?? '';
  if (schedule.includes('TZ')) return schedule;
  const tz = cj.spec?.timeZone;
  if (tz !== undefined && tz !== null && (isKnownTimeZone(tz) || tz === 'UTC')) return `TZ=${tz} ${schedule}`;
  return schedule;
}

/** Parses the CronJob's schedule (throws CronParseError); schedules without a zone use `defaultZone`. */
export function parseCronJobSchedule(cj: CronJob, defaultZone?: string): CronSchedule {
  return parseStandardSchedule(formatSchedule(cj), defaultZone);
}

function ms(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isFinite(v) ? v : undefined;
}

/** Result of {@link mostRecentScheduleTime}. */
export interface RecentSchedule {
  /** The last schedule time, or the creation time (ms). */
  earliest: number;
  /** The latest schedule time not after now, if one was missed since `earliest`. */
  mostRecent: number | undefined;
  missed: Missed;
  /** A schedule that never fires or fires twice in the same second. */
  error?: string;
}

const NEVER = 'time difference between two schedules is less than 1 second';

/**
 * The latest schedule time at or before `now` since the last schedule time (or creation), and how
 * many were missed. With `withDeadline`, times older than startingDeadlineSeconds are ignored.
 */
export function mostRecentScheduleTime(
  cj: CronJob,
  now: number,
  schedule: CronSchedule,
  withDeadline: boolean,
): RecentSchedule {
  let earliest = ms(cj.status?.lastScheduleTime) ?? ms(cj.metadata?.creationTimestamp) ?? now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (withDeadline && typeof deadline === 'number') {
    const limit = now - deadline * 1000;
    if (limit > earliest) earliest = limit;
  }
  const t1 = schedule.next(new Date(earliest))?.getTime();
  const t2 = t1 === undefined ? undefined : schedule.next(new Date(t1))?.getTime();
  if (t1 !== undefined && now < t1) return { earliest, mostRecent: undefined, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  if (t1 === undefined || t2 === undefined || Math.round((t2 - t1) / 1000) < 1)
    return { earliest, mostRecent: undefined, missed: 'none', error: NEVER };
  // A rough count of missed times (the interval between the first two), then the exact latest one
  // found by walking from just before the estimate.
  const between = Math.round((t2 - t1) / 1000);
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  let t = schedule.next(new Date(t1 + (missedCount - 2) * between * 1000))?.getTime();
  let mostRecent: number | undefined;
  while (t !== undefined && t <= now) {
    mostRecent = t;
    t = schedule.next(new Date(t))?.getTime();
  }
  const missed: Missed = missedCount > MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** Delay (ms) until the sync after the next schedule time, or undefined when it never fires. */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: CronSchedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let from: number;
  if (r.error !== undefined) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = schedule.next(new Date(from))?.getTime();
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: one name per schedule time. */
export function jobName(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata?.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** RFC 3339 at second precision in `zone` (`Z` for UTC, else the zone's offset). */
export function rfc3339InZone(t: number, zone: string | undefined): string {
  const offset = zone && zone !== 'UTC' ? offsetAt(t, zone) : 0;
  const local = new Date(t + offset);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (offset === 0) return `${date}T${time}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offset / 60_000));
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The Job a CronJob starts for `scheduledMs`: its template, deterministic name, owner and annotation. */
export function jobFromTemplate(cj: CronJobObject, scheduledMs: number): Job & ApiObject {
  const template = structuredClone(cj.spec?.jobTemplate ?? {});
  const annotations = { ...(template.metadata?.annotations ?? {}) };
  annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = rfc3339InZone(scheduledMs, cj.spec?.timeZone ?? undefined);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj, scheduledMs),
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [controllerRef({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: cj.metadata })],
    },
    ...(template.spec ? { spec: template.spec } : {}),
  };
}

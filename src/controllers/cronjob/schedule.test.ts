import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { describe, expect, it } from 'vitest';
import { rfc1123z } from './controller.js';
import {
  formatSchedule,
  jobName,
  mostRecentScheduleTime,
  nextScheduleDelay,
  parseCronJobSchedule,
  rfc3339InZone,
} from './schedule.js';

const at = (iso: string): number => Date.parse(iso);

function cj(schedule: string, extra: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    metadata: { name: 'c', creationTimestamp: '2026-03-01T10:00:00Z' },
    spec: { schedule, jobTemplate: {}, ...extra },
    status,
  };
}

describe('mostRecentScheduleTime', () => {
  const hourly = parseCronJobSchedule(cj('0 * * * *'), 'UTC');

  it('finds nothing before the first time, then the latest time passed', () => {
    expect(mostRecentScheduleTime(cj('0 * * * *'), at('2026-03-01T10:59:00Z'), hourly, true)).toMatchObject({
      mostRecent: undefined,
      missed: 'none',
    });
    expect(mostRecentScheduleTime(cj('0 * * * *'), at('2026-03-01T11:30:00Z'), hourly, true)).toMatchObject({
      mostRecent: at('2026-03-01T11:00:00Z'),
      missed: 'none',
    });
    expect(mostRecentScheduleTime(cj('0 * * * *'), at('2026-03-01T15:30:00Z'), hourly, true)).toMatchObject({
      mostRecent: at('2026-03-01T15:00:00Z'),
      missed: 'few',
    });
  });

  it('counts from lastScheduleTime and honours startingDeadlineSeconds', () => {
    const c = cj('0 * * * *', { startingDeadlineSeconds: 600 }, { lastScheduleTime: '2026-03-01T14:00:00Z' });
    expect(mostRecentScheduleTime(c, at('2026-03-01T15:05:00Z'), hourly, true).mostRecent).toBe(
      at('2026-03-01T15:00:00Z'),
    );
    expect(mostRecentScheduleTime(c, at('2026-03-01T15:20:00Z'), hourly, true).mostRecent).toBeUndefined();
    expect(mostRecentScheduleTime(c, at('2026-03-01T15:20:00Z'), hourly, false).mostRecent).toBe(
      at('2026-03-01T15:00:00Z'),
    );
  });

  it('says "many" past 100 missed times, and errors for a schedule that never fires', () => {
    const minutely = parseCronJobSchedule(cj('* * * * *'), 'UTC');
    const r = mostRecentScheduleTime(cj('* * * * *'), at('2026-03-01T12:00:30Z'), minutely, false);
    expect(r).toMatchObject({ mostRecent: at('2026-03-01T12:00:00Z'), missed: 'many' });
    const never = parseCronJobSchedule(cj('0 0 30 2 *'), 'UTC');
    expect(mostRecentScheduleTime(cj('0 0 30 2 *'), at('2026-03-02T00:00:00Z'), never, false).error).toBe(
      'time difference between two schedules is less than 1 second',
    );
  });
});

describe('nextScheduleDelay', () => {
  it('is the time to the next schedule time plus 100 ms', () => {
    const c = cj('*/15 * * * *');
    const s = parseCronJobSchedule(c, 'UTC');
    expect(nextScheduleDelay(c, at('2026-03-01T10:00:00Z'), s)).toBe(15 * 60_000 + 100);
    expect(nextScheduleDelay(c, at('2026-03-01T10:14:00Z'), s)).toBe(60_000 + 100);
    // Missed times: from now.
    expect(nextScheduleDelay(c, at('2026-03-01T11:01:00Z'), s)).toBe(14 * 60_000 + 100);
  });
});

describe('names, zones and formats', () => {
  it('names Jobs by the scheduled minute', () => {
    expect(jobName(cj('* * * * *'), at('2026-03-01T10:05:00Z'))).toBe('c-29539325');
  });

  it('puts a valid timeZone in front of the schedule, leaving TZ= schedules alone', () => {
    expect(formatSchedule(cj('0 9 * * *', { timeZone: 'Asia/Tokyo' }))).toBe('TZ=Asia/Tokyo 0 9 * * *');
    expect(formatSchedule(cj('TZ=UTC 0 9 * * *'))).toBe('TZ=UTC 0 9 * * *');
    expect(formatSchedule(cj('0 9 * * *', { timeZone: 'Mars/Base' }))).toBe('0 9 * * *');
  });

  it('formats times as RFC 3339 in a zone and as Go RFC1123Z', () => {
    expect(rfc3339InZone(at('2026-07-01T10:00:00Z'), 'America/New_York')).toBe('2026-07-01T06:00:00-04:00');
    expect(rfc3339InZone(at('2026-07-01T10:00:00Z'), 'Asia/Kathmandu')).toBe('2026-07-01T15:45:00+05:45');
    expect(rfc3339InZone(at('2026-07-01T10:00:00Z'), undefined)).toBe('2026-07-01T10:00:00Z');
    expect(rfc1123z(at('2026-03-01T10:05:00Z'))).toBe('Sun, 01 Mar 2026 10:05:00 +0000');
  });
});

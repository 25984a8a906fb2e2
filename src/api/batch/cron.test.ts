import { describe, expect, it } from 'vitest';
import { nextScheduleTime, parseGoDuration, scheduleError } from './cron.js';
import { fromWallClock, isKnownTimeZone, wallClock } from './timezone.js';

const next = (schedule: string, after: string, tz = 'UTC'): string | undefined =>
  nextScheduleTime(schedule, tz, new Date(after))?.toISOString();

describe('cron schedules', () => {
  it('steps, ranges and lists', () => {
    expect(next('*/15 * * * *', '2025-01-01T00:07:30Z')).toBe('2025-01-01T00:15:00.000Z');
    expect(next('*/15 * * * *', '2025-01-01T00:15:00Z')).toBe('2025-01-01T00:30:00.000Z');
    expect(next('5,10 3-4 * * *', '2025-01-01T03:11:00Z')).toBe('2025-01-01T04:05:00.000Z');
    expect(next('0 0 1 jan,JUL *', '2025-02-01T00:00:00Z')).toBe('2025-07-01T00:00:00.000Z');
  });

  it('matches day-of-month or day-of-week when both are restricted', () => {
    // 2025-06-13 is a Friday; 2025-06-06 is the Friday before.
    expect(next('0 0 13 * 5', '2025-06-01T00:00:00Z')).toBe('2025-06-06T00:00:00.000Z');
    expect(next('0 0 13 * *', '2025-06-01T00:00:00Z')).toBe('2025-06-13T00:00:00.000Z');
    expect(next('0 12 * * sun', '2025-06-01T12:00:00Z')).toBe('2025-06-08T12:00:00.000Z');
  });

  it('descriptors and @every', () => {
    expect(next('@hourly', '2025-01-01T10:15:00Z')).toBe('2025-01-01T11:00:00.000Z');
    expect(next('@daily', '2025-01-01T10:15:00Z')).toBe('2025-01-02T00:00:00.000Z');
    expect(next('@weekly', '2025-01-01T10:15:00Z')).toBe('2025-01-05T00:00:00.000Z');
    expect(next('@monthly', '2025-01-31T10:15:00Z')).toBe('2025-02-01T00:00:00.000Z');
    expect(next('@yearly', '2025-01-31T10:15:00Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(next('@every 1h30m', '2025-01-01T10:15:00.500Z')).toBe('2025-01-01T11:45:00.000Z');
  });

  it('never-firing schedules give no time', () => {
    expect(next('0 0 30 2 *', '2025-01-01T00:00:00Z')).toBeUndefined();
  });

  it('uses the time zone, skipping a wall-clock time that does not exist', () => {
    // Weekdays at 09:00 in New York, across the March 2025 DST change.
    expect(next('0 9 * * 1-5', '2025-03-08T12:00:00Z', 'America/New_York')).toBe('2025-03-10T13:00:00.000Z');
    expect(next('0 9 * * 1-5', '2025-03-07T12:00:00Z', 'America/New_York')).toBe('2025-03-07T14:00:00.000Z');
    // 02:30 does not exist on 2025-03-09 in New York.
    expect(next('30 2 * * *', '2025-03-09T05:00:00Z', 'America/New_York')).toBe('2025-03-10T06:30:00.000Z');
    expect(next('0 0 * * *', '2025-06-01T12:00:00Z', 'Asia/Tokyo')).toBe('2025-06-01T15:00:00.000Z');
  });

  it('reports parse errors like upstream', () => {
    expect(scheduleError('* * * * *')).toBeUndefined();
    expect(scheduleError('bad')).toBe('expected exactly 5 fields, found 1: [bad]');
    expect(scheduleError('60 * * * *')).toBe('end of range (60) above maximum (59): 60');
    expect(scheduleError('* * * * 7')).toBe('end of range (7) above maximum (6): 7');
    expect(scheduleError('* * 0 * *')).toBe('beginning of range (0) below minimum (1): 0');
    expect(scheduleError('@foo')).toBe('unrecognized descriptor: @foo');
    expect(scheduleError('a * * * *')).toBe(
      'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax',
    );
    expect(scheduleError('5-1 * * * *')).toBe('beginning of range (5) beyond end of range (1): 5-1');
    expect(scheduleError('*/0 * * * *')).toBe('step of range should be a positive number: */0');
    expect(scheduleError('1-2-3 * * * *')).toBe('too many hyphens: 1-2-3');
    expect(scheduleError('1/2/3 * * * *')).toBe('too many slashes: 1/2/3');
    expect(scheduleError('@every x')).toBe('failed to parse duration @every x: time: invalid duration "x"');
    expect(scheduleError('TZ=Nowhere/City * * * * *')).toBe(
      'provided bad location Nowhere/City: unknown time zone Nowhere/City',
    );
  });
});

describe('time zone helpers', () => {
  it('knows IANA names by their exact spelling', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('europe/berlin')).toBe(false);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
  it('converts wall clocks both ways', () => {
    const t = fromWallClock('Europe/Berlin', 2025, 7, 1, 12, 0, 0);
    expect(new Date(t).toISOString()).toBe('2025-07-01T10:00:00.000Z');
    expect(wallClock(t, 'Europe/Berlin')).toMatchObject({
      year: 2025,
      month: 7,
      day: 1,
      hour: 12,
      weekday: 2,
    });
    // Month 13 carries into the next year.
    expect(new Date(fromWallClock('UTC', 2025, 13, 1)).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5400e9);
    expect(parseGoDuration('1.5s')).toBe(1.5e9);
    expect(parseGoDuration('10')).toBeUndefined();
  });
});

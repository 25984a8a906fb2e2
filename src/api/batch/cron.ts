/**
 * CronJob schedules with the semantics of the parser Kubernetes uses (robfig/cron v3's standard
 * parser): five fields (minute hour day-of-month month day-of-week), names for months and days,
 * `*`, `?`, ranges, lists and steps, the descriptors @yearly … @hourly and `@every <duration>`,
 * and an optional `TZ=`/`CRON_TZ=` prefix. Parse errors carry that parser's messages, which the
 * API server shows to users.
 */
import { fromWallClock, isKnownTimeZone, localTimeZone, wallClock } from './timezone.js';

/** A schedule's parse failure, worded like upstream's parser. */
export class CronParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronParseError';
  }
}

/** One field's allowed values (bit i set ⇒ value i), and whether it was written as `*` or `?`. */
interface FieldSet {
  values: Set<number>;
  star: boolean;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** A parsed schedule: the next activation strictly after a time, or undefined when none within five years. */
export interface CronSchedule {
  next(after: Date): Date | undefined;
}

const MAX_INT64 = 9223372036854775807n;

function atoi(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) {
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  }
  const big = BigInt(expr);
  if (big > MAX_INT64 || big < -MAX_INT64 - 1n) {
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  }
  const n = Number(big);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? atoi(expr);
}

function parseRange(expr: string, b: Bounds, into: FieldSet): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0] ?? '', b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1] ?? '', b.names);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step: number;
  if (rangeAndStep.length === 1) step = 1;
  else if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1] ?? '');
    if (single) end = b.max;
    if (step > 1) star = false;
  } else throw new CronParseError(`too many slashes: ${expr}`);
  if (start < b.min)
    throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  if (star) into.star = true;
}

function parseField(field: string, b: Bounds): FieldSet {
  const set: FieldSet = { values: new Set(), star: false };
  for (const expr of field.split(',').filter((e) => e !== '')) parseRange(expr, b, set);
  return set;
}

function all(b: Bounds, star: boolean): FieldSet {
  const values = new Set<number>();
  for (let v = b.min; v <= b.max; v++) values.add(v);
  return { values, star };
}

function only(v: number): FieldSet {
  return { values: new Set([v]), star: false };
}

interface Spec {
  second: FieldSet;
  minute: FieldSet;
  hour: FieldSet;
  dom: FieldSet;
  month: FieldSet;
  dow: FieldSet;
}

function descriptor(d: string): Spec | number {
  switch (d) {
    case '@yearly':
    case '@annually':
      return {
        second: only(0),
        minute: only(0),
        hour: only(0),
        dom: only(1),
        month: only(1),
        dow: all(DOW, true),
      };
    case '@monthly':
      return {
        second: only(0),
        minute: only(0),
        hour: only(0),
        dom: only(1),
        month: all(MONTHS, true),
        dow: all(DOW, true),
      };
    case '@weekly':
      return {
        second: only(0),
        minute: only(0),
        hour: only(0),
        dom: all(DOM, true),
        month: all(MONTHS, true),
        dow: only(0),
      };
    case '@daily':
    case '@midnight':
      return {
        second: only(0),
        minute: only(0),
        hour: only(0),
        dom: all(DOM, true),
        month: all(MONTHS, true),
        dow: all(DOW, true),
      };
    case '@hourly':
      return {
        second: only(0),
        minute: only(0),
        hour: all(HOURS, true),
        dom: all(DOM, true),
        month: all(MONTHS, true),
        dow: all(DOW, true),
      };
    default:
  }
  const every = '@every ';
  if (d.startsWith(every)) {
    const text = d.slice(every.length);
    const ns = parseGoDuration(text);
    if (ns === undefined) {
      throw new CronParseError(
        `failed to parse duration ${d}: time: invalid duration ${JSON.stringify(text)}`,
      );
    }
    return ns;
  }
  throw new CronParseError(`unrecognized descriptor: ${d}`);
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in nanoseconds; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[m[3] ?? ''] ?? 0;
    total += Number(m[1] || '0') * unit;
    if (m[2]) total += Number(`0.${m[2]}`) * unit;
    s = s.slice(m[0].length);
  }
  return sign * Math.floor(total);
}

function dayMatches(s: Spec, w: { day: number; weekday: number }): boolean {
  const domMatch = s.dom.values.has(w.day);
  const dowMatch = s.dow.values.has(w.weekday);
  if (s.dom.star || s.dow.star) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The robfig/cron SpecSchedule.Next walk, on instants with wall clocks read in `zone`. */
function nextSpec(s: Spec, zone: string, afterMs: number): number | undefined {
  // Start at the next whole second.
  let t = afterMs - (((afterMs % SECOND) + SECOND) % SECOND) + SECOND;
  let added = false;
  const yearLimit = wallClock(t, zone).year + 5;
  for (;;) {
    let w = wallClock(t, zone);
    if (w.year > yearLimit) return undefined;
    let wrap = false;
    while (!s.month.values.has(w.month)) {
      if (!added) {
        added = true;
        t = fromWallClock(zone, w.year, w.month, 1);
        w = wallClock(t, zone);
      }
      t = fromWallClock(zone, w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
      w = wallClock(t, zone);
      if (w.month === 1) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!dayMatches(s, w)) {
      if (!added) {
        added = true;
        t = fromWallClock(zone, w.year, w.month, w.day);
        w = wallClock(t, zone);
      }
      t = fromWallClock(zone, w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
      w = wallClock(t, zone);
      // Midnight may not exist on a DST change day: move back to the day's start.
      if (w.hour !== 0) {
        t += w.hour > 12 ? (24 - w.hour) * HOUR : -w.hour * HOUR;
        w = wallClock(t, zone);
      }
      if (w.day === 1) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!s.hour.values.has(w.hour)) {
      if (!added) {
        added = true;
        t = fromWallClock(zone, w.year, w.month, w.day, w.hour);
      }
      t += HOUR;
      w = wallClock(t, zone);
      if (w.hour === 0) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!s.minute.values.has(w.minute)) {
      if (!added) {
        added = true;
        t -= ((t % MINUTE) + MINUTE) % MINUTE;
      }
      t += MINUTE;
      w = wallClock(t, zone);
      if (w.minute === 0) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    while (!s.second.values.has(w.second)) {
      if (!added) {
        added = true;
        t -= ((t % SECOND) + SECOND) % SECOND;
      }
      t += SECOND;
      w = wallClock(t, zone);
      if (w.second === 0) {
        wrap = true;
        break;
      }
    }
    if (wrap) continue;
    return t;
  }
}

/**
 * Parses a schedule as Kubernetes' CronJob validation does (robfig/cron ParseStandard). A
 * `TZ=`/`CRON_TZ=` prefix selects the zone; otherwise `defaultZone` (the process's zone when omitted).
 */
export function parseStandardSchedule(schedule: string, defaultZone?: string): CronSchedule {
  if (schedule.length === 0) throw new CronParseError('empty spec string');
  let spec = schedule;
  let zone = defaultZone ?? localTimeZone();
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    if (!isKnownTimeZone(name) && name !== 'UTC' && name !== 'Local') {
      throw new CronParseError(`provided bad location ${name}: unknown time zone ${name}`);
    }
    zone = name === 'Local' ? localTimeZone() : name;
    spec = i < 0 ? '' : spec.slice(i).trim();
  }
  let parsed: Spec | number;
  if (spec.startsWith('@')) {
    parsed = descriptor(spec);
  } else {
    const fields = spec.split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 5) {
      throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    }
    const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
    parsed = {
      second: only(0),
      minute: parseField(minute, MINUTES),
      hour: parseField(hour, HOURS),
      dom: parseField(dom, DOM),
      month: parseField(month, MONTHS),
      dow: parseField(dow, DOW),
    };
  }
  if (typeof parsed === 'number') {
    const delayMs = Math.max(SECOND, Math.floor(Math.max(parsed, 1e9) / 1e9) * SECOND);
    return {
      next: (after) => new Date(after.getTime() - (((after.getTime() % SECOND) + SECOND) % SECOND) + delayMs),
    };
  }
  const spec_ = parsed;
  return {
    next: (after) => {
      const ms = nextSpec(spec_, zone, after.getTime());
      return ms === undefined ? undefined : new Date(ms);
    },
  };
}

/**
 * The first activation of `schedule` strictly after `after`, in `timeZone` (an IANA name; the
 * process's zone when omitted), as the CronJob controller computes it. Undefined when the schedule
 * never fires within five years (e.g. `0 0 30 2 *`). Throws CronParseError for a bad schedule.
 */
export function nextScheduleTime(
  schedule: string,
  timeZone: string | undefined,
  after: Date,
): Date | undefined {
  const spec = timeZone ? `TZ=${timeZone} ${schedule}` : schedule;
  return parseStandardSchedule(spec).next(after);
}

/** Only the parse: the error message upstream reports for `schedule`, or undefined when it parses. */
export function scheduleError(schedule: string): string | undefined {
  try {
    parseStandardSchedule(schedule, 'UTC');
    return undefined;
  } catch (e) {
    if (e instanceof CronParseError) return e.message;
    throw e;
  }
}

/** Re-exported for the CronJob validation. */
export { isKnownTimeZone };

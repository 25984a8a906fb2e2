/**
 * IANA time zones through the runtime's Intl data: whether a name is known, and wall-clock
 * conversion in both directions with Go's time.Date rules for skipped and repeated hours.
 */

/** A wall-clock reading in some zone; month is 1-12, weekday 0 (Sunday) to 6. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Whether `name` is a zone the runtime knows, spelled as the zone database spells it (Go loads
 * zone files by exact name, so "america/new_york" is unknown there).
 */
export function isKnownTimeZone(name: string): boolean {
  if (name === '' || name === 'Local') return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // Intl matches names case-insensitively; reject a spelling that differs only by case.
  return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
}

/** The zone the process runs in (Go's time.Local). */
export function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The wall clock at instant `ms` in `zone`. */
export function wallClock(ms: number, zone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  let bc = false;
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value);
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = WEEKDAYS[p.value] ?? 0;
        break;
      case 'era':
        bc = p.value === 'BC';
        break;
      default:
    }
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

/** The zone's UTC offset (ms) at instant `ms`. */
export function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant of a wall-clock time in `zone`, with out-of-range fields carried over (month 13 is
 * January next year) and Go's choice in gaps and overlaps: the offset in force just before the
 * transition.
 */
export function fromWallClock(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const wall = d.getTime();
  const first = offsetAt(wall, zone);
  if (first === 0) return wall;
  const utc = wall - first;
  const second_ = offsetAt(utc, zone);
  return wall - (second_ === first ? first : second_);
}

/**
 * Human-readable durations for AGE-like cells, with the same rounding and thresholds as upstream's
 * `HumanDuration` (about two or three significant figures: `59s`, `2m3s`, `10m`, `3h`, `2d3h`, `45d`,
 * `3y45d`), and the placeholders upstream prints for missing (`<unknown>`) or future (`<invalid>`) times.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Formats a duration given in milliseconds. Negative durations beyond one second are `<invalid>`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  // A clock a second ahead of ours still reads as "just now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/**
 * Milliseconds since the epoch for an RFC 3339 timestamp, or undefined when it is absent, unparsable
 * or Go's zero time (which upstream treats as "not set").
 */
export function parseTime(timestamp: string | null | undefined): number | undefined {
  if (timestamp === undefined || timestamp === null || timestamp === '') return undefined;
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return undefined;
  if (timestamp.startsWith('0001-01-01T00:00:00')) return undefined;
  return ms;
}

/** Time elapsed from `timestamp` to `now`, as an AGE cell: `<unknown>` when the time is not set. */
export function since(timestamp: string | null | undefined, now: Date): string {
  const ms = parseTime(timestamp);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now.getTime() - ms);
}

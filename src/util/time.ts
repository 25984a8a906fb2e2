/** Clocks and timestamps. Components take a Clock so tests control time. */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

let lastSecond = NaN;
let lastText = '';

/** RFC 3339 with second precision, as metav1.Time serialises: `2026-11-29T07:30:00Z`. */
export function rfc3339(d: Date): string {
  // Every write stamps the current second: format each second once.
  const second = Math.floor(d.getTime() / 1000);
  if (second === lastSecond) return lastText;
  const text = `${d.toISOString().slice(0, 19)}Z`;
  lastSecond = second;
  lastText = text;
  return text;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises. */
export function rfc3339Micro(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

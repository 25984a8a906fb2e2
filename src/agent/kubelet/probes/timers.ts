/** Timers the probe manager schedules with, injectable so tests control time. */

/** A one-shot timer source. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The process's timers (looked up at each call, so test fake timers apply). They do not keep the
 * process alive on their own.
 */
export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    if (typeof t === 'object' && t !== null && 'unref' in t && typeof t.unref === 'function') t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
};

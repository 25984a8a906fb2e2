/**
 * Timers and capped exponential backoff, injectable so informer tests run without real waiting.
 */

/** The timer functions a component uses; tests pass fakes they fire by hand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

/** Node's timers and `performance.now()`. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: callers check the signal). */
export function sleep(ms: number, timers: Timers, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const handle = timers.setTimeout(done, ms);
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      done();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Options of a {@link Backoff}. */
export interface BackoffOptions {
  /** First delay (default 800 ms). */
  initialMs?: number;
  /** Largest delay (default 30 s). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Adds up to this fraction of the delay at random (default 0; `random` decides). */
  jitter?: number;
  random?: () => number;
}

/** Delays that grow by `factor` on each failure up to `maxMs`, back to `initialMs` on reset. */
export class Backoff {
  private current: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0;
    this.random = opts.random ?? Math.random;
    this.current = this.initialMs;
  }

  /** The delay before the next attempt; the one after grows. */
  next(): number {
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    return Math.round(base + (this.jitter > 0 ? base * this.jitter * this.random() : 0));
  }

  reset(): void {
    this.current = this.initialMs;
  }
}

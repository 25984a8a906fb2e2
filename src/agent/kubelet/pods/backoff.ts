/**
 * Restart and image-pull back-off, as upstream's kubelet applies it: the first restart is
 * immediate, each later one waits twice as long (10 s, 20 s … up to 5 min), and a container that ran
 * long enough (10 min) starts over at the initial delay.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** A run at least this long resets the delay. */
  resetAfterMs?: number;
}

interface Entry {
  delayMs: number;
  /** When the failure that was last retried happened. */
  since: number;
  /** Which failure that was (a container ID), when known. */
  failure?: string;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.resetAfterMs = opts.resetAfterMs ?? 600_000;
  }

  /**
   * The delay still to wait (ms) before retrying after the failure at `failedAt`, or 0 when the retry
   * may go ahead now (no failure before it, or this failure was already retried).
   */
  remaining(key: string, failedAt: number, now: number, failure?: string): number {
    const e = this.entries.get(key);
    if (!e || (failure !== undefined ? e.failure === failure : e.since === failedAt)) return 0;
    return Math.max(0, failedAt + e.delayMs - now);
  }

  /** The delay a failure now has to wait (for messages: "back-off 20s …"). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? this.initialMs;
  }

  /**
   * Records the retry of the failure at `failedAt` after a run of `ranMs`: the next failure waits the
   * doubled delay, or the initial one after a long run or a long quiet period.
   */
  next(key: string, failedAt: number, ranMs = 0, failure?: string): void {
    const e = this.entries.get(key);
    if (e && (failure !== undefined ? e.failure === failure : e.since === failedAt)) return;
    const fresh = !e || ranMs >= this.resetAfterMs || failedAt - e.since > 2 * this.maxMs;
    this.entries.set(key, {
      delayMs: fresh ? this.initialMs : Math.min(this.maxMs, e.delayMs * 2),
      since: failedAt,
      ...(failure !== undefined ? { failure } : {}),
    });
  }

  /** Forgets keys that start with `prefix` (a pod that went away). */
  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** "10s", "1m20s", "5m0s": Go's duration format, as upstream's messages print back-off delays. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${s % 60}s`;
}

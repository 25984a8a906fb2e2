/**
 * A de-duplicating work queue with per-key exponential backoff: a key queued while waiting or being
 * processed is processed once more afterwards, never twice at the same time.
 */
import type { Timers } from '../client/backoff.js';
import type { Logger } from '../util/log.js';

export interface QueueOptions {
  /** Keys processed at once. */
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Timers of {@link WorkQueue.addAfter} and retries (default Node's; tests pass manual ones). */
  timers?: Timers;
}

const nodeTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { handle: unknown; at: number }>();
  private running = 0;
  private stopped = false;

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly log: Logger,
    private readonly opts: QueueOptions = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.pending.add(key);
    this.pump();
  }

  /**
   * Adds a key after a delay (polling for something outside the queue's control). A key already
   * waiting keeps the earlier of its two times.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const timers = this.opts.timers ?? nodeTimers;
    const at = timers.now() + delayMs;
    const waiting = this.timers.get(key);
    if (waiting) {
      if (waiting.at <= at) return;
      timers.clearTimeout(waiting.handle);
    }
    const handle = timers.setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { handle, at });
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (this.running < limit && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      this.process(key).then(
        () => {
          this.failures.delete(key);
          this.done(key);
        },
        (err: unknown) => {
          const n = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, n);
          const delay = Math.min(
            (this.opts.baseDelayMs ?? 100) * 2 ** (n - 1),
            this.opts.maxDelayMs ?? 30_000,
          );
          this.log.warn({ err, key, attempt: n, retryInMs: delay }, 'sync failed; retrying');
          this.done(key);
          this.addAfter(key, delay);
        },
      );
    }
  }

  private done(key: string): void {
    this.active.delete(key);
    this.running--;
    if (this.dirty.delete(key)) this.pending.add(key);
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    const timers = this.opts.timers ?? nodeTimers;
    for (const t of this.timers.values()) timers.clearTimeout(t.handle);
    this.timers.clear();
    this.pending.clear();
  }
}

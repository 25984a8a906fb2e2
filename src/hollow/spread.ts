/**
 * Periodic work for many nodes, spread evenly over the period: with 1,000 nodes and a 5 s interval,
 * one timer fires every ~50 ms and starts the few nodes whose turn came, instead of 1,000 timers
 * firing together. A node whose previous run is still in flight is skipped for that turn, and a
 * {@link Limiter} bounds the requests in flight.
 */
import { realTimers, type Timers } from '../client/backoff.js';
import type { Logger } from '../util/log.js';

/** At most `max` tasks at once; the others wait in order. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  get inFlight(): number {
    return this.running;
  }
}

/** Options of a {@link Spreader}. */
export interface SpreaderOptions {
  count: number;
  intervalMs: number;
  /** The work of node `index`; a rejection is logged. */
  run(index: number): Promise<void>;
  limiter: Limiter;
  log: Logger;
  /** What the work is, for logs (`lease renewal`). */
  what: string;
  timers?: Timers;
}

export class Spreader {
  private readonly busy: Uint8Array;
  private readonly timers: Timers;
  private cursor = 0;
  private startedAt = 0;
  private handle: unknown;
  private stopped = true;
  /** Turns skipped because the node's previous run was still in flight. */
  skipped = 0;
  /** Runs that failed. */
  failed = 0;

  constructor(private readonly o: SpreaderOptions) {
    this.busy = new Uint8Array(o.count);
    this.timers = o.timers ?? realTimers;
  }

  /** Starts; the first turn of node 0 comes one slot after now, node n-1's one interval later. */
  start(): void {
    if (!this.stopped || this.o.count === 0) return;
    this.stopped = false;
    this.startedAt = this.timers.now();
    this.cursor = 0;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** Runs node `index` now unless it is in flight (e.g. its status must be posted at once). */
  runNow(index: number): void {
    if (this.busy[index]) return;
    this.busy[index] = 1;
    this.o.limiter
      .run(() => this.o.run(index))
      .catch((err: unknown) => {
        this.failed++;
        this.o.log.warn({ err, index }, `${this.o.what} failed`);
      })
      .finally(() => {
        this.busy[index] = 0;
      });
  }

  private slotMs(): number {
    return this.o.intervalMs / this.o.count;
  }

  private schedule(): void {
    if (this.stopped) return;
    // Ticks of at least 20 ms: below that, several nodes share a tick.
    const tick = Math.max(20, Math.min(this.slotMs(), 1000));
    this.handle = this.timers.setTimeout(() => this.tick(), tick);
    (this.handle as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    if (this.stopped) return;
    const elapsed = this.timers.now() - this.startedAt;
    const target = Math.floor(elapsed / this.slotMs());
    // After a stall longer than a whole interval, run each node once, not once per missed turn.
    if (target - this.cursor > this.o.count) this.cursor = target - this.o.count;
    while (this.cursor < target) {
      const index = this.cursor % this.o.count;
      this.cursor++;
      if (this.busy[index]) {
        this.skipped++;
        continue;
      }
      this.runNow(index);
    }
    this.schedule();
  }
}

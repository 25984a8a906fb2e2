/**
 * A small de-duplicating key queue with bounded concurrency for the hollow nodes' pod work: a key
 * added while it waits is processed once; a key added while it is processed is processed once more
 * afterwards. A failed key is retried after a delay.
 */
import type { Logger } from '../util/log.js';

export class KeyQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly log: Logger,
    private readonly concurrency: number,
    private readonly retryMs = 1000,
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

  /** Adds `key` after `ms` (replacing an earlier timer for it). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.add(key);
      },
      Math.max(0, ms),
    );
    t.unref();
    this.timers.set(key, t);
  }

  /** Drops a pending timer of `key`. */
  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  /** Resolves when nothing is pending or running (timers aside). */
  idle(): Promise<void> {
    if (this.running === 0 && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    this.dirty.clear();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.pending.size > 0) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      this.process(key).then(
        () => this.done(key),
        (err: unknown) => {
          this.log.warn({ err, key, retryInMs: this.retryMs }, 'hollow pod sync failed; retrying');
          this.done(key);
          this.addAfter(key, this.retryMs);
        },
      );
    }
    if (this.running === 0 && this.pending.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private done(key: string): void {
    this.active.delete(key);
    this.running--;
    if (this.dirty.delete(key) && !this.stopped) this.pending.add(key);
    this.pump();
  }
}

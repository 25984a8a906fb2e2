/**
 * Timers that only fire when a test advances them: backoff and resync become assertions on the
 * delays asked for, with no real waiting.
 */
import type { Timers } from '../backoff.js';

interface Pending {
  id: number;
  at: number;
  ms: number;
  fn: () => void;
}

/** A virtual clock with timers. */
export class ManualTimers implements Timers {
  private time = 0;
  private seq = 0;
  private pending: Pending[] = [];
  /** Every delay ever requested, in order. */
  readonly requested: number[] = [];

  setTimeout(fn: () => void, ms: number): unknown {
    const p = { id: ++this.seq, at: this.time + ms, ms, fn };
    this.pending.push(p);
    this.requested.push(ms);
    return p.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  now(): number {
    return this.time;
  }

  /** Delays of the timers waiting to fire. */
  waiting(): number[] {
    return this.pending.map((p) => p.ms);
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = until;
  }

  /** Fires the earliest timer (moving time to it); false when none waits. */
  fireNext(): boolean {
    const next = [...this.pending].sort((a, b) => a.at - b.at || a.id - b.id)[0];
    if (!next) return false;
    this.advance(next.at - this.time);
    return true;
  }
}

/**
 * The scheduler's events go out through a bounded queue with a few writers, as upstream's event
 * broadcaster does (a queue of 1,000, events dropped when it is full): during a burst of thousands
 * of bindings, events never hold back scheduling, and the backlog cannot grow without bound. Drops
 * are counted and logged.
 */
import type { EventRecorder, EventTarget } from '../client/events.js';
import type { Logger } from '../util/log.js';

interface Pending {
  recorder: EventRecorder;
  target: EventTarget;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Upstream's maxQueuedEvents. */
export const MAX_QUEUED_EVENTS = 1000;

export class EventQueue {
  private readonly pending: Pending[] = [];
  private head = 0;
  private writing = 0;
  private idle: (() => void) | undefined;
  /** Events written and dropped so far. */
  written = 0;
  dropped = 0;

  constructor(
    private readonly log: Logger,
    private readonly writers = 4,
    private readonly limit = MAX_QUEUED_EVENTS,
  ) {}

  /** Queues an event; drops it when the queue is full. */
  record(
    recorder: EventRecorder,
    target: EventTarget,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void {
    if (this.pending.length - this.head >= this.limit) {
      if (this.dropped++ % 1000 === 0)
        this.log.warn({ dropped: this.dropped }, 'event queue full: dropping events');
      return;
    }
    this.pending.push({ recorder, target, type, reason, message });
    if (this.writing < this.writers) void this.drain();
  }

  private async drain(): Promise<void> {
    this.writing++;
    try {
      while (this.head < this.pending.length) {
        const e = this.pending[this.head] as Pending;
        this.pending[this.head] = undefined as unknown as Pending;
        this.head++;
        if (this.head > 1024 && this.head * 2 > this.pending.length) {
          this.pending.splice(0, this.head);
          this.head = 0;
        }
        await e.recorder.record(e.target, e.type, e.reason, e.message);
        this.written++;
      }
    } finally {
      this.writing--;
      if (this.writing === 0) {
        const w = this.idle;
        this.idle = undefined;
        w?.();
      }
    }
  }

  /** Resolves when every queued event is written (tests, shutdown). */
  flush(): Promise<void> {
    if (this.writing === 0 && this.head >= this.pending.length) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.idle;
      this.idle = () => {
        prev?.();
        resolve();
      };
    });
  }
}

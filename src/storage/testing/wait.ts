/** Bounded waits and watch recorders for storage tests. */
import type { Backend, WatchEvent, Watcher, WatchOptions } from '../backend.js';

/** Polls `check` until it returns true; fails after `timeoutMs` with `describe()` in the message. */
export async function waitFor(
  check: () => boolean,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A watch that records what it receives. */
export interface RecordedWatch {
  events: WatchEvent[];
  errors: Error[];
  /** How many onEvents calls there were. */
  batches: number;
  watcher: Watcher;
  /** Waits until at least `n` events arrived. */
  waitForEvents(n: number, timeoutMs?: number): Promise<WatchEvent[]>;
  /** Waits until onError was called. */
  waitForError(timeoutMs?: number): Promise<Error>;
}

/** Starts a watch that records its events and errors. */
export function recordWatch(
  backend: Backend,
  prefix: string,
  afterRevision: number,
  opts?: WatchOptions,
): RecordedWatch {
  const rec: Omit<RecordedWatch, 'watcher'> & { watcher?: Watcher } = {
    events: [],
    errors: [],
    batches: 0,
    async waitForEvents(n, timeoutMs) {
      await waitFor(
        () => rec.events.length >= n || rec.errors.length > 0,
        () => `${n} watch events on ${prefix}; got ${rec.events.length}: ${summarize(rec.events)}`,
        timeoutMs,
      );
      const err = rec.errors[0];
      if (err) throw new Error(`watch on ${prefix} failed: ${err.message}`, { cause: err });
      return rec.events;
    },
    async waitForError(timeoutMs) {
      await waitFor(
        () => rec.errors.length > 0,
        () => `a watch error on ${prefix}; got events ${summarize(rec.events)}`,
        timeoutMs,
      );
      const err = rec.errors[0];
      if (!err) throw new Error('unreachable');
      return err;
    },
  };
  rec.watcher = backend.watch(
    prefix,
    afterRevision,
    {
      onEvents(events) {
        rec.batches++;
        rec.events.push(...events);
      },
      onError(err) {
        rec.errors.push(err);
      },
    },
    opts,
  );
  return rec as RecordedWatch;
}

/** `put /k@12, delete /j@13` for failure messages. */
export function summarize(events: WatchEvent[]): string {
  const parts = events.slice(0, 20).map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`);
  if (events.length > 20) parts.push(`… ${events.length - 20} more`);
  return `[${parts.join(', ')}]`;
}

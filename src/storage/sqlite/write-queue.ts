/**
 * Group commit for the SQLite backend: every write requested during one event-loop turn waits in a
 * queue; at the end of the turn (a `setImmediate`) the queued writes are applied in order inside one
 * transaction, so they share one commit. Each write is still checked on its own (an expected failure
 * fails only that write), and every promise settles only after the commit.
 *
 * (Answering the writers of a large commit a slice per turn, so that clients would start their next
 * requests sooner, was tried: on the shared build VM it cost ~15% more CPU per create at 64 writers
 * — more, smaller socket writes on both sides — and gained no throughput.)
 */
import type { Applied, Store } from './store.js';

/** A write waiting for its commit, then for its answer. */
export interface PendingWrite {
  apply(store: Store): Applied<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** After the commit: whether it applied, and its result or the error that failed only this write. */
  ok: boolean;
  outcome: unknown;
}

/** Writes committed together. */
export class GroupCommitQueue {
  private queue: PendingWrite[] = [];
  private scheduled = false;

  constructor(
    /**
     * Applies a batch in one transaction, setting each write's `ok` and `outcome`; throws when the
     * transaction failed as a whole (then nothing of the batch was written).
     */
    private readonly commit: (batch: PendingWrite[]) => void,
    /** Most writes per transaction. */
    private readonly maxBatch: number,
  ) {}

  /** Queues a write; the promise settles after the commit that applies it. */
  enqueue<T>(apply: (store: Store) => Applied<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        apply,
        resolve: resolve as (value: unknown) => void,
        reject,
        ok: false,
        outcome: undefined,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.onTurn);
      }
    });
  }

  /** Commits and settles everything queued now (the backend is closing). */
  drain(): void {
    while (this.queue.length > 0) this.commitNext();
  }

  private readonly onTurn = (): void => {
    this.scheduled = false;
    this.commitNext();
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTurn);
    }
  };

  /** Commits up to maxBatch queued writes in one transaction, then settles them. */
  private commitNext(): void {
    if (this.queue.length === 0) return;
    const all = this.queue;
    const batch = all.length <= this.maxBatch ? all : all.slice(0, this.maxBatch);
    this.queue = all.length <= this.maxBatch ? [] : all.slice(this.maxBatch);
    try {
      this.commit(batch);
    } catch (err) {
      // The transaction rolled back: nothing in this batch was written.
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) {
      if (w.ok) w.resolve(w.outcome);
      else w.reject(w.outcome);
    }
  }
}

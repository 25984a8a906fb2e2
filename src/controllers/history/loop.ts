/**
 * The run loop the StatefulSet and DaemonSet controllers share: keys enqueued by informer handlers
 * before the caches have synced are held back, then the work queue runs until the signal aborts.
 */
import { untilAborted } from '../framework/manager.js';
import type { WorkQueue } from '../queue.js';
import type { InformerFactory } from '../framework/types.js';

/** A work queue that holds keys back until {@link GatedQueue.open}. */
export class GatedQueue {
  private opened = false;
  private readonly early = new Set<string>();

  constructor(private readonly queue: WorkQueue) {}

  add(key: string): void {
    if (this.opened) this.queue.add(key);
    else this.early.add(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.opened) this.queue.addAfter(key, ms);
    else this.early.add(key);
  }

  /** Lets the held keys and every later key through. */
  open(): void {
    this.opened = true;
    for (const key of this.early) this.queue.add(key);
    this.early.clear();
  }

  stop(): void {
    this.queue.stop();
  }
}

/** Waits for the caches, opens the queue, and resolves when `signal` aborts (stopping the queue). */
export async function runQueue(
  informers: InformerFactory,
  queue: GatedQueue,
  signal: AbortSignal,
  cleanups: (() => void)[],
): Promise<void> {
  try {
    if (signal.aborted) return;
    try {
      await informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    queue.open();
    await untilAborted(signal);
  } finally {
    queue.stop();
    for (const c of cleanups) c();
  }
}

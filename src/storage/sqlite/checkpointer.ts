/**
 * WAL checkpoints off the event loop.
 *
 * A checkpoint copies the pages of the WAL into the database file so that the next write can start
 * the WAL over. SQLite's automatic checkpoint runs inside the commit that crosses the threshold, on
 * the committing thread: for k8ts that was the event loop, stopped for 15–25 ms every ~4,000 pages
 * (measured with apiserver-write at 64 clients: ~20 such commits in a 7 s run, 38% of all the time
 * spent committing, and the source of the p99).
 *
 * Here the main connection does not checkpoint itself (`wal_autocheckpoint = 0`). After each
 * commit the backend reports how much it wrote ({@link WalCheckpointer.committed}); once about
 * {@link WAL_AUTOCHECKPOINT_PAGES} pages went into the WAL, a worker thread with a connection of
 * its own runs a PASSIVE checkpoint, which never blocks the writer. Commits made while it copies
 * stay in the WAL; when the worker is done the main connection checkpoints that short tail itself
 * (`finish`), so that the WAL is complete in the database file and the next commit restarts it.
 * The WAL therefore stays bounded as before (threshold + what arrives during one worker pass).
 *
 * Durability is unchanged: commits are made by the main connection exactly as before; a checkpoint
 * syncs the WAL before copying and the database file after, whichever connection runs it.
 *
 * The worker starts on the first checkpoint and ends after {@link IDLE_MS} without one (an idle
 * server keeps no thread and no second connection). If the worker cannot run, the main connection
 * goes back to checkpointing itself.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../util/log.js';
import { WAL_AUTOCHECKPOINT_PAGES, type SyncMode } from './schema.js';

/** Ends the worker after this long without a checkpoint. */
const IDLE_MS = 30_000;

/** What `PRAGMA wal_checkpoint` answers: frames in the WAL and frames copied into the file. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * The worker: plain JavaScript, run with `eval` so that it needs no file of its own (the same code
 * under vitest, tsx and dist/). One connection; one PASSIVE checkpoint per request.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
parentPort.on('message', (msg) => {
  if (msg === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let result;
  try {
    result = { ok: db.pragma('wal_checkpoint(PASSIVE)')[0] };
  } catch (err) {
    result = { error: String(err && err.message || err) };
  }
  parentPort.postMessage(result);
});
`;

type Reply = { ok: CheckpointResult } | { error: string };

/** Options of a {@link WalCheckpointer}. */
export interface CheckpointerOptions {
  file: string;
  synchronous: SyncMode;
  /**
   * Checkpoints the tail on the main connection (PASSIVE); also the fallback when the worker fails.
   * Runs synchronously on the caller's thread.
   */
  finish(): CheckpointResult;
  /** Makes the main connection checkpoint on its own again (the worker failed). */
  fallBack(): void;
  /** Estimated WAL pages between checkpoints (default {@link WAL_AUTOCHECKPOINT_PAGES}). */
  pages?: number;
  log: Logger;
}

/** Runs the WAL checkpoints of one database in a worker thread; see the module comment. */
export class WalCheckpointer {
  private worker: Worker | undefined;
  /** Settles when the current worker's thread has ended. */
  private exited: Promise<void> = Promise.resolve();
  private pending = 0;
  private running: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private failed = false;
  private closed = false;
  private readonly pages: number;
  /** Checkpoints the worker ran; times the main connection tried a whole one because it lagged. */
  readonly stats = { checkpoints: 0, mainCheckpoints: 0 };

  constructor(private readonly opts: CheckpointerOptions) {
    this.pages = opts.pages ?? WAL_AUTOCHECKPOINT_PAGES;
  }

  /**
   * After a commit of `writes` writes: counts the pages it likely added to the WAL (every commit
   * writes at least a table and an index leaf; a large group about one page per write) and starts
   * a checkpoint when they reach the threshold.
   */
  committed(writes: number): void {
    if (this.failed || this.closed) return;
    this.pending += writes + 2;
    if (this.pending < this.pages) return;
    if (!this.running) {
      this.running = this.run();
    } else if (this.pending >= 2 * this.pages) {
      // The worker is still starting, or writes outpace its copying: checkpoint here, as SQLite
      // would have. PASSIVE does not wait; while the worker holds the checkpoint it does nothing.
      const r = this.opts.finish();
      if (r.busy === 0 && r.checkpointed === r.log) this.pending = 0;
      this.stats.mainCheckpoints++;
    }
  }

  /** Resolves when no checkpoint runs (a TRUNCATE checkpoint on the main connection may follow). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Waits for a running checkpoint and ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.stopWorker();
  }

  private async run(): Promise<void> {
    this.pending = 0;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    try {
      const reply = await this.request();
      if ('error' in reply) throw new Error(reply.error);
      this.stats.checkpoints++;
      // Commits made while the worker copied are still only in the WAL (its answer counts the
      // frames as of its start): copy them now, so that the whole WAL is in the file and the next
      // commit starts it over.
      if (!this.closed) this.opts.finish();
    } catch (err) {
      this.fail(err);
    } finally {
      this.running = undefined;
      if (!this.failed && !this.closed) {
        this.idleTimer = setTimeout(() => void this.stopWorker(), IDLE_MS);
        this.idleTimer.unref();
      }
    }
  }

  private request(): Promise<Reply> {
    const worker = this.ensureWorker();
    return new Promise<Reply>((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`checkpoint worker exited (${code})`));
      const onError = (err: Error): void => reject(err);
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.once('message', (reply: Reply) => {
        worker.off('exit', onExit);
        worker.off('error', onError);
        worker.unref();
        resolve(reply);
      });
      // Keeps the process alive until the answer comes (the idle worker does not).
      worker.ref();
      worker.postMessage('checkpoint');
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.opts.file,
        synchronous: this.opts.synchronous,
      },
      // A thread that only runs SQLite: a small heap is plenty.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    // Errors after a request settled (none expected) must not be unhandled.
    worker.on('error', (err) => this.opts.log.warn({ err }, 'WAL checkpoint worker failed'));
    this.exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        if (this.worker === worker) this.worker = undefined;
        resolve();
      }),
    );
    this.worker = worker;
    return worker;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.ref();
    worker.postMessage('close');
    await this.exited;
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.opts.log.warn({ err }, 'WAL checkpoints go back to the main connection');
    this.opts.fallBack();
    void this.stopWorker().catch(() => undefined);
    if (!this.closed) this.opts.finish();
  }
}

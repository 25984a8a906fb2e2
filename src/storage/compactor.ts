/**
 * Periodic compaction of the store's history. Every interval (5 minutes by default) the compactor
 * compacts to the revision that was current at the previous tick, so at least one full interval of
 * history stays readable and watchable: a watcher that falls less than one interval behind can
 * always resume. This is the scheme of upstream's apiserver. The first compaction happens one
 * interval after start, to the revision current at start.
 *
 * The backend does the real work: SQLite deletes in small batches and then truncates its WAL; etcd
 * compacts and records `compact_rev_key`. Failures are logged with the revision and the next tick
 * tries again.
 */
import type { Backend } from './backend.js';
import { componentLogger, type Logger } from '../util/log.js';

/** The timer functions the compactor uses; tests pass fakes. */
export interface CompactorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link Compactor}. */
export interface CompactorOptions {
  backend: Backend;
  /** Time between compactions (default 5 minutes). */
  intervalMs?: number;
  timers?: CompactorTimers;
  logger?: Logger;
}

/** Node's timers, unref'd so a pending compaction never keeps the process alive. */
const realTimers: CompactorTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Compacts a backend on a fixed interval; see the file comment. */
export class Compactor {
  /** The default interval, as upstream's `--etcd-compaction-interval`. */
  static readonly DEFAULT_INTERVAL_MS = 5 * 60 * 1000;

  private readonly backend: Backend;
  private readonly intervalMs: number;
  private readonly timers: CompactorTimers;
  private readonly log: Logger;
  private timer: unknown;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  /** The revision that was current at the previous tick: the next compaction target. */
  private previous = 0;
  private compacted = 0;

  constructor(opts: CompactorOptions) {
    this.backend = opts.backend;
    this.intervalMs = opts.intervalMs ?? Compactor.DEFAULT_INTERVAL_MS;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.logger ?? componentLogger('compactor', { backend: opts.backend.name });
  }

  /** Notes the current revision and schedules the first tick. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    try {
      this.previous = await this.backend.currentRevision();
    } catch (err) {
      this.log.error(
        { err },
        'compactor could not read the current revision; first tick will only record it',
      );
    }
    this.schedule();
  }

  /** Cancels the next tick and waits for a running one to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Resolves when no tick is running. */
  whenIdle(): Promise<void> {
    return this.running;
  }

  /** One compaction round (what the timer runs); exposed for tests and for an on-demand compaction. */
  async tick(): Promise<void> {
    const target = this.previous;
    let current: number;
    try {
      current = await this.backend.currentRevision();
    } catch (err) {
      this.log.error({ err, target }, 'compactor could not read the current revision');
      return;
    }
    if (target > this.compacted) {
      const started = performance.now();
      try {
        await this.backend.compact(target);
        this.compacted = target;
        this.log.info(
          { revision: target, current, ms: Math.round(performance.now() - started) },
          'compacted store history',
        );
      } catch (err) {
        this.log.error({ err, revision: target, current }, 'compaction failed');
      }
    }
    this.previous = current;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick()
        .catch((err: unknown) => this.log.error({ err }, 'compactor tick failed'))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}

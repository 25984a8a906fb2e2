/**
 * In-process watch fan-out for the SQLite backend. Only this process writes the file, so every event
 * is known the moment its transaction commits: the backend hands committed events to {@link
 * WatchHub.publish} and no polling is needed. A watch that starts at an old revision first replays
 * history from the table in small batches (yielding between them) while live events queue up behind
 * it; then it drains that queue and goes live, so it sees every revision once, in order.
 */
import type { Watcher, WatchCallbacks, WatchEvent } from '../backend.js';
import { CompactedError } from '../backend.js';
import type { Logger } from '../../util/log.js';

/** Where replays read history from. */
export interface HistorySource {
  /** Events under `prefix` with `after < revision <= until`, at most `limit`, in revision order. */
  readEvents(prefix: string, after: number, until: number, limit: number): WatchEvent[];
  /** The newest committed revision. */
  currentRevision(): number;
  /** Rows at or below this revision may be gone. */
  compactRevision(): number;
}

/** Rows read per replay step before yielding to the event loop. */
const REPLAY_BATCH = 500;

class HubWatcher implements Watcher {
  state: 'replay' | 'live' | 'done' = 'replay';
  /** Everything up to this revision has been delivered (or did not match). */
  position: number;
  /** Live events that arrived while replaying; all are newer than `until`. */
  backlog: WatchEvent[] = [];

  constructor(
    readonly hub: WatchHub,
    readonly prefix: string,
    after: number,
    /** The replay covers revisions up to here; later ones arrive live. */
    readonly until: number,
    readonly callbacks: WatchCallbacks,
  ) {
    this.position = after;
  }

  cancel(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.backlog = [];
    this.hub.remove(this);
  }
}

/** The set of watches on one SQLite backend. */
export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();

  constructor(
    private readonly source: HistorySource,
    private readonly log: Logger,
  ) {}

  /** How many watches are open. */
  get size(): number {
    return this.watchers.size;
  }

  /** Starts a watch; see {@link Backend.watch}. Callbacks never run before this returns. */
  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watcher {
    const current = this.source.currentRevision();
    const w = new HubWatcher(this, prefix, afterRevision, Math.max(current, afterRevision), callbacks);
    this.watchers.add(w);
    if (afterRevision >= current) {
      w.state = 'live';
      return w;
    }
    setImmediate(() => this.replayStep(w));
    return w;
  }

  /** Fans committed events (in revision order) out to the watches whose prefix they match. */
  publish(events: WatchEvent[]): void {
    if (this.watchers.size === 0 || events.length === 0) return;
    for (const w of this.watchers) {
      let mine: WatchEvent[] | undefined;
      for (const ev of events) {
        if (ev.kv.modRevision > w.position && ev.kv.key.startsWith(w.prefix)) (mine ??= []).push(ev);
      }
      if (!mine) continue;
      if (w.state === 'live') this.deliver(w, mine);
      else if (w.state === 'replay') for (const ev of mine) w.backlog.push(ev);
    }
  }

  /** Ends every watch without calling back (the backend is closing). */
  closeAll(): void {
    for (const w of [...this.watchers]) w.cancel();
  }

  /** @internal Called by {@link HubWatcher.cancel}. */
  remove(w: HubWatcher): void {
    this.watchers.delete(w);
  }

  private replayStep(w: HubWatcher): void {
    if (w.state !== 'replay') return;
    try {
      const compacted = this.source.compactRevision();
      if (w.position < compacted) {
        this.fail(w, new CompactedError(w.position, compacted));
        return;
      }
      const batch = this.source.readEvents(w.prefix, w.position, w.until, REPLAY_BATCH);
      if (batch.length > 0) this.deliver(w, batch);
      if (batch.length === REPLAY_BATCH) {
        setImmediate(() => this.replayStep(w));
        return;
      }
    } catch (err) {
      this.log.error({ err, prefix: w.prefix, position: w.position }, 'watch replay failed');
      this.fail(w, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (w.state !== 'replay') return;
    w.position = Math.max(w.position, w.until);
    w.state = 'live';
    const backlog = w.backlog;
    w.backlog = [];
    if (backlog.length > 0) this.deliver(w, backlog);
  }

  private deliver(w: HubWatcher, events: WatchEvent[]): void {
    const last = events[events.length - 1];
    if (last) w.position = last.kv.modRevision;
    try {
      w.callbacks.onEvents(events);
    } catch (err) {
      this.log.error({ err, prefix: w.prefix }, 'watch onEvents callback threw');
    }
  }

  private fail(w: HubWatcher, err: Error): void {
    if (w.state === 'done') return;
    w.cancel();
    try {
      w.callbacks.onError(err);
    } catch (cbErr) {
      this.log.error({ err: cbErr, prefix: w.prefix }, 'watch onError callback threw');
    }
  }
}

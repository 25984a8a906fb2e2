/**
 * The watch cache of one storage resource: every current object, a window of recent events for
 * resuming watches, and the watchers to notify. Fed by the {@link CacheSet} from one store watch.
 */
import { CachedObject, TooOldError, type CacheEvent, type EventSink } from './types.js';

/** Events kept for resuming watches, per resource. */
export const DEFAULT_EVENT_WINDOW = 2048;

export interface CacheWatchOptions {
  /** Deliver events with rv greater than this. */
  afterRevision: number;
  /** When true, first deliver an ADDED event for every current object (at the current revision). */
  initialEvents: boolean;
  sink: EventSink;
}

export class ResourceCache {
  private objects = new Map<string, CachedObject>();
  private sorted: string[] | null = null;
  private readonly events: (CacheEvent | undefined)[];
  private eventStart = 0;
  private eventCount = 0;
  private readonly watchers = new Set<EventSink>();
  /** Every event with rv > this is in the window. */
  private resumableFrom = 0;
  /** Every change with rv ≤ this has been applied (the store-wide revision). */
  revision = 0;
  /** rv of the last change to this resource. */
  lastChange = 0;

  constructor(
    readonly prefix: string,
    readonly namespaced: boolean,
    private readonly window = DEFAULT_EVENT_WINDOW,
  ) {
    this.events = new Array<CacheEvent | undefined>(window);
  }

  /** Replaces the contents (initial list or relist) at `revision`, ending every watcher. */
  reset(objects: CachedObject[], revision: number): void {
    for (const w of this.watchers) w.close('cache reset');
    this.watchers.clear();
    this.objects = new Map(objects.map((o) => [o.key, o]));
    this.sorted = null;
    this.eventStart = 0;
    this.eventCount = 0;
    this.resumableFrom = revision;
    this.revision = revision;
    this.lastChange = objects.reduce((m, o) => Math.max(m, o.rv), 0);
  }

  /** Applies a change from the store and notifies watchers. */
  apply(ev: CacheEvent): void {
    if (ev.type === 'DELETED') {
      if (this.objects.delete(ev.object.key)) this.sorted = null;
    } else {
      if (!this.objects.has(ev.object.key)) this.sorted = null;
      this.objects.set(ev.object.key, ev.object);
    }
    this.push(ev);
    this.lastChange = ev.rv;
    if (ev.rv > this.revision) this.revision = ev.rv;
    for (const w of this.watchers) {
      if (!w.deliver(ev)) {
        this.watchers.delete(w);
        w.close('watcher too slow: its buffer overflowed');
      }
    }
  }

  /** Records store-wide progress with no change to this resource. */
  advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
  }

  private push(ev: CacheEvent): void {
    if (this.eventCount === this.window) {
      const dropped = this.events[this.eventStart];
      if (dropped) this.resumableFrom = dropped.rv;
      this.events[this.eventStart] = ev;
      this.eventStart = (this.eventStart + 1) % this.window;
    } else {
      this.events[(this.eventStart + this.eventCount) % this.window] = ev;
      this.eventCount++;
    }
  }

  get(key: string): CachedObject | undefined {
    return this.objects.get(key);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Objects in a namespace ('' for all), unordered. */
  *values(namespace = ''): IterableIterator<CachedObject> {
    if (!namespace) {
      yield* this.objects.values();
      return;
    }
    for (const o of this.objects.values()) if (o.namespace === namespace) yield o;
  }

  /** All keys in order (for pagination); recomputed only after adds and deletes. */
  sortedKeys(): readonly string[] {
    if (this.sorted === null) this.sorted = [...this.objects.keys()].sort(compareKeys);
    return this.sorted;
  }

  /** The oldest rv a watch can resume from. */
  get oldestResumable(): number {
    return this.resumableFrom;
  }

  /**
   * Starts a watcher: replays buffered events after `afterRevision` (or sends every current object
   * as ADDED), then delivers live events. Throws {@link TooOldError} when the window no longer
   * reaches back to `afterRevision`.
   */
  watch(opts: CacheWatchOptions): () => void {
    const { sink } = opts;
    if (opts.initialEvents) {
      for (const key of this.sortedKeys()) {
        const o = this.objects.get(key);
        if (o && !sink.deliver({ type: 'ADDED', rv: o.rv, object: o })) {
          sink.close('watcher too slow: its buffer overflowed');
          return () => undefined;
        }
      }
    } else {
      if (opts.afterRevision < this.resumableFrom)
        throw new TooOldError(opts.afterRevision, this.resumableFrom);
      for (let i = 0; i < this.eventCount; i++) {
        const ev = this.events[(this.eventStart + i) % this.window];
        if (ev && ev.rv > opts.afterRevision && !sink.deliver(ev)) {
          sink.close('watcher too slow: its buffer overflowed');
          return () => undefined;
        }
      }
    }
    this.watchers.add(sink);
    return () => {
      this.watchers.delete(sink);
    };
  }

  /** Ends every watcher (shutdown). */
  closeAll(reason: string): void {
    for (const w of this.watchers) w.close(reason);
    this.watchers.clear();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export { CachedObject };

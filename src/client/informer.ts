/**
 * Informers: a watch-fed cache of one collection. LIST (in pages), then WATCH from the list's
 * resourceVersion with bookmarks; a 410 (as an ERROR event or an HTTP answer) relists and turns the
 * difference into delete/update/add events; a broken stream re-watches from the last resourceVersion
 * after a capped exponential backoff. Handlers run synchronously, in registration order, in event
 * order.
 *
 * Objects handed to handlers and returned by `get`/`list`/`byIndex` are the cache's own: handlers
 * and callers must never mutate them (clone first, e.g. with `structuredClone`).
 */
import { ApiError } from '../api/errors.js';
import { componentLogger, type Logger } from '../util/log.js';
import { Backoff, realTimers, sleep, type BackoffOptions, type Timers } from './backoff.js';
import { errorFromWatchStatus } from './status.js';
import { IndexedStore } from './store.js';
import {
  objectKey,
  type ApiObject,
  type Client,
  type Informer,
  type InformerHandlers,
  type ObjectList,
  type ResourceRef,
  type WatchEvent,
} from './types.js';

/** Options of {@link createInformer}. */
export interface InformerOptions<T extends ApiObject = ApiObject> {
  /** Watch one namespace (default: all namespaces, or the cluster scope). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Replays every cached object as `update(obj, obj)` this often (default 0 = never). */
  resyncMs?: number;
  logger?: Logger;
  /** LIST page size (default 500; 0 = one unpaged LIST). */
  pageSize?: number;
  /** Backoff after failures (default 800 ms doubling to 30 s). */
  backoff?: BackoffOptions;
  /** Timers and clock (tests). */
  timers?: Timers;
  /** `timeoutSeconds` of each WATCH (default: random in [300, 600), as upstream spreads them). */
  watchTimeoutSeconds?: number;
  /** A watch that ends sooner than this without events counts as a failure (default 1 s). */
  minWatchMs?: number;
  /**
   * Applied to every object from a LIST or a watch event before it is cached or handed to handlers,
   * e.g. to keep only the fields a component reads (memory). It must keep `metadata.name`,
   * `metadata.namespace` and `metadata.resourceVersion`. It may change and return its argument.
   */
  transform?: (obj: T) => T;
}

/** A non-410 ERROR event: the stream's state is unknown, so the informer relists after a backoff. */
class WatchErrorEvent extends Error {
  constructor(readonly error: ApiError) {
    super(`watch ERROR event: ${error.message}`);
  }
}

function isGone(err: unknown): boolean {
  return err instanceof ApiError && err.code === 410;
}

function rvOf(obj: ApiObject | undefined): string | undefined {
  return obj?.metadata?.resourceVersion;
}

class ListWatchInformer<T extends ApiObject> implements Informer<T> {
  private readonly store = new IndexedStore<T>();
  private handlers: InformerHandlers<T>[] = [];
  private synced = false;
  private stopped = false;
  private started = false;
  private rv = '';
  private readonly waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly apiVersion: string;

  constructor(
    private readonly client: Client,
    private readonly ref: ResourceRef,
    private readonly opts: InformerOptions<T>,
  ) {
    this.timers = opts.timers ?? realTimers;
    this.log =
      opts.logger ??
      componentLogger('informer', { resource: ref.group ? `${ref.resource}.${ref.group}` : ref.resource });
    this.backoff = new Backoff(opts.backoff);
    this.apiVersion = ref.group ? `${ref.group}/${ref.version}` : ref.version;
  }

  addHandlers(h: InformerHandlers<T>): () => void {
    const entry = { ...h };
    this.handlers = [...this.handlers, entry];
    if (entry.add) for (const obj of this.store.list()) this.call('add', () => entry.add?.(obj));
    return () => {
      this.handlers = this.handlers.filter((x) => x !== entry);
    };
  }

  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.store.addIndex(name, fn);
  }

  start(signal: AbortSignal): void {
    if (this.started) throw new Error(`informer for ${this.ref.resource} already started`);
    this.started = true;
    const stop = (): void => {
      this.stopped = true;
      for (const w of this.waiters)
        w.reject(new Error(`informer for ${this.ref.resource} stopped before it synced`));
      this.waiters.clear();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    this.run(signal).catch((err: unknown) => this.log.error({ err }, 'informer loop failed'));
    if (this.opts.resyncMs && this.opts.resyncMs > 0) void this.resyncLoop(this.opts.resyncMs, signal);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error(`informer for ${this.ref.resource} is stopped`));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(w);
        reject(abortError(signal));
      };
      const w = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return this.store.list();
  }

  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  lastSyncResourceVersion(): string {
    return this.rv;
  }

  // -------------------------------------------------------------------------------------------------

  private async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      let listed = false;
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
          listed = true;
        }
        const watched = await this.watchOnce(signal);
        if (watched === 'expired' || watched === 'expired-at-once') {
          this.log.debug({ rv: this.rv }, 'watch expired (410): relisting');
          needList = true;
          // A fresh list's resourceVersion already too old: back off rather than relist in a loop.
          if (listed && watched === 'expired-at-once') await sleep(this.backoff.next(), this.timers, signal);
        } else if (watched === 'quick') {
          await sleep(this.backoff.next(), this.timers, signal);
        } else {
          this.backoff.reset(); // a watch that ran its course
        }
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err) && !needList) {
          this.log.debug({ rv: this.rv }, 'watch answered 410: relisting');
          needList = true;
          if (listed) await sleep(this.backoff.next(), this.timers, signal);
          continue;
        }
        if (err instanceof WatchErrorEvent) needList = true;
        const delay = this.backoff.next();
        this.log.warn(
          { err: err instanceof WatchErrorEvent ? err.error : err, retryInMs: delay, relist: needList },
          needList ? 'list failed or watch reported an error' : 'watch failed',
        );
        await sleep(delay, this.timers, signal);
      }
    }
  }

  /** LIST (in pages) and replace the cache, emitting the difference. */
  private async relist(signal: AbortSignal): Promise<void> {
    const rc = this.client.resource<T>(this.ref, this.opts.namespace);
    const selectors = { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
    const pageSize = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let rv = '';
    let cont: string | undefined;
    do {
      let page: ObjectList<T>;
      try {
        page = await rc.list({ ...selectors, limit: pageSize > 0 ? pageSize : undefined, continue: cont });
      } catch (err) {
        // The snapshot behind a continue token was compacted away: take one whole list instead.
        if (!cont || !isGone(err)) throw err;
        page = await rc.list(selectors);
        items.length = 0;
      }
      items.push(...page.items);
      rv = page.metadata.resourceVersion ?? rv;
      cont = page.metadata.continue || undefined;
      if (signal.aborted) return;
    } while (cont);
    this.replace(items, rv);
  }

  private replace(items: T[], rv: string): void {
    const fresh = new Map<string, T>();
    const transform = this.opts.transform;
    for (const item of items) {
      this.typeMeta(item);
      const obj = transform ? transform(item) : item;
      fresh.set(objectKey(obj), obj);
    }
    for (const [key, old] of [...this.store.entries()]) {
      if (fresh.has(key)) continue;
      this.store.delete(key);
      this.emit('delete', old);
    }
    for (const [key, obj] of fresh) {
      const old = this.store.get(key);
      if (old && rvOf(old) === rvOf(obj)) continue; // unchanged: keep the cached object
      this.store.set(key, obj);
      if (old) this.emit('update', old, obj);
      else this.emit('add', obj);
    }
    this.rv = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.waiters) w.resolve();
      this.waiters.clear();
    }
  }

  /**
   * One WATCH from the last resourceVersion. Returns 'expired' on a 410 ERROR event
   * ('expired-at-once' when no event came before it), 'quick' when the server ended the stream at
   * once without events, 'ended' otherwise; throws on failures.
   */
  private async watchOnce(signal: AbortSignal): Promise<'ended' | 'expired' | 'expired-at-once' | 'quick'> {
    const started = this.timers.now();
    let events = 0;
    const stream = this.client.resource<T>(this.ref, this.opts.namespace).watch({
      resourceVersion: this.rv,
      allowWatchBookmarks: true,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      timeoutSeconds: this.opts.watchTimeoutSeconds ?? Math.floor(300 + Math.random() * 300),
      signal,
    });
    for await (const ev of stream) {
      if (signal.aborted) break;
      if (ev.type === 'ERROR') {
        const err = errorFromWatchStatus(ev.object);
        if (err.code === 410) return events === 0 ? 'expired-at-once' : 'expired';
        throw new WatchErrorEvent(err);
      }
      if (events++ === 0) this.backoff.reset();
      this.apply(ev);
    }
    if (events === 0 && this.timers.now() - started < (this.opts.minWatchMs ?? 1000)) return 'quick';
    return 'ended';
  }

  private apply(ev: WatchEvent<T>): void {
    let obj = ev.object;
    const rv = rvOf(obj);
    if (ev.type === 'BOOKMARK') {
      if (rv) this.rv = rv;
      return;
    }
    this.typeMeta(obj);
    if (this.opts.transform) obj = this.opts.transform(obj);
    const key = objectKey(obj);
    if (ev.type === 'DELETED') {
      const old = this.store.delete(key);
      if (old) this.emit('delete', obj);
    } else {
      const old = this.store.set(key, obj);
      if (old) this.emit('update', old, obj);
      else this.emit('add', obj);
    }
    if (rv) this.rv = rv;
  }

  /** Gives an object that arrived without type meta the collection's (it is not yet shared). */
  private typeMeta(obj: T): void {
    obj.apiVersion ||= this.apiVersion;
    obj.kind ||= this.ref.kind;
  }

  private emit(type: 'add' | 'delete', obj: T): void;
  private emit(type: 'update', oldObj: T, newObj: T): void;
  private emit(type: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      if (type === 'add' && h.add) this.call(type, () => h.add?.(a));
      else if (type === 'update' && h.update && b) this.call(type, () => h.update?.(a, b));
      else if (type === 'delete' && h.delete) this.call(type, () => h.delete?.(a));
    }
  }

  private call(type: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, event: type }, 'informer handler threw');
    }
  }

  private async resyncLoop(everyMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(everyMs, this.timers, signal);
      if (signal.aborted || !this.synced) continue;
      for (const obj of this.store.list()) this.emit('update', obj, obj);
    }
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const e = new Error('aborted while waiting for the informer to sync', { cause: signal?.reason });
  e.name = 'AbortError';
  return e;
}

/**
 * An informer over `ref` (in `opts.namespace`, or everywhere). Nothing happens until `start`;
 * register handlers and indexes first.
 */
export function createInformer<T extends ApiObject = ApiObject>(
  client: Client,
  ref: ResourceRef,
  opts: InformerOptions<T> = {},
): Informer<T> {
  return new ListWatchInformer<T>(client, ref, opts);
}

/**
 * The read side of the generic store: GET, LIST (with resourceVersion semantics and pagination) and
 * WATCH, served from the watch cache, falling back to the storage backend for history the cache
 * does not hold (exact old revisions, continue tokens after changes, watches older than the window).
 */
import { apiErrors, ApiError } from '../api/errors.js';
import type { GroupResource, StoredObject } from '../api/meta.js';
import { CompactedError, FutureRevisionError, type Backend, type WatchEvent } from '../storage/backend.js';
import type { CacheSet } from './cache/cache-set.js';
import type { ResourceCache } from './cache/resource-cache.js';
import { TooOldError, type CachedObject, type CacheEvent, type EventSink } from './cache/types.js';
import type { Codec } from './codec.js';
import { namespacePrefix, objectKey } from './keys.js';
import { decodeContinue, encodeContinue, type ListOptions, type WatchOptions } from './list-options.js';

/** How long a read waits for the cache to reach a requested (or the current) revision. */
const FRESHNESS_TIMEOUT_MS = 3000;

interface ReaderDeps {
  resource: { gr: GroupResource; namespaced: boolean; prefix: string };
  backend: Backend;
  caches: CacheSet;
  cache: ResourceCache;
  codec: Codec;
  toCached(key: string, obj: StoredObject): CachedObject;
}

export interface ListResult {
  items: CachedObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

/** What a started watch tells the caller. */
export interface WatchStart {
  stop(): void;
  /** The revision the initial events (if any) reflect: for the initial-events-end bookmark. */
  initialRevision: number;
}

function parseRevision(rv: string, what: string): number {
  if (!/^\d+$/.test(rv)) throw apiErrors.badRequest(`invalid ${what} format: ${JSON.stringify(rv)}`);
  return Number(rv);
}

export class StoreReader {
  constructor(private readonly r: ReaderDeps) {}

  /** Reads one object: resourceVersion '' is a consistent read; '0' or N accept the cache. */
  async get(namespace: string, name: string, resourceVersion = ''): Promise<CachedObject> {
    const key = objectKey(this.r.resource.prefix, namespace, name);
    if (resourceVersion === '') {
      if (!(await this.r.caches.waitFresh(FRESHNESS_TIMEOUT_MS))) {
        const { kv } = await this.r.backend.get(key);
        if (!kv) throw apiErrors.notFound(this.r.resource.gr, name);
        return this.r.toCached(key, this.r.codec.decode(kv));
      }
    } else if (resourceVersion !== '0') {
      await this.waitForRevision(parseRevision(resourceVersion, 'resource version'));
    }
    const c = this.r.cache.get(key);
    if (!c) throw apiErrors.notFound(this.r.resource.gr, name);
    return c;
  }

  private async waitForRevision(rev: number): Promise<void> {
    if (!(await this.r.caches.waitForRevision(rev, FRESHNESS_TIMEOUT_MS))) {
      throw new ApiError(
        504,
        'Timeout',
        `Too large resource version: ${rev}, current: ${this.r.caches.revision}`,
        {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
      );
    }
  }

  private matcher(opts: {
    labelSelector: ListOptions['labelSelector'];
    fieldSelector: ListOptions['fieldSelector'];
  }) {
    const { labelSelector: ls, fieldSelector: fs } = opts;
    if (ls.isEmpty() && fs.isEmpty()) return undefined;
    return (o: CachedObject): boolean => ls.matches(o.labels) && fs.matches(o.fields);
  }

  /** LIST with upstream's resourceVersion, resourceVersionMatch, limit and continue semantics. */
  async list(namespace: string, opts: ListOptions): Promise<ListResult> {
    const prefix = namespacePrefix(this.r.resource.prefix, namespace);
    const match = this.matcher(opts);
    const { resourceVersion: rv, resourceVersionMatch: rvm } = opts;

    if (opts.continueToken) {
      if (rv !== '' && rv !== '0')
        throw apiErrors.badRequest('specifying resource version is not allowed when using continue');
      const token = decodeContinue(opts.continueToken);
      if (!token)
        throw apiErrors.badRequest(
          'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
        );
      return this.listPage(prefix, token.rv, prefix + token.start, opts.limit, match);
    }
    if (rvm === 'Exact') {
      if (rv === '' || rv === '0')
        throw apiErrors.badRequest(`resourceVersionMatch "Exact" is forbidden for resourceVersion "${rv}"`);
      return this.listPage(prefix, parseRevision(rv, 'resource version'), prefix, opts.limit, match);
    }
    if (rvm === 'NotOlderThan' && rv === '')
      throw apiErrors.badRequest(
        'resourceVersionMatch "NotOlderThan" is forbidden when resourceVersion is not provided',
      );

    if (rv === '') {
      if (!(await this.r.caches.waitFresh(FRESHNESS_TIMEOUT_MS))) {
        return this.fromBackend(prefix, await this.r.backend.currentRevision(), prefix, opts.limit, match);
      }
    } else if (rv !== '0') {
      await this.waitForRevision(parseRevision(rv, 'resource version'));
    }
    return this.fromCache(prefix, this.r.cache.revision, prefix, opts.limit, match);
  }

  /** One page at revision `rev` starting at `startKey`: from the cache if nothing changed since. */
  private async listPage(
    prefix: string,
    rev: number,
    startKey: string,
    limit: number,
    match?: (o: CachedObject) => boolean,
  ) {
    const cache = this.r.cache;
    if (rev <= cache.revision && rev >= cache.lastChange)
      return this.fromCache(prefix, rev, startKey, limit, match);
    return this.fromBackend(prefix, rev, startKey, limit, match);
  }

  private fromCache(
    prefix: string,
    rev: number,
    startKey: string,
    limit: number,
    match?: (o: CachedObject) => boolean,
  ): ListResult {
    const cache = this.r.cache;
    const keys = cache.sortedKeys();
    let i = lowerBound(keys, startKey);
    const items: CachedObject[] = [];
    for (; i < keys.length; i++) {
      const k = keys[i] ?? '';
      if (!k.startsWith(prefix)) {
        if (k > prefix) break;
        continue;
      }
      const o = cache.get(k);
      if (!o || (match && !match(o))) continue;
      if (limit > 0 && items.length === limit) {
        return this.page(items, rev, prefix, k, match ? undefined : countFrom(keys, i, prefix));
      }
      items.push(o);
    }
    return { items, resourceVersion: String(rev) };
  }

  private page(
    items: CachedObject[],
    rev: number,
    prefix: string,
    nextKey: string,
    remaining?: number,
  ): ListResult {
    const res: ListResult = {
      items,
      resourceVersion: String(rev),
      continueToken: encodeContinue({ rv: rev, start: nextKey.slice(prefix.length) }),
    };
    if (remaining !== undefined) res.remainingItemCount = remaining;
    return res;
  }

  private async fromBackend(
    prefix: string,
    rev: number,
    startKey: string,
    limit: number,
    match?: (o: CachedObject) => boolean,
  ): Promise<ListResult> {
    const items: CachedObject[] = [];
    let from = startKey;
    try {
      for (;;) {
        const batch = limit > 0 ? Math.max(limit - items.length + 1, 1) : 0;
        const res = await this.r.backend.list(prefix, { revision: rev, startKey: from, limit: batch });
        for (let j = 0; j < res.kvs.length; j++) {
          const kv = res.kvs[j];
          if (!kv) continue;
          const o = this.r.toCached(kv.key, this.r.codec.decode(kv));
          if (match && !match(o)) continue;
          if (limit > 0 && items.length === limit) return this.page(items, rev, prefix, kv.key);
          items.push(o);
        }
        const last = res.kvs[res.kvs.length - 1];
        if (!res.more || !last) break;
        from = `${last.key}\u0000`;
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        throw apiErrors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to get the next chunk.',
        );
      }
      if (err instanceof FutureRevisionError) {
        throw new ApiError(
          504,
          'Timeout',
          `Too large resource version: ${err.requested}, current: ${err.current}`,
          {
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
            retryAfterSeconds: 1,
          },
        );
      }
      throw err;
    }
    return { items, resourceVersion: String(rev) };
  }

  /**
   * Starts a watch. Events pass the selectors as upstream's watch does: an object entering the
   * selection is ADDED, leaving it is DELETED. `sink` receives them; the returned stop() ends it.
   */
  async watch(namespace: string, opts: WatchOptions, sink: EventSink): Promise<WatchStart> {
    const { resourceVersion: rv } = opts;
    const match = this.matcher(opts);
    const filtered = filterSink(sink, namespace, match);
    let initialEvents: boolean;
    let after = 0;
    if (opts.sendInitialEvents !== undefined) {
      if (opts.sendInitialEvents && opts.resourceVersionMatch !== 'NotOlderThan')
        throw new ApiError(
          422,
          'Invalid',
          'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
          {
            causes: [
              {
                reason: 'FieldValueForbidden',
                field: 'resourceVersionMatch',
                message: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
              },
            ],
          },
        );
      if (opts.sendInitialEvents && !opts.allowWatchBookmarks)
        throw new ApiError(422, 'Invalid', 'sendInitialEvents requires setting allowWatchBookmarks to true', {
          causes: [
            {
              reason: 'FieldValueForbidden',
              field: 'allowWatchBookmarks',
              message: 'sendInitialEvents requires setting allowWatchBookmarks to true',
            },
          ],
        });
    }
    if (opts.sendInitialEvents === true) {
      if (rv === '') await this.r.caches.waitFresh(FRESHNESS_TIMEOUT_MS);
      else if (rv !== '0') await this.waitForRevision(parseRevision(rv, 'resource version'));
      initialEvents = true;
    } else if (opts.sendInitialEvents === false || (rv !== '' && rv !== '0')) {
      initialEvents = false;
      if (rv === '' || rv === '0') {
        after = this.r.cache.revision;
      } else {
        after = parseRevision(rv, 'resource version');
        if (after > this.r.cache.revision) await this.waitForRevision(after);
      }
    } else {
      // No resourceVersion: the current state, then changes (from the cache for '0').
      if (rv === '') await this.r.caches.waitFresh(FRESHNESS_TIMEOUT_MS);
      initialEvents = true;
    }
    const initialRevision = this.r.cache.revision;
    try {
      const stop = this.r.cache.watch({ afterRevision: after, initialEvents, sink: filtered });
      return { stop, initialRevision };
    } catch (err) {
      if (!(err instanceof TooOldError)) throw err;
      return { stop: this.watchBackend(after, filtered), initialRevision };
    }
  }

  /** A watch older than the cache's window: straight from the store (410 if compacted). */
  private watchBackend(after: number, sink: EventSink): () => void {
    const last = new Map<string, CachedObject>();
    const w = this.r.backend.watch(this.r.resource.prefix, after, {
      onEvents: (events: WatchEvent[]) => {
        for (const ev of events) {
          try {
            const prevKv = ev.prevKv;
            const prev =
              last.get(ev.kv.key) ??
              (prevKv ? this.r.toCached(prevKv.key, this.r.codec.decode(prevKv)) : undefined);
            let ce: CacheEvent;
            if (ev.type === 'delete') {
              const base = prev ?? this.r.toCached(ev.kv.key, this.r.codec.decode(ev.kv));
              ce = {
                type: 'DELETED',
                rv: ev.kv.modRevision,
                object: base.atRevision(ev.kv.modRevision),
                prev: base,
              };
              last.delete(ev.kv.key);
            } else {
              const object = this.r.toCached(ev.kv.key, this.r.codec.decode(ev.kv));
              ce = prev
                ? { type: 'MODIFIED', rv: ev.kv.modRevision, object, prev }
                : { type: 'ADDED', rv: ev.kv.modRevision, object };
              last.set(ev.kv.key, object);
            }
            if (!sink.deliver(ce)) {
              w.cancel();
              sink.close('watcher too slow: its buffer overflowed');
              return;
            }
          } catch (err) {
            w.cancel();
            sink.close(`cannot decode a stored object: ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
        }
      },
      onError: (err) => {
        if (err instanceof CompactedError) {
          const expired = apiErrors.resourceVersionTooOld(after, err.compactRevision);
          sink.close(expired.message, expired);
        } else {
          sink.close(err.message);
        }
      },
    });
    return () => w.cancel();
  }

  /** The number of objects the cache holds under a namespace ('' for all). */
  count(namespace: string): number {
    if (!namespace) return this.r.cache.size;
    let n = 0;
    for (const _ of this.r.cache.values(namespace)) n++;
    return n;
  }
}

/** Applies namespace and selector filtering to a watcher, turning selection changes into ADDED/DELETED. */
function filterSink(sink: EventSink, namespace: string, match?: (o: CachedObject) => boolean): EventSink {
  if (!namespace && !match) return sink;
  const ok = (o: CachedObject): boolean => (!namespace || o.namespace === namespace) && (!match || match(o));
  return {
    deliver(ev: CacheEvent): boolean {
      if (namespace && ev.object.namespace !== namespace) return true;
      switch (ev.type) {
        case 'ADDED':
          return ok(ev.object) ? sink.deliver(ev) : true;
        case 'DELETED':
          return ok(ev.object) || (ev.prev !== undefined && ok(ev.prev)) ? sink.deliver(ev) : true;
        case 'MODIFIED': {
          const now = ok(ev.object);
          const before = ev.prev !== undefined && ok(ev.prev);
          if (now && before) return sink.deliver(ev);
          if (now) return sink.deliver({ type: 'ADDED', rv: ev.rv, object: ev.object });
          if (before && ev.prev)
            return sink.deliver({
              type: 'DELETED',
              rv: ev.rv,
              object: ev.prev.atRevision(ev.rv),
              prev: ev.prev,
            });
          return true;
        }
      }
    },
    close: (reason, error) => sink.close(reason, error),
  };
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] ?? '') < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keys under `prefix` from index i on (keys are sorted, so they are contiguous). */
function countFrom(keys: readonly string[], i: number, prefix: string): number {
  let n = 0;
  for (let j = i; j < keys.length && (keys[j] ?? '').startsWith(prefix); j++) n++;
  return n;
}

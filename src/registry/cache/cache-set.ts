/**
 * The watch caches of all resources, fed by ONE store watch over `/registry/`: a thousand client
 * watchers cost one store watch, and the store-wide revision the caches have reached is known, so
 * consistent reads can be served from memory once the caches have caught up.
 */
import type { Backend, KeyValue, WatchEvent, Watcher } from '../../storage/backend.js';
import type { Logger } from '../../util/log.js';
import { ResourceCache } from './resource-cache.js';
import type { CachedObject, CacheEvent } from './types.js';

/** How a resource's stored values become cached objects. */
export interface CachedResource {
  prefix: string;
  namespaced: boolean;
  /** Decodes a stored value (decrypting, parsing, setting resourceVersion). */
  decode(kv: KeyValue): CachedObject;
}

export const ROOT_PREFIX = '/registry/';

export class CacheSet {
  private readonly caches = new Map<string, ResourceCache>();
  private readonly decoders = new Map<string, CachedResource>();
  private watcher: Watcher | undefined;
  private waiters: { rev: number; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];
  private stopped = false;
  /** The store-wide revision every cache has reached. */
  revision = 0;

  constructor(
    private readonly backend: Backend,
    private readonly log: Logger,
  ) {}

  /** Registers a resource; call before start(). */
  register(res: CachedResource): ResourceCache {
    const cache = new ResourceCache(res.prefix, res.namespaced);
    this.caches.set(res.prefix, cache);
    this.decoders.set(res.prefix, res);
    return cache;
  }

  cache(prefix: string): ResourceCache | undefined {
    return this.caches.get(prefix);
  }

  /** Lists every resource at one revision, then watches from it. Resolves when the caches are synced. */
  async start(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    const rev = await this.backend.currentRevision();
    await Promise.all(
      [...this.decoders.values()].map(async (res) => {
        const objects: CachedObject[] = [];
        let startKey: string | undefined;
        for (;;) {
          const page = await this.backend.list(res.prefix, { revision: rev, startKey, limit: 5000 });
          for (const kv of page.kvs) {
            try {
              objects.push(res.decode(kv));
            } catch (err) {
              this.log.error(
                { err, key: kv.key },
                'cannot decode stored object; leaving it out of the cache',
              );
            }
          }
          const last = page.kvs[page.kvs.length - 1];
          if (!page.more || !last) break;
          startKey = `${last.key}\u0000`;
        }
        this.caches.get(res.prefix)?.reset(objects, rev);
      }),
    );
    this.revision = rev;
    // Every key, not just /registry/: a backend's own keys (etcd's compact_rev_key) also take
    // revisions, and the caches must see those to know they are current. The caches hold every
    // previous value themselves, so the events need not carry them (etcd reads none).
    this.watcher = this.backend.watch(
      '',
      rev,
      {
        onEvents: (events) => this.onEvents(events),
        onError: (err) => this.onWatchError(err),
      },
      { prevKv: false },
    );
  }

  private prefixOf(key: string): string | undefined {
    // /registry/<resource>/… or /registry/<group>/<resource>/…
    if (!key.startsWith(ROOT_PREFIX)) return undefined;
    const second = key.indexOf('/', ROOT_PREFIX.length);
    if (second < 0) return undefined;
    const one = key.slice(0, second + 1);
    if (this.caches.has(one)) return one;
    const third = key.indexOf('/', second + 1);
    if (third < 0) return undefined;
    const two = key.slice(0, third + 1);
    return this.caches.has(two) ? two : undefined;
  }

  private onEvents(events: WatchEvent[]): void {
    let last = this.revision;
    for (const ev of events) {
      last = Math.max(last, ev.kv.modRevision);
      const prefix = this.prefixOf(ev.kv.key);
      if (!prefix) continue;
      const cache = this.caches.get(prefix);
      const res = this.decoders.get(prefix);
      if (!cache || !res) continue;
      try {
        cache.apply(this.toCacheEvent(cache, res, ev));
      } catch (err) {
        this.log.error(
          { err, key: ev.kv.key, rev: ev.kv.modRevision },
          'cannot decode watch event; skipping it',
        );
      }
    }
    this.advance(last);
  }

  private toCacheEvent(cache: ResourceCache, res: CachedResource, ev: WatchEvent): CacheEvent {
    const prev = cache.get(ev.kv.key);
    if (ev.type === 'delete') {
      const last = prev ?? (ev.prevKv ? res.decode(ev.prevKv) : res.decode(ev.kv));
      return {
        type: 'DELETED',
        rv: ev.kv.modRevision,
        object: last.atRevision(ev.kv.modRevision),
        prev: last,
      };
    }
    const object = res.decode(ev.kv);
    return prev
      ? { type: 'MODIFIED', rv: ev.kv.modRevision, object, prev }
      : { type: 'ADDED', rv: ev.kv.modRevision, object };
  }

  private advance(rev: number): void {
    if (rev <= this.revision) return;
    this.revision = rev;
    for (const c of this.caches.values()) c.advance(rev);
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.rev <= rev) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * Resolves true once the caches have applied every change up to `rev`, or false after
   * `timeoutMs` (the caller then reads from the store).
   */
  waitForRevision(rev: number, timeoutMs: number): Promise<boolean> {
    if (rev <= this.revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        resolve(false);
      }, timeoutMs);
      this.waiters.push({ rev, resolve, timer });
    });
  }

  /** Waits until the caches hold the store's current state (a consistent read). */
  async waitFresh(timeoutMs = 3000): Promise<boolean> {
    const rev = await this.backend.currentRevision();
    return this.waitForRevision(rev, timeoutMs);
  }

  private onWatchError(err: Error): void {
    if (this.stopped) return;
    this.log.error({ err }, 'store watch failed; relisting every resource');
    this.watcher = undefined;
    const retry = (): void => {
      if (this.stopped) return;
      this.load().catch((e: unknown) => {
        this.log.error({ err: e }, 'relist failed; retrying in 1s');
        setTimeout(retry, 1000).unref();
      });
    };
    retry();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.cancel();
    for (const c of this.caches.values()) c.closeAll('server shutting down');
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
  }
}

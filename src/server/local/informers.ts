/**
 * Informers of the in-process controllers, fed by the watch cache: no LIST, no copy. The objects they
 * hold are the cache's own (shared with every reader, never to be mutated), so thirty thousand pods
 * are held once in the server, not once per consumer.
 */
import type { KubeObject } from '../../api/meta.js';
import type { HandlerDeps } from '../../apiserver/handlers/context.js';
import type { ServedResource } from '../../apiserver/served.js';
import type { ApiObject, Informer, InformerHandlers, ResourceRef } from '../../client/types.js';
import type { InformerFactory } from '../../controllers/framework/types.js';
import type { ResourceCache } from '../../registry/cache/resource-cache.js';
import type { CacheEvent } from '../../registry/cache/types.js';
import { cacheKey, localResource } from './client.js';

class CacheInformer<T extends ApiObject> implements Informer<T> {
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly indexers = new Map<string, (obj: T) => string[]>();
  /** index name → value → cache key → object. */
  private readonly indexes = new Map<string, Map<string, Map<string, T>>>();
  /** Converted objects, for a served version other than the stored one. */
  private readonly converted = new Map<string, T>();
  /** What the handlers were last told, by cache key. */
  private readonly known = new Map<string, T>();
  private started = false;
  private synced = false;
  private rv = '0';
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly served: ServedResource,
    private readonly cache: ResourceCache,
  ) {}

  private view(obj: KubeObject): T {
    return (this.served.converter ? this.served.converter.fromStorage(obj) : obj) as T;
  }

  addHandlers(h: InformerHandlers<T>): () => void {
    this.handlers.add(h);
    if (this.synced) for (const o of this.list()) h.add?.(o);
    return () => this.handlers.delete(h);
  }

  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.indexers.set(name, fn);
    const idx = new Map<string, Map<string, T>>();
    this.indexes.set(name, idx);
    for (const [key, obj] of this.known) this.index(key, undefined, obj);
  }

  private get2(key: string): T | undefined {
    if (this.served.converter) return this.converted.get(key);
    const c = this.cache.get(key);
    return c ? (c.object as unknown as T) : undefined;
  }

  private index(key: string, before: T | undefined, after: T | undefined): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name);
      if (!idx) continue;
      if (before)
        for (const v of fn(before)) {
          const m = idx.get(v);
          if (m?.delete(key) && m.size === 0) idx.delete(v);
        }
      if (after)
        for (const v of fn(after)) {
          let m = idx.get(v);
          if (!m) idx.set(v, (m = new Map()));
          m.set(key, after);
        }
    }
  }

  start(signal: AbortSignal): void {
    if (this.started) return;
    this.started = true;
    let unwatch: () => void = () => undefined;
    const follow = (): void => {
      if (signal.aborted) return;
      this.resync();
      unwatch = this.cache.watch({
        afterRevision: this.cache.revision,
        initialEvents: false,
        sink: {
          deliver: (ev) => {
            this.onEvent(ev);
            return true;
          },
          // The cache was reset (relist): compare with its new contents, then follow it again.
          close: () => queueMicrotask(follow),
        },
      });
    };
    follow();
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
    signal.addEventListener('abort', () => unwatch(), { once: true });
  }

  /** Brings `known` to the cache's current contents, calling handlers for the differences. */
  private resync(): void {
    this.rv = String(this.cache.revision);
    const present = new Set<string>();
    for (const c of this.cache.values()) {
      present.add(c.key);
      const before = this.known.get(c.key);
      if (before && this.served.converter === undefined && (before as unknown) === c.object) continue;
      this.apply(c.key, before, this.view(c.object));
    }
    for (const [key, before] of this.known)
      if (!present.has(key)) {
        this.known.delete(key);
        this.converted.delete(key);
        this.index(key, before, undefined);
        for (const h of this.handlers) h.delete?.(before);
      }
  }

  private apply(key: string, before: T | undefined, obj: T): void {
    this.known.set(key, obj);
    if (this.served.converter) this.converted.set(key, obj);
    this.index(key, before, obj);
    for (const h of this.handlers) {
      if (before) h.update?.(before, obj);
      else h.add?.(obj);
    }
  }

  private onEvent(ev: CacheEvent): void {
    const key = ev.object.key;
    this.rv = String(ev.rv);
    const before = this.known.get(key);
    if (ev.type === 'DELETED') {
      this.known.delete(key);
      this.converted.delete(key);
      this.index(key, before, undefined);
      for (const h of this.handlers) h.delete?.(before ?? this.view(ev.object.object));
      return;
    }
    this.apply(key, before, this.view(ev.object.object));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => reject(new Error('stopped before the informer synced')), {
        once: true,
      });
    });
  }

  get(key: string): T | undefined {
    return this.get2(cacheKey(this.cache, key));
  }

  list(): T[] {
    if (this.served.converter) return [...this.converted.values()];
    const out: T[] = [];
    for (const c of this.cache.values()) out.push(c.object as unknown as T);
    return out;
  }

  byIndex(name: string, value: string): T[] {
    const m = this.indexes.get(name)?.get(value);
    return m ? [...m.values()] : [];
  }

  lastSyncResourceVersion(): string {
    return this.rv;
  }
}

/** One cache-fed informer per collection. */
export class CacheInformerFactory implements InformerFactory {
  private readonly informers = new Map<string, CacheInformer<ApiObject>>();
  private signal: AbortSignal | undefined;

  constructor(private readonly deps: HandlerDeps) {}

  informer<T extends ApiObject = ApiObject>(ref: ResourceRef): Informer<T> {
    const key = `${ref.group}/${ref.version}/${ref.resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      const { served, cache } = localResource(this.deps, ref);
      inf = new CacheInformer<ApiObject>(served, cache);
      this.informers.set(key, inf);
      if (this.signal) inf.start(this.signal);
    }
    return inf as unknown as Informer<T>;
  }

  start(signal: AbortSignal): void {
    if (this.signal) return;
    this.signal = signal;
    for (const inf of this.informers.values()) inf.start(signal);
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((inf) => inf.waitForSync(signal)));
  }
}

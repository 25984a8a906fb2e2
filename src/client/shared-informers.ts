/**
 * Shared informers: one LIST+WATCH and one cache per collection for every part of a process that
 * reads it (the node agent's kubelet, service proxy, cluster DNS and Ingress data path all cache
 * Services, for example). Each part asks the factory for the collection and gets a handle of its
 * own over the common cache:
 *
 * - `addHandlers` on the handle registers on the common informer (cached objects are replayed as
 *   `add`, as with a private informer);
 * - `addIndex` names are private to the handle, so two parts may each add an index called `service`;
 * - `start(signal)` starts the common informer (once, under the factory's own lifetime) and, when
 *   `signal` aborts, unregisters that handle's handlers: the part stops hearing events, the cache
 *   lives on for the others until {@link SharedInformers.stop}.
 *
 * Each collection gets one transform for its whole lifetime (given to the factory, see
 * {@link SharedInformersOptions.transforms}); it must keep every field any part reads. Cached objects
 * are shared by every part: never mutate them.
 */
import type { Logger } from '../util/log.js';
import { createInformer, type InformerOptions } from './informer.js';
import type { ApiObject, Client, Informer, InformerHandlers, ResourceRef } from './types.js';

/** Which objects of a collection an informer caches. */
export interface InformerSelection {
  /** One namespace (default: all, or the cluster scope). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options of {@link createSharedInformers}. */
export interface SharedInformersOptions {
  logger?: Logger;
  /**
   * The transform of each collection, by {@link collectionKey} (`services`, `ingresses.networking.k8s.io`).
   * It runs once per object received, before the object is cached and handed to any part, and must
   * keep every field any part reads (and `metadata.name`, `namespace`, `resourceVersion`).
   */
  transforms?: Record<string, (obj: ApiObject) => ApiObject>;
  /** Further options of every informer (tests: timers, backoff, page size). */
  informerOptions?: Omit<InformerOptions, 'transform' | 'namespace' | 'labelSelector' | 'fieldSelector'>;
}

/** A set of shared informers (see the module comment). */
export interface SharedInformers {
  /**
   * A handle on the one informer of `ref` with `selection` (created on first use). Every call returns
   * a new handle over the same cache; give each part its own.
   */
  informer<T extends ApiObject = ApiObject>(ref: ResourceRef, selection?: InformerSelection): Informer<T>;
  /** Starts every informer created so far; those created later start when a handle is started. */
  start(): void;
  /** Resolves once every started informer has synced (rejects when `signal` aborts first). */
  waitForSync(signal?: AbortSignal): Promise<void>;
  /** Number of informers (collections × selections) created: one LIST+WATCH each. */
  readonly size: number;
  /** Stops every informer. */
  stop(): void;
}

/** `resource` for the core group, else `resource.group`: the key of {@link SharedInformersOptions.transforms}. */
export function collectionKey(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

interface Entry {
  informer: Informer<ApiObject>;
  started: boolean;
}

let handleSeq = 0;

/** A part's view of a shared informer. */
class InformerHandle<T extends ApiObject> implements Informer<T> {
  private readonly id = `h${++handleSeq}`;
  private readonly unregister = new Set<() => void>();
  private detached = false;

  constructor(
    private readonly shared: Informer<T>,
    private readonly ensureStarted: () => void,
  ) {}

  addHandlers(h: InformerHandlers<T>): () => void {
    if (this.detached) return () => undefined;
    const off = this.shared.addHandlers(h);
    const remove = (): void => {
      off();
      this.unregister.delete(remove);
    };
    this.unregister.add(remove);
    return remove;
  }

  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.shared.addIndex(this.indexName(name), fn);
  }

  start(signal: AbortSignal): void {
    if (signal.aborted) return this.detach();
    this.ensureStarted();
    signal.addEventListener('abort', () => this.detach(), { once: true });
  }

  hasSynced(): boolean {
    return this.shared.hasSynced();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.shared.waitForSync(signal);
  }

  get(key: string): T | undefined {
    return this.shared.get(key);
  }

  list(): T[] {
    return this.shared.list();
  }

  byIndex(name: string, value: string): T[] {
    return this.shared.byIndex(this.indexName(name), value);
  }

  lastSyncResourceVersion(): string {
    return this.shared.lastSyncResourceVersion();
  }

  private indexName(name: string): string {
    return `${this.id}/${name}`;
  }

  /** The part stopped: it hears no more events. */
  private detach(): void {
    this.detached = true;
    for (const off of [...this.unregister]) off();
  }
}

/** A factory of shared informers over `client` (see the module comment). */
export function createSharedInformers(client: Client, opts: SharedInformersOptions = {}): SharedInformers {
  const entries = new Map<string, Entry>();
  const abort = new AbortController();
  let startAll = false;

  const startEntry = (e: Entry): void => {
    if (e.started || abort.signal.aborted) return;
    e.started = true;
    e.informer.start(abort.signal);
  };

  return {
    informer<T extends ApiObject = ApiObject>(ref: ResourceRef, sel: InformerSelection = {}): Informer<T> {
      const key = [
        collectionKey(ref),
        ref.version,
        sel.namespace ?? '',
        sel.labelSelector ?? '',
        sel.fieldSelector ?? '',
      ].join('\0');
      let e = entries.get(key);
      if (!e) {
        const transform = opts.transforms?.[collectionKey(ref)];
        const informer = createInformer<ApiObject>(client, ref, {
          ...opts.informerOptions,
          ...(opts.logger ? { logger: opts.logger.child({ resource: collectionKey(ref) }) } : {}),
          ...(sel.namespace !== undefined ? { namespace: sel.namespace } : {}),
          ...(sel.labelSelector !== undefined ? { labelSelector: sel.labelSelector } : {}),
          ...(sel.fieldSelector !== undefined ? { fieldSelector: sel.fieldSelector } : {}),
          ...(transform ? { transform } : {}),
        });
        e = { informer, started: false };
        entries.set(key, e);
        if (startAll) startEntry(e);
      }
      const entry = e;
      return new InformerHandle<T>(entry.informer as unknown as Informer<T>, () => startEntry(entry));
    },
    start(): void {
      startAll = true;
      for (const e of entries.values()) startEntry(e);
    },
    async waitForSync(signal?: AbortSignal): Promise<void> {
      await Promise.all(
        [...entries.values()].filter((e) => e.started).map((e) => e.informer.waitForSync(signal)),
      );
    },
    get size(): number {
      return entries.size;
    },
    stop(): void {
      abort.abort();
    },
  };
}

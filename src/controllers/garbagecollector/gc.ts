/**
 * The garbage collector: follows ownerReferences across every stored resource.
 * - Background: a dependent whose owners are all gone is deleted.
 * - Orphan: an owner being deleted with the `orphan` finalizer has that ownerReference removed from
 *   its dependents, then the finalizer removed (so it goes away, its dependents stay).
 * - Foreground: an owner with `foregroundDeletion` has its dependents deleted; once those that
 *   block owner deletion are gone, the finalizer is removed.
 * It runs in the server process and reads from the watch cache; an index maps owner uids to
 * dependents, so each change costs a few map operations.
 */
import type { StoredObject } from '../../api/meta.js';
import { ApiError } from '../../api/errors.js';
import type { ServedResources } from '../../apiserver/served.js';
import type { ResourceCache } from '../../registry/cache/resource-cache.js';
import type { CacheEvent } from '../../registry/cache/types.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import type { Clock } from '../../util/time.js';
import type { Logger } from '../../util/log.js';
import { subscribe } from '../subscribe.js';
import { WorkQueue } from '../queue.js';

const USER = {
  username: 'system:serviceaccount:kube-system:generic-garbage-collector',
  groups: ['system:serviceaccounts', 'system:authenticated'],
};

interface Entry {
  store: Store;
  cache: ResourceCache;
}

interface Ref {
  entry: number;
  key: string;
  namespace: string;
  name: string;
}

export class GarbageCollector {
  private readonly entries: Entry[] = [];
  /** uid → the object with that uid. */
  private readonly byUid = new Map<string, Ref>();
  /**
   * owner uid → dependents by cache key (a cache key names its resource, so it is unique across
   * entries).
   */
  private readonly dependents = new Map<string, Map<string, Ref>>();
  private readonly queue: WorkQueue;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly served: ServedResources,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue((key) => this.sync(key), log);
  }

  start(): void {
    // Every cache is indexed before any key is worked on: a pod seen before the ReplicaSets were
    // indexed would otherwise look orphaned (the queue starts work synchronously).
    this.held = [];
    for (const { store, cache } of this.served.stored()) {
      const idx = this.entries.push({ store, cache }) - 1;
      this.stops.push(subscribe(cache, (ev) => this.onEvent(idx, ev)));
    }
    const held = this.held;
    this.held = undefined;
    for (const key of held) this.queue.add(key);
  }

  /** Keys seen while start() indexes the caches, worked on once all are indexed. */
  private held: string[] | undefined;

  private enqueue(key: string): void {
    if (this.held) this.held.push(key);
    else this.queue.add(key);
  }

  stop(): void {
    for (const s of this.stops) s();
    this.queue.stop();
  }

  private ctx(namespace: string): StrategyContext {
    return { user: USER, namespace, now: () => this.clock.now() };
  }

  private onEvent(entry: number, ev: CacheEvent): void {
    const o = ev.object;
    const uid = o.object.metadata.uid;
    // The Ref of the object's previous version when it is the same object (most events): one Ref
    // per object, not one per event kept alive by whichever index saw it last.
    const had = uid ? this.byUid.get(uid) : undefined;
    const ref: Ref =
      had !== undefined && had.entry === entry && had.key === o.key
        ? had
        : { entry, key: o.key, namespace: o.namespace, name: o.name };
    const refKey = o.key;
    // Index maintenance.
    const before = ev.prev?.object.metadata.ownerReferences ?? [];
    for (const r of before) this.dependents.get(r.uid)?.delete(refKey);
    if (ev.type === 'DELETED') {
      if (uid && this.byUid.get(uid)?.key === o.key) this.byUid.delete(uid);
      // Its dependents may now be orphaned (background deletion); a foreground owner may be waiting.
      if (uid)
        for (const d of this.dependents.get(uid)?.values() ?? []) this.enqueue(`dep:${d.entry}:${d.key}`);
      for (const r of before) if (this.byUid.has(r.uid)) this.enqueue(`owner:${r.uid}`);
      return;
    }
    if (uid) this.byUid.set(uid, ref);
    const owners = o.object.metadata.ownerReferences ?? [];
    for (const r of owners) {
      let m = this.dependents.get(r.uid);
      if (!m) this.dependents.set(r.uid, (m = new Map()));
      m.set(refKey, ref);
    }
    if (owners.length && owners.some((r) => !this.byUid.has(r.uid))) this.enqueue(`dep:${entry}:${o.key}`);
    const meta = o.object.metadata;
    if (
      uid &&
      meta.deletionTimestamp &&
      (meta.finalizers ?? []).some((f) => f === 'orphan' || f === 'foregroundDeletion')
    ) {
      this.enqueue(`owner:${uid}`);
    }
  }

  private async sync(key: string): Promise<void> {
    if (key.startsWith('owner:')) return this.syncOwner(key.slice(6));
    const m = /^dep:(\d+):(.*)$/.exec(key);
    if (m) return this.syncDependent(Number(m[1]), m[2] ?? '');
  }

  /** Deletes a dependent whose owners are all gone. */
  private async syncDependent(entry: number, key: string): Promise<void> {
    const e = this.entries[entry];
    const c = e?.cache.get(key);
    if (!e || !c) return;
    const owners = c.object.metadata.ownerReferences ?? [];
    if (owners.length === 0 || owners.some((r) => this.byUid.has(r.uid))) return;
    if (c.object.metadata.deletionTimestamp) return;
    this.log.info(
      { namespace: c.namespace, name: c.name, resource: e.store.resource.gr.resource },
      'deleting object whose owners are gone',
    );
    await this.ignoreNotFound(
      e.store.delete(c.name, this.ctx(c.namespace), { dryRun: false, propagationPolicy: 'Background' }),
    );
  }

  private async syncOwner(uid: string): Promise<void> {
    const ref = this.byUid.get(uid);
    if (!ref) return;
    const e = this.entries[ref.entry];
    const owner = e?.cache.get(ref.key);
    if (!e || !owner || !owner.object.metadata.deletionTimestamp) return;
    const finalizers = owner.object.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid)?.values() ?? [])];
    if (finalizers.includes('orphan')) {
      for (const d of deps) {
        const de = this.entries[d.entry];
        if (!de) continue;
        await this.ignoreNotFound(
          de.store.mutate(d.name, this.ctx(d.namespace), { dryRun: false, subresource: '' }, (obj) => {
            const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
            if (refs.length) obj.metadata.ownerReferences = refs;
            else delete obj.metadata.ownerReferences;
            return obj;
          }),
        );
      }
      await this.removeFinalizer(e.store, owner.namespace, owner.name, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      let blocking = 0;
      for (const d of deps) {
        const de = this.entries[d.entry];
        const dc = de?.cache.get(d.key);
        if (!de || !dc) continue;
        const ownerRef = (dc.object.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
        if (ownerRef?.blockOwnerDeletion) blocking++;
        if (!dc.object.metadata.deletionTimestamp) {
          await this.ignoreNotFound(
            de.store.delete(d.name, this.ctx(d.namespace), {
              dryRun: false,
              propagationPolicy: 'Foreground',
            }),
          );
        }
      }
      if (blocking === 0)
        await this.removeFinalizer(e.store, owner.namespace, owner.name, 'foregroundDeletion');
    }
  }

  private async removeFinalizer(
    store: Store,
    namespace: string,
    name: string,
    finalizer: string,
  ): Promise<void> {
    await this.ignoreNotFound(
      store.mutate(name, this.ctx(namespace), { dryRun: false, subresource: '' }, (obj: StoredObject) => {
        const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        if (rest.length) obj.metadata.finalizers = rest;
        else delete obj.metadata.finalizers;
        return obj;
      }),
    );
  }

  private async ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}

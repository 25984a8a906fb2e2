/**
 * The generic store: everything every kind shares on the write path (names, uid, timestamps,
 * resourceVersion, generation, optimistic concurrency, finalizers and graceful deletion, ObjectMeta
 * validation), with a small {@link Strategy} per kind for the rest. Objects here are in the storage
 * version; the API layer converts.
 */
import { randomUUID } from 'node:crypto';
import { apiErrors, ApiError, type FieldError } from '../api/errors.js';
import type { GroupResource, KubeObject, StoredObject } from '../api/meta.js';
import { nameChecks, validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/objectmeta.js';
import { ConflictError, KeyExistsError, KeyNotFoundError, type Backend } from '../storage/backend.js';
import { rfc3339, type Clock } from '../util/time.js';
import type { ResourceCache } from './cache/resource-cache.js';
import type { CacheSet } from './cache/cache-set.js';
import type { CachedObject } from './cache/types.js';
import type { Codec } from './codec.js';
import { objectKey } from './keys.js';
import type { DeleteOptions } from './list-options.js';
import { generateName } from './names.js';
import { clone, jsonEqual, specPart } from './object-utils.js';
import type { Strategy, StrategyContext } from './strategy.js';
import { StoreReader } from './store-read.js';

/** How often a write retries after losing a race it did not ask to lose. */
const MAX_RETRIES = 16;
/** generateName collisions retried server-side, as upstream does. */
const MAX_GENERATE_NAME_RETRIES = 8;

/** What the store needs to know about the resource it stores. */
export interface StoreResource {
  /** The served group/resource, for error messages. */
  gr: GroupResource;
  /** The stored kind and apiVersion. */
  kind: string;
  group: string;
  apiVersion: string;
  namespaced: boolean;
  /** Has a status subresource: the main endpoint ignores status changes. */
  hasStatus: boolean;
  /** Key prefix, with trailing slash. */
  prefix: string;
}

export interface StoreDeps {
  resource: StoreResource;
  strategy: Strategy;
  backend: Backend;
  caches: CacheSet;
  cache: ResourceCache;
  codec: Codec;
  clock: Clock;
  /** Builds a cached object from a decoded object (labels, selectable fields). */
  toCached(key: string, obj: StoredObject): CachedObject;
  /** Stateful work around writes (a Service's cluster IPs and node ports). */
  hooks?: StoreHooks;
  /**
   * Puts the fields of a written object in the form upstream's decoder and encoder leave them (every
   * resource quantity in its canonical string form), in place. Runs on every write before it is
   * validated: on creates after mutating admission; on updates before the object is compared with
   * the stored one (generation, no-op writes) and again after mutating admission.
   */
  normalize?: (obj: KubeObject) => void;
}

/**
 * Work a kind needs around its writes beyond a stateless strategy, like upstream's BeginCreate /
 * BeginUpdate: allocating a Service's cluster IPs and node ports before validation, and giving them
 * back when the write fails or the object goes.
 */
export interface StoreHooks {
  /**
   * On creates and main-resource updates, after the strategy prepared the object and before it is
   * validated: may fill in fields. Field errors refuse the write (422). The returned function is
   * called once the write is known to have succeeded (true) or not (false).
   */
  beforeWrite(
    obj: StoredObject,
    old: StoredObject | undefined,
    dryRun: boolean,
  ): Promise<{ errors: FieldError[]; done(ok: boolean): Promise<void> }>;
  /** The object has been removed from storage. */
  removed(obj: StoredObject): Promise<void>;
}

export interface WriteOptions {
  dryRun: boolean;
  /** Admission: runs on the prepared object (and the stored one, on updates) before validation. */
  admit?: (obj: StoredObject, old: StoredObject | undefined) => Promise<void>;
  /**
   * Validating admission: runs on the validated object just before it is written (also on dry
   * runs); it may refuse the write but not change the object. Without it, `admit` does it all.
   */
  validateAdmission?: (obj: StoredObject, old: StoredObject | undefined) => Promise<void>;
}

/**
 * '' for the main resource; 'status' for /status; 'finalize' for namespaces/finalize (only
 * spec.finalizers changes); 'binding' for pods/binding (the server computed the change: nodeName and
 * the PodScheduled condition, which a plain pod update may not set).
 */
export type UpdateSubresource = '' | 'status' | 'finalize' | 'binding';

export interface UpdateOptions extends WriteOptions {
  subresource: UpdateSubresource;
}

/** The result of a delete: the object still exists (finalizers, grace) or is gone. */
export interface DeleteResult {
  deleted: boolean;
  object: StoredObject;
}

/** A guess of the current object: undefined = unknown (read the store), null = known absent. */
type Suggestion = StoredObject | null | undefined;

/** A transformation of the current object, for updates that start from it (patch, scale, binding). */
export type Mutation = (current: StoredObject) => StoredObject | Promise<StoredObject>;

export class Store extends StoreReader {
  private readonly strategy: Strategy;
  private readonly codec: Codec;

  constructor(private readonly deps: StoreDeps) {
    super(deps);
    this.strategy = deps.strategy;
    this.codec = deps.codec;
  }

  get resource(): StoreResource {
    return this.deps.resource;
  }

  /**
   * `JSON.stringify(obj)` for an object this store has just written (what create, update, mutate and
   * delete return), spliced from the stored text instead of serialising it again; undefined when
   * that text is no longer at hand (then serialise).
   */
  writtenJSON(obj: StoredObject): string | undefined {
    return this.codec.json(obj);
  }

  private nameCheck() {
    return nameChecks[this.strategy.nameValidation ?? 'subdomain'];
  }

  private invalid(name: string, errs: FieldError[]): ApiError {
    const r = this.deps.resource;
    return apiErrors.invalid(r.group, r.kind, name, errs);
  }

  // ------------------------------------------------------------------------------------------ create

  /** Creates an object (already decoded, defaulted and admitted). */
  async create(input: KubeObject, ctx: StrategyContext, opts: WriteOptions): Promise<StoredObject> {
    const r = this.deps.resource;
    const obj = input as StoredObject;
    obj.apiVersion = r.apiVersion;
    obj.kind = r.kind;
    const meta = (obj.metadata ??= {});
    if (r.namespaced) meta.namespace = ctx.namespace;
    else delete meta.namespace;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.deps.clock.now());
    // Deleting a member the object lacks still costs a dictionary lookup; most requests lack these.
    if ('resourceVersion' in meta) delete meta.resourceVersion;
    if ('deletionTimestamp' in meta) delete meta.deletionTimestamp;
    if ('deletionGracePeriodSeconds' in meta) delete meta.deletionGracePeriodSeconds;
    if ('selfLink' in meta) delete meta.selfLink;
    if (this.strategy.generation) meta.generation = 1;
    else if ('generation' in meta) delete meta.generation;
    const generated = !meta.name && !!meta.generateName;
    if (generated) {
      meta.name = generateName(meta.generateName ?? '');
      // Some defaults derive from the name (a namespace's kubernetes.io/metadata.name label).
      this.strategy.defaults?.(obj);
    }
    this.strategy.prepareForCreate?.(obj, ctx);
    if (opts.admit) await opts.admit(obj, undefined);
    // After mutating admission, which may add quantities (LimitRange defaults), and before validation.
    this.deps.normalize?.(obj);
    const hook = await this.deps.hooks?.beforeWrite(obj, undefined, opts.dryRun);
    if (hook?.errors.length) {
      await hook.done(false);
      throw this.invalid(meta.name ?? '', hook.errors);
    }
    let ok = false;
    try {
      const created = await this.createValidated(obj, ctx, opts, generated);
      ok = !opts.dryRun;
      return created;
    } finally {
      await hook?.done(ok);
    }
  }

  private async createValidated(
    obj: StoredObject,
    ctx: StrategyContext,
    opts: WriteOptions,
    generated: boolean,
  ): Promise<StoredObject> {
    const r = this.deps.resource;
    const meta = obj.metadata;
    const errs = validateObjectMeta(meta, r.namespaced, this.nameCheck());
    if (generated) {
      // A bad generateName is reported once, not again for the generated name.
      const gen = errs.findIndex((e) => e.field === 'metadata.generateName');
      if (gen >= 0)
        for (let i = errs.length - 1; i >= 0; i--) if (errs[i]?.field === 'metadata.name') errs.splice(i, 1);
    }
    errs.push(...this.strategy.validate(obj, ctx));
    if (errs.length) throw this.invalid(meta.name ?? meta.generateName ?? '', errs);
    if (opts.validateAdmission) await opts.validateAdmission(obj, undefined);
    if (opts.dryRun) return obj;

    for (let attempt = 0; ; attempt++) {
      const key = objectKey(r.prefix, meta.namespace ?? '', meta.name ?? '');
      try {
        const kv = await this.deps.backend.create(key, this.codec.encode(key, obj));
        return this.adopt(obj, kv.modRevision);
      } catch (err) {
        if (err instanceof KeyExistsError) {
          if (generated && attempt < MAX_GENERATE_NAME_RETRIES) {
            meta.name = generateName(meta.generateName ?? '');
            continue;
          }
          throw apiErrors.alreadyExists(r.gr, meta.name ?? '');
        }
        throw err;
      }
    }
  }

  /** The stored object, with its new revision, as the cache will soon hold it. */
  private adopt(obj: StoredObject, rev: number): StoredObject {
    obj.metadata.resourceVersion = String(rev);
    return obj;
  }

  // ------------------------------------------------------------------------------------------ update

  /**
   * Replaces an object (PUT). `input.metadata.resourceVersion`, when set, must be current (409
   * otherwise); when unset the update is unconditional and retried on races.
   */
  async update(
    name: string,
    input: KubeObject,
    ctx: StrategyContext,
    opts: UpdateOptions,
  ): Promise<{ object: StoredObject; created: boolean }> {
    const r = this.deps.resource;
    const wanted = input.metadata?.resourceVersion ?? '';
    if (!wanted && this.strategy.allowUnconditionalUpdate === false) {
      throw this.invalid(name, [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          badValue: 0,
          detail: 'must be specified for an update',
        },
      ]);
    }
    const key = objectKey(r.prefix, ctx.namespace, name);
    let suggestion: Suggestion = this.cached(key);
    for (let attempt = 0; ; attempt++) {
      let current = await this.current(key, suggestion);
      if (current && wanted && wanted !== current.metadata.resourceVersion)
        current = await this.current(key, undefined);
      if (!current) {
        if (this.strategy.allowCreateOnUpdate && opts.subresource === '') {
          if (wanted) throw apiErrors.notFound(r.gr, name);
          try {
            return { object: await this.create(clone(input), ctx, opts), created: true };
          } catch (err) {
            if (err instanceof ApiError && err.reason === 'AlreadyExists' && attempt < MAX_RETRIES) {
              suggestion = undefined;
              continue;
            }
            throw err;
          }
        }
        throw apiErrors.notFound(r.gr, name);
      }
      if (wanted && wanted !== current.metadata.resourceVersion) throw apiErrors.staleUpdate(r.gr, name);
      const next = this.prepareUpdate(clone(input) as StoredObject, current, ctx, opts.subresource);
      await this.admitted(next, current, opts);
      try {
        return { object: await this.write(key, next, current, ctx, opts), created: false };
      } catch (err) {
        if (err instanceof ConflictError) {
          if (wanted || attempt >= MAX_RETRIES) throw apiErrors.staleUpdate(r.gr, name);
          suggestion = this.fromConflict(err);
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * Updates an object by transforming the current one (patch, scale, binding, eviction, finalizer
   * removal). Retried on races unless the mutation pinned a resourceVersion.
   */
  async mutate(name: string, ctx: StrategyContext, opts: UpdateOptions, fn: Mutation): Promise<StoredObject> {
    const r = this.deps.resource;
    const key = objectKey(r.prefix, ctx.namespace, name);
    let suggestion: Suggestion = this.cached(key);
    for (let attempt = 0; ; attempt++) {
      const current = await this.current(key, suggestion);
      if (!current) throw apiErrors.notFound(r.gr, name);
      const proposed = await fn(clone(current));
      const wanted = proposed.metadata?.resourceVersion ?? '';
      if (wanted !== '' && wanted !== current.metadata.resourceVersion) {
        // The mutation pinned a version: it must be the stored one, not just the cached one.
        if (suggestion !== undefined) {
          suggestion = undefined;
          continue;
        }
        throw apiErrors.staleUpdate(r.gr, name);
      }
      const next = this.prepareUpdate(proposed, current, ctx, opts.subresource);
      await this.admitted(next, current, opts);
      try {
        return await this.write(key, next, current, ctx, opts);
      } catch (err) {
        if (err instanceof ConflictError) {
          if (attempt >= MAX_RETRIES) throw apiErrors.staleUpdate(r.gr, name);
          suggestion = this.fromConflict(err);
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * The object a write starts from. Writes start from the cached object as a guess (no store read);
   * if it was stale, the conditional write fails with the stored value, which becomes the next guess.
   */
  private async current(key: string, suggestion: Suggestion): Promise<StoredObject | undefined> {
    if (suggestion !== undefined) return suggestion ?? undefined;
    const { kv } = await this.deps.backend.get(key);
    return kv ? this.codec.decode(kv) : undefined;
  }

  /** The cached object as a write's first guess; undefined (read the store) when not cached. */
  private cached(key: string): Suggestion {
    const c = this.deps.cache.get(key);
    return c ? (c.object as StoredObject) : undefined;
  }

  private fromConflict(err: ConflictError): Suggestion {
    return err.current ? this.codec.decode(err.current) : null;
  }

  /** Mutating admission of an update, then the object's fields in stored form again. */
  private async admitted(next: StoredObject, current: StoredObject, opts: UpdateOptions): Promise<void> {
    if (!opts.admit) return;
    await opts.admit(next, current);
    this.deps.normalize?.(next);
  }

  private prepareUpdate(
    obj: StoredObject,
    current: StoredObject,
    ctx: StrategyContext,
    subresource: UpdateSubresource,
  ): StoredObject {
    const r = this.deps.resource;
    // Before anything compares the object with the stored one (generation, no-op writes).
    this.deps.normalize?.(obj);
    obj.apiVersion = r.apiVersion;
    obj.kind = r.kind;
    const meta = (obj.metadata ??= {});
    const old = current.metadata;
    // Fields only the server sets.
    meta.uid ??= old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.deletionTimestamp = old.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    if (r.namespaced) meta.namespace ??= old.namespace;
    meta.name ??= old.name;
    if (old.generation !== undefined) meta.generation = old.generation;
    else delete meta.generation;
    if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;

    if (subresource === 'binding') return obj;
    if (subresource === 'finalize') {
      const finalizers = (obj['spec'] as { finalizers?: unknown } | undefined)?.finalizers;
      const next = clone(current);
      const spec = { ...((next['spec'] as Record<string, unknown> | undefined) ?? {}) };
      if (Array.isArray(finalizers) && finalizers.length) spec['finalizers'] = finalizers;
      else delete spec['finalizers'];
      next['spec'] = spec;
      return next;
    }
    if (subresource === 'status') {
      if (this.strategy.status) this.strategy.status.prepareForUpdate(obj, current, ctx);
      else {
        for (const k of Object.keys(obj))
          if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') delete obj[k];
        Object.assign(obj, specPart(current));
      }
      // Status writes cannot change ownership or finalizers through metadata.
      meta.ownerReferences = old.ownerReferences;
      if (meta.ownerReferences === undefined) delete meta.ownerReferences;
    } else {
      if (r.hasStatus) {
        if (current['status'] === undefined) delete obj['status'];
        else obj['status'] = current['status'];
      }
      this.strategy.prepareForUpdate?.(obj, current, ctx);
      if (this.strategy.generation && !jsonEqual(specPart(obj), specPart(current))) {
        meta.generation = (old.generation ?? 0) + 1;
      }
    }
    return obj;
  }

  private validateUpdate(
    obj: StoredObject,
    current: StoredObject,
    ctx: StrategyContext,
    subresource: UpdateSubresource,
  ): void {
    const r = this.deps.resource;
    if (obj.metadata.uid !== current.metadata.uid) {
      throw apiErrors.conflict(
        r.gr,
        current.metadata.name ?? '',
        `Precondition failed: UID in precondition: ${obj.metadata.uid ?? ''}, UID in object meta: ${current.metadata.uid ?? ''}`,
      );
    }
    const errs = validateObjectMetaUpdate(obj.metadata, current.metadata, r.namespaced, this.nameCheck());
    if (subresource === 'status')
      errs.push(...(this.strategy.status?.validateUpdate(obj, current, ctx) ?? []));
    else if (subresource === 'binding') {
      // bindPod validated the Binding; nothing else of the pod changed.
    } else
      errs.push(...(this.strategy.validateUpdate?.(obj, current, ctx) ?? this.strategy.validate(obj, ctx)));
    if (errs.length) throw this.invalid(current.metadata.name ?? '', errs);
  }

  /** Validates and writes an update; a no-op update writes nothing and returns the current object. */
  private async write(
    key: string,
    next: StoredObject,
    current: StoredObject,
    ctx: StrategyContext,
    opts: WriteOptions,
  ): Promise<StoredObject> {
    const subresource = 'subresource' in opts ? (opts as UpdateOptions).subresource : '';
    const hooks = subresource === '' ? this.deps.hooks : undefined;
    if (!hooks) return this.writeValidated(key, next, current, ctx, opts, subresource);
    const hook = await hooks.beforeWrite(next, current, opts.dryRun);
    if (hook.errors.length) {
      await hook.done(false);
      throw this.invalid(current.metadata.name ?? '', hook.errors);
    }
    let ok = false;
    try {
      const written = await this.writeValidated(key, next, current, ctx, opts, subresource);
      ok = !opts.dryRun;
      return written;
    } finally {
      await hook.done(ok);
    }
  }

  private async writeValidated(
    key: string,
    next: StoredObject,
    current: StoredObject,
    ctx: StrategyContext,
    opts: WriteOptions,
    subresource: UpdateSubresource,
  ): Promise<StoredObject> {
    this.validateUpdate(next, current, ctx, subresource);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (opts.validateAdmission) await opts.validateAdmission(next, current);
    if (jsonEqual(next, current)) return current;
    if (opts.dryRun) return next;
    if (
      next.metadata.deletionTimestamp &&
      !next.metadata.finalizers?.length &&
      !next.metadata.deletionGracePeriodSeconds &&
      !this.deleteBlocked?.(next)
    ) {
      // The last finalizer is gone from an object being deleted: delete it now.
      const rev = Number(current.metadata.resourceVersion);
      try {
        const res = await this.deps.backend.delete(key, rev);
        next.metadata.resourceVersion = String(res.revision);
        await this.deps.hooks?.removed(next);
        return next;
      } catch (err) {
        if (err instanceof KeyNotFoundError)
          throw apiErrors.notFound(this.deps.resource.gr, current.metadata.name ?? '');
        throw err;
      }
    }
    try {
      const kv = await this.deps.backend.update(
        key,
        this.codec.encode(key, next),
        Number(current.metadata.resourceVersion),
      );
      next.metadata.resourceVersion = String(kv.modRevision);
      return next;
    } catch (err) {
      if (err instanceof KeyNotFoundError)
        throw apiErrors.notFound(this.deps.resource.gr, current.metadata.name ?? '');
      throw err;
    }
  }

  // ------------------------------------------------------------------------------------------ delete

  /**
   * Deletes an object. With finalizers (its own, or orphan/foregroundDeletion from the propagation
   * policy) or a grace period, it only gets a deletionTimestamp; otherwise it is removed.
   */
  async delete(name: string, ctx: StrategyContext, opts: DeleteOptions): Promise<DeleteResult> {
    const r = this.deps.resource;
    const key = objectKey(r.prefix, ctx.namespace, name);
    let suggestion: Suggestion = this.cached(key);
    for (let attempt = 0; ; attempt++) {
      const current = await this.current(key, suggestion);
      if (!current) throw apiErrors.notFound(r.gr, name);
      const meta = current.metadata;
      if (suggestion !== undefined && (opts.preconditions?.uid || opts.preconditions?.resourceVersion)) {
        // Preconditions are checked against the stored object, never a cached guess.
        suggestion = undefined;
        attempt--;
        continue;
      }
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw apiErrors.conflict(
          r.gr,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw apiErrors.conflict(
          r.gr,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
        );
      }
      const next = clone(current);
      const nmeta = next.metadata;
      const finalizers = new Set(nmeta.finalizers ?? []);
      const policy =
        opts.propagationPolicy ??
        (opts.orphanDependents === true
          ? 'Orphan'
          : opts.orphanDependents === false
            ? 'Background'
            : undefined);
      if (policy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      } else if (policy === 'Background') {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      const grace = this.strategy.gracePeriod?.(current, opts.gracePeriodSeconds) ?? 0;
      const now = this.deps.clock.now();
      const beingDeleted = !!meta.deletionTimestamp;
      const immediate = finalizers.size === 0 && grace === 0 && !this.deleteBlocked?.(current);

      if (!immediate) {
        if (!beingDeleted) {
          nmeta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
          nmeta.deletionGracePeriodSeconds = grace;
        } else if (grace < (meta.deletionGracePeriodSeconds ?? 0)) {
          // A shorter grace period may replace a longer one.
          nmeta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
          nmeta.deletionGracePeriodSeconds = grace;
        }
        if (finalizers.size) nmeta.finalizers = [...finalizers];
        else delete nmeta.finalizers;
        this.onDeleteMark?.(next, current);
        if (jsonEqual(next, current)) return { deleted: false, object: current };
        if (opts.dryRun) return { deleted: false, object: next };
        try {
          const kv = await this.deps.backend.update(
            key,
            this.codec.encode(key, next),
            Number(meta.resourceVersion),
          );
          nmeta.resourceVersion = String(kv.modRevision);
          return { deleted: false, object: next };
        } catch (err) {
          if (err instanceof ConflictError && attempt < MAX_RETRIES) {
            suggestion = this.fromConflict(err);
            continue;
          }
          if (err instanceof KeyNotFoundError) throw apiErrors.notFound(r.gr, name);
          throw err;
        }
      }
      if (opts.dryRun) return { deleted: true, object: current };
      try {
        const res = await this.deps.backend.delete(key, Number(meta.resourceVersion));
        const gone = { ...current, metadata: { ...current.metadata, resourceVersion: String(res.revision) } };
        await this.deps.hooks?.removed(gone);
        return { deleted: true, object: gone };
      } catch (err) {
        if (err instanceof ConflictError && attempt < MAX_RETRIES) {
          suggestion = this.fromConflict(err);
          continue;
        }
        if (err instanceof KeyNotFoundError) throw apiErrors.notFound(r.gr, name);
        throw err;
      }
    }
  }

  /** A hook for kinds whose deletion changes more than metadata (namespaces go Terminating). */
  onDeleteMark?: (next: StoredObject, current: StoredObject) => void;
  /** A hook for kinds that hold off deletion beyond metadata.finalizers (namespaces' spec.finalizers). */
  deleteBlocked?: (current: StoredObject) => boolean;
}

/**
 * The in-process {@link Client} of the controllers and the scheduler inside `k8ts server`: reads come
 * from the watch cache, writes go straight to the stores through the same steps as an HTTP request
 * (storage conversion, defaulting, admission, validation) without encoding, TLS or a socket. Objects
 * handed out are copies, so callers may change them as they would a decoded answer.
 */
import { apiErrors, ApiError } from '../../api/errors.js';
import { isObject, type KubeObject, type StoredObject } from '../../api/meta.js';
import { parseFieldSelector } from '../../api/selectors/fields.js';
import { parseLabelSelector } from '../../api/selectors/labels.js';
import type { AdmissionAttributes, Operation } from '../../apiserver/admission/types.js';
import type { HandlerDeps } from '../../apiserver/handlers/context.js';
import { present } from '../../apiserver/handlers/encode.js';
import type { ServedResource } from '../../apiserver/served.js';
import type { UserInfo } from '../../auth/types.js';
import type {
  ApiObject,
  Client,
  DeleteOptions,
  ListOptions,
  ObjectList,
  PatchType,
  RawResponse,
  ResourceClient,
  ResourceRef,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '../../client/types.js';
import { objectKey } from '../../registry/keys.js';
import type { ResourceCache } from '../../registry/cache/resource-cache.js';
import type { CacheEvent } from '../../registry/cache/types.js';
import { bindPod } from '../../registry/strategies/core/index.js';
import { evictionDeleteOptions } from '../../api/policy/eviction.js';
import { evictPod } from '../../apiserver/handlers/eviction.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';

const PATCH_MEDIA: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** The served resource of `ref` and its store and cache; throws 404 like the server for unknown ones. */
export interface LocalResource {
  served: ServedResource;
  store: Store;
  cache: ResourceCache;
}

/** Finds what serves `ref` in this process. */
export function localResource(deps: HandlerDeps, ref: ResourceRef): LocalResource {
  const served = deps.served.get(ref.group, ref.version, ref.resource);
  const store = served?.store;
  const cache = store && deps.served.cache(store.resource.group, store.resource.gr.resource);
  if (!served || !store || !cache) throw apiErrors.pathNotFound();
  return { served, store, cache };
}

/** A {@link Client} that acts as `user` on the stores of this process. */
export class LocalClient implements Client {
  constructor(
    private readonly deps: HandlerDeps,
    private readonly user: UserInfo,
  ) {}

  resource<T extends ApiObject = ApiObject>(ref: ResourceRef, namespace?: string): ResourceClient<T> {
    return new LocalResourceClient<T>(this.deps, this.user, localResource(this.deps, ref), namespace ?? '');
  }

  raw(): Promise<RawResponse> {
    return Promise.reject(new Error('raw requests are not available in-process'));
  }

  close(): void {}
}

class LocalResourceClient<T extends ApiObject> implements ResourceClient<T> {
  constructor(
    private readonly deps: HandlerDeps,
    private readonly user: UserInfo,
    private readonly r: LocalResource,
    private readonly namespace: string,
  ) {}

  private ctx(): StrategyContext {
    return { user: this.user, namespace: this.namespace, now: () => this.deps.clock.now() };
  }

  private out(obj: StoredObject | KubeObject): T {
    const shown = present(this.r.served, obj);
    return structuredClone(shown) as T;
  }

  private toStorage(obj: KubeObject): KubeObject {
    const s = this.r.served;
    const copy = structuredClone(obj);
    const t = s.type;
    copy.apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
    copy.kind = t.kind;
    const meta = (copy.metadata ??= {});
    if (t.namespaced) {
      if (meta.namespace && this.namespace && meta.namespace !== this.namespace)
        throw apiErrors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      meta.namespace = this.namespace || meta.namespace;
    } else delete meta.namespace;
    const stored = s.converter ? s.converter.toStorage(copy) : copy;
    s.strategy.defaults?.(stored);
    return stored;
  }

  /** The store's admission hooks: mutating before validation, validating after (as over HTTP). */
  private admit(operation: Operation, subresource: string, dryRun: boolean) {
    const attrs = (obj: StoredObject, old: StoredObject | undefined): AdmissionAttributes => ({
      operation,
      resource: this.r.served.type,
      subresource,
      namespace: this.namespace,
      name: obj.metadata?.name ?? '',
      object: obj,
      oldObject: old,
      user: this.user,
      dryRun,
    });
    return {
      admit: (obj: StoredObject, old: StoredObject | undefined) => this.deps.admission.admit(attrs(obj, old)),
      validateAdmission: (obj: StoredObject, old: StoredObject | undefined) =>
        this.deps.admission.validate(attrs(obj, old)),
    };
  }

  private nsFor(obj: KubeObject): string {
    return this.r.served.type.namespaced ? this.namespace || (obj.metadata?.namespace ?? '') : '';
  }

  /** This client's namespace, or the object's when the client addresses all namespaces. */
  private scoped(obj: KubeObject): LocalResourceClient<T> {
    const ns = this.nsFor(obj);
    return ns === this.namespace ? this : new LocalResourceClient<T>(this.deps, this.user, this.r, ns);
  }

  async get(name: string): Promise<T> {
    const c = await this.r.store.get(this.namespace, name, '0');
    return this.out(c.object);
  }

  async list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const labels = parseLabelSelector(opts.labelSelector ?? '');
    const fields = parseFieldSelector(opts.fieldSelector ?? '');
    const items: T[] = [];
    for (const c of this.r.cache.values(this.namespace))
      if (labels.matches(c.labels) && fields.matches(c.fields)) items.push(this.out(c.object));
    const t = this.r.served.type;
    return {
      apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
      kind: `${t.kind}List`,
      metadata: { resourceVersion: String(this.r.cache.revision) },
      items,
    };
  }

  async create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const me = this.scoped(obj);
    if (me !== this) return me.create(obj, opts);
    const dry = opts.dryRun ?? false;
    const created = await this.r.store.create(this.toStorage(obj), this.ctx(), {
      dryRun: dry,
      ...this.admit('CREATE', '', dry),
    });
    return this.out(created);
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, '', opts);
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, 'status', opts);
  }

  private async put(obj: T, subresource: '' | 'status', opts: WriteOptions): Promise<T> {
    const me = this.scoped(obj);
    if (me !== this) return me.put(obj, subresource, opts);
    const name = obj.metadata.name ?? '';
    const dry = opts.dryRun ?? false;
    const { object } = await this.r.store.update(name, this.toStorage(obj), this.ctx(), {
      dryRun: dry,
      subresource,
      ...this.admit('UPDATE', subresource, dry),
    });
    return this.out(object);
  }

  async patch(
    name: string,
    type: PatchType,
    body: unknown,
    opts: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    const sub = opts.subresource ?? '';
    if (sub !== '' && sub !== 'status') throw apiErrors.pathNotFound();
    const dry = opts.dryRun ?? false;
    const patch = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const s = this.r.served;
    const patched = await this.r.store.mutate(
      name,
      this.ctx(),
      { dryRun: dry, subresource: sub, ...this.admit('UPDATE', sub, dry) },
      (current) => {
        const after = this.deps.schema.applyPatch(s, present(s, current), patch, PATCH_MEDIA[type]);
        if (after.metadata?.name !== undefined && after.metadata.name !== name)
          throw apiErrors.invalid(s.type.group, s.type.kind, name, [
            {
              type: 'FieldValueInvalid',
              field: 'metadata.name',
              badValue: after.metadata.name,
              detail: 'field is immutable',
            },
          ]);
        return this.toStorage(after) as StoredObject;
      },
    );
    return this.out(patched);
  }

  async delete(name: string, opts: DeleteOptions = {}): Promise<T | KubeObject> {
    const current = await this.r.store.get(this.namespace, name, '0');
    const dry = opts.dryRun ?? false;
    await this.deps.admission.run({
      operation: 'DELETE',
      resource: this.r.served.type,
      subresource: '',
      namespace: this.namespace,
      name,
      oldObject: current.object,
      user: this.user,
      dryRun: dry,
    });
    const res = await this.r.store.delete(name, this.ctx(), {
      dryRun: dry,
      gracePeriodSeconds: opts.gracePeriodSeconds,
      preconditions: opts.preconditions,
      propagationPolicy: opts.propagationPolicy,
    });
    if (!res.deleted) return this.out(res.object);
    const t = this.r.served.type;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, kind: t.plural, uid: res.object.metadata.uid, ...(t.group ? { group: t.group } : {}) },
    } as KubeObject;
  }

  async createSubresource(name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    const t = this.r.served.type;
    if (t.group === '' && t.plural === 'pods' && subresource === 'eviction') return this.evict(name, body);
    if (t.group !== '' || t.plural !== 'pods' || subresource !== 'binding')
      throw new ApiError(405, 'MethodNotAllowed', `${t.plural}/${subresource} is not available in-process`);
    if (!isObject(body)) throw apiErrors.badRequest('the body must be a v1 Binding object');
    const binding = structuredClone(body);
    (binding.metadata ??= {}).name ||= name;
    await this.r.store.mutate(name, this.ctx(), { dryRun: false, subresource: 'binding' }, (pod) => {
      const result = bindPod(pod, binding, name, this.deps.clock.now());
      if (result.error) throw result.error;
      return result.pod as StoredObject;
    });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as KubeObject;
  }

  /** pods/eviction, as the HTTP handler: PodDisruptionBudgets decide; a refusal rejects. */
  private async evict(name: string, body: KubeObject): Promise<KubeObject> {
    if (!isObject(body)) throw apiErrors.badRequest('the body must be a policy/v1 Eviction object');
    const eviction = structuredClone(body);
    (eviction.metadata ??= {}).name ||= name;
    const opts = evictionDeleteOptions(eviction, name);
    const dryRun = (opts.dryRun ?? []).length > 0;
    await this.deps.admission.run({
      operation: 'CREATE',
      resource: this.r.served.type,
      subresource: 'eviction',
      namespace: this.namespace,
      name,
      object: eviction,
      user: this.user,
      dryRun,
    });
    const pre = opts.preconditions;
    const status = await evictPod(this.deps, this.ctx(), name, {
      dryRun,
      gracePeriodSeconds: opts.gracePeriodSeconds ?? undefined,
      preconditions: pre
        ? { uid: pre.uid ?? undefined, resourceVersion: pre.resourceVersion ?? undefined }
        : undefined,
      propagationPolicy: (opts.propagationPolicy as DeleteOptions['propagationPolicy']) ?? undefined,
      orphanDependents: opts.orphanDependents ?? undefined,
    });
    const code = Number(status['code']) || 201;
    if (code >= 400) throw new ApiError(code, '', String(status['message'] ?? ''));
    return status;
  }

  async *watch(opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const labels = parseLabelSelector(opts.labelSelector ?? '');
    const fields = parseFieldSelector(opts.fieldSelector ?? '');
    const queue: (CacheEvent | null)[] = [];
    let wake: (() => void) | undefined;
    const push = (ev: CacheEvent | null): void => {
      queue.push(ev);
      wake?.();
    };
    const rv = opts.resourceVersion ? Number(opts.resourceVersion) : this.r.cache.revision;
    const stop = this.r.cache.watch({
      afterRevision: rv,
      initialEvents: !opts.resourceVersion,
      sink: {
        deliver: (ev) => {
          push(ev);
          return true;
        },
        close: () => push(null),
      },
    });
    const abort = (): void => push(null);
    opts.signal?.addEventListener('abort', abort);
    try {
      for (;;) {
        const ev = queue.shift();
        if (ev === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        if (ev === null) return;
        const o = ev.object;
        if (this.namespace && o.namespace !== this.namespace) continue;
        if (!labels.matches(o.labels) || !fields.matches(o.fields)) continue;
        yield { type: ev.type, object: this.out(o.object) };
      }
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      stop();
    }
  }
}

/** The cache key of `namespace/name` (or `name`) under a cache's prefix. */
export function cacheKey(cache: ResourceCache, key: string): string {
  const slash = key.indexOf('/');
  return slash < 0
    ? objectKey(cache.prefix, '', key)
    : objectKey(cache.prefix, key.slice(0, slash), key.slice(slash + 1));
}

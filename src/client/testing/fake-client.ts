/**
 * An in-memory {@link Client} for unit tests of code built on the client (informers, controllers, the
 * agent): objects with resourceVersions, list, watch with history replay, and knobs a test turns to
 * make the awkward cases happen on cue — compaction (410 on watch), broken or ended watch streams,
 * failing calls. Not a server: no validation, defaulting, admission or finalizers.
 */
import { randomUUID } from 'node:crypto';
import { apiErrors, type ApiError } from '../../api/errors.js';
import { isObject, type KubeObject } from '../../api/meta.js';
import {
  objectKey,
  type ApiObject,
  type Client,
  type DeleteOptions,
  type ListOptions,
  type ObjectList,
  type PatchType,
  type RawResponse,
  type ResourceClient,
  type ResourceRef,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from '../types.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Change {
  ref: string;
  rv: number;
  type: EventType;
  object: ApiObject;
}

/** Calls a test can fail on purpose. */
export type FakeCall = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.resource}`;
}

function apiVersionOf(ref: ResourceRef): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated. */
export function matchesLabels(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (!term) return true;
    const ne = term.indexOf('!=');
    if (ne > 0) return labels[term.slice(0, ne).trim()] !== term.slice(ne + 2).trim();
    const eq = term.indexOf('=');
    if (eq > 0) return labels[term.slice(0, eq).trim()] === term.slice(eq).replace(/^==?/, '').trim();
    if (term.startsWith('!')) return !(term.slice(1).trim() in labels);
    return term in labels;
  });
}

/** Field selectors on dotted paths: `spec.nodeName=n1,metadata.name!=x`. */
export function matchesFields(selector: string | undefined, obj: ApiObject): boolean {
  if (!selector) return true;
  const valueAt = (path: string): string => {
    let v: unknown = obj;
    for (const part of path.split('.')) v = isObject(v) ? v[part] : undefined;
    return v === undefined || v === null ? '' : String(v as string | number | boolean);
  };
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (!term) return true;
    const ne = term.indexOf('!=');
    if (ne > 0) return valueAt(term.slice(0, ne)) !== term.slice(ne + 2);
    const eq = term.indexOf('=');
    if (eq < 0) return true;
    return valueAt(term.slice(0, eq)) === term.slice(eq).replace(/^==?/, '');
  });
}

/** One open fake watch stream. */
class FakeWatch {
  queue: (WatchEvent | Error | 'end')[] = [];
  wake: (() => void) | undefined;
  constructor(
    readonly ref: string,
    readonly matches: (obj: ApiObject) => boolean,
  ) {}
  push(item: WatchEvent | Error | 'end'): void {
    this.queue.push(item);
    this.wake?.();
  }
}

/** The in-memory client. */
export class FakeClient implements Client {
  /** The last resourceVersion handed out. */
  rv = 0;
  /** Watches from a resourceVersion below this get a 410 Expired ERROR event. */
  compactedRv = 0;
  /** Every call, e.g. `list pods ns=default rv= limit=500`, `watch pods rv=7`. */
  readonly calls: string[] = [];
  /** Objects by ref, then key. LIST honours `limit`; its continue tokens are offsets. */
  private readonly objects = new Map<string, Map<string, ApiObject>>();
  private readonly history: Change[] = [];
  private readonly watches = new Set<FakeWatch>();
  private readonly failures: { call: FakeCall; error: Error; skip: number }[] = [];

  /**
   * Makes a coming `call` fail with `error`: the next one, or the one after `skip` more (queued:
   * several may wait).
   */
  failNext(call: FakeCall, error: Error, skip = 0): void {
    this.failures.push({ call, error, skip });
  }

  /** Drops history: watches from older resourceVersions get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
  }

  /** Number of open watch streams. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Ends every open watch stream cleanly (as a server timeout does). */
  endWatches(): void {
    for (const w of this.watches) w.push('end');
  }

  /** Breaks every open watch stream with a transport error. */
  breakWatches(message = 'connection reset'): void {
    for (const w of this.watches) w.push(new Error(message));
  }

  /** Sends an ERROR event with `status` to every open watch. */
  sendWatchError(err: ApiError): void {
    for (const w of this.watches) w.push({ type: 'ERROR', object: err.status as unknown as ApiObject });
  }

  /** Sends a BOOKMARK at the current resourceVersion to every open watch of `ref`. */
  sendBookmark(ref: ResourceRef): void {
    for (const w of this.watches) {
      if (w.ref !== refKey(ref)) continue;
      w.push({
        type: 'BOOKMARK',
        object: {
          apiVersion: apiVersionOf(ref),
          kind: ref.kind,
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  private takeFailure(call: FakeCall): void {
    const i = this.failures.findIndex((f) => f.call === call);
    const f = this.failures[i];
    if (!f) return;
    if (f.skip > 0) {
      f.skip--;
      return;
    }
    this.failures.splice(i, 1);
    throw f.error;
  }

  private bucket(ref: ResourceRef): Map<string, ApiObject> {
    let b = this.objects.get(refKey(ref));
    if (!b) this.objects.set(refKey(ref), (b = new Map()));
    return b;
  }

  private record(ref: ResourceRef, type: EventType, object: ApiObject): void {
    const change: Change = { ref: refKey(ref), rv: this.rv, type, object };
    this.history.push(change);
    for (const w of this.watches) {
      if (w.ref === change.ref && w.matches(object)) w.push({ type, object: structuredClone(object) });
    }
  }

  /** Stores `obj` as the server would (new resourceVersion, uid) and notifies watches; returns a copy. */
  put(ref: ResourceRef, obj: KubeObject): ApiObject {
    const stored = structuredClone(obj) as ApiObject;
    stored.metadata ??= {};
    stored.apiVersion ||= apiVersionOf(ref);
    stored.kind ||= ref.kind;
    const key = objectKey(stored);
    const b = this.bucket(ref);
    const old = b.get(key);
    stored.metadata.uid ??= old?.metadata.uid ?? randomUUID();
    stored.metadata.resourceVersion = String(++this.rv);
    b.set(key, stored);
    this.record(ref, old ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored);
  }

  /** Removes the object at `key` (`ns/name` or `name`) and notifies watches. */
  remove(ref: ResourceRef, key: string): ApiObject | undefined {
    const b = this.bucket(ref);
    const old = b.get(key);
    if (!old) return undefined;
    b.delete(key);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record(ref, 'DELETED', gone);
    return gone;
  }

  /** The stored objects of `ref` (copies). */
  stored(ref: ResourceRef): ApiObject[] {
    return [...this.bucket(ref).values()].map((o) => structuredClone(o));
  }

  resource<T extends ApiObject = ApiObject>(ref: ResourceRef, namespace?: string): ResourceClient<T> {
    return new FakeResourceClient<T>(this, ref, namespace || undefined);
  }

  raw(): Promise<RawResponse> {
    return Promise.resolve({ status: 404, headers: {}, body: Buffer.from('{}') });
  }

  close(): void {
    this.endWatches();
  }

  // Used by FakeResourceClient --------------------------------------------------------------------

  /** @internal */
  doList(ref: ResourceRef, ns: string | undefined, opts: ListOptions): ObjectList {
    this.calls.push(
      `list ${ref.resource}${ns ? ` ns=${ns}` : ''}${opts.limit ? ` limit=${opts.limit}` : ''}${opts.continue ? ` continue=${opts.continue}` : ''}`,
    );
    this.takeFailure('list');
    const all = [...this.bucket(ref).values()].filter(
      (o) =>
        (!ns || o.metadata.namespace === ns) &&
        matchesLabels(opts.labelSelector, o.metadata.labels) &&
        matchesFields(opts.fieldSelector, o),
    );
    all.sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const start = opts.continue ? Number(opts.continue) : 0;
    const end = opts.limit ? start + opts.limit : all.length;
    const items = all.slice(start, end).map((o) => {
      const copy = structuredClone(o) as Partial<ApiObject>;
      delete copy.apiVersion; // as on the wire: list items carry no type meta
      delete copy.kind;
      return copy as ApiObject;
    });
    const metadata: ObjectList['metadata'] = { resourceVersion: String(this.rv) };
    if (end < all.length) metadata.continue = String(end);
    return { apiVersion: apiVersionOf(ref), kind: `${ref.kind}List`, metadata, items };
  }

  /** @internal */
  async *doWatch<T extends ApiObject>(
    ref: ResourceRef,
    ns: string | undefined,
    opts: WatchOptions,
  ): AsyncGenerator<WatchEvent<T>> {
    this.calls.push(`watch ${ref.resource}${ns ? ` ns=${ns}` : ''} rv=${opts.resourceVersion ?? ''}`);
    this.takeFailure('watch');
    const from = Number(opts.resourceVersion || this.rv);
    if (opts.resourceVersion && from < this.compactedRv) {
      const gone = apiErrors.resourceVersionTooOld(from, this.compactedRv);
      yield { type: 'ERROR', object: gone.status as unknown as T };
      return;
    }
    const w = new FakeWatch(
      refKey(ref),
      (o) =>
        (!ns || o.metadata.namespace === ns) &&
        matchesLabels(opts.labelSelector, o.metadata.labels) &&
        matchesFields(opts.fieldSelector, o),
    );
    for (const c of this.history) {
      if (c.ref === w.ref && c.rv > from && w.matches(c.object))
        w.queue.push({ type: c.type, object: structuredClone(c.object) });
    }
    this.watches.add(w);
    const signal = opts.signal;
    const onAbort = (): void => w.push('end');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const item = w.queue.shift();
        if (item === undefined) {
          await new Promise<void>((resolve) => (w.wake = resolve));
          w.wake = undefined;
          continue;
        }
        if (item === 'end' || signal?.aborted) return;
        if (item instanceof Error) throw item;
        yield item as WatchEvent<T>;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.watches.delete(w);
    }
  }

  /** @internal */
  fail(call: FakeCall): void {
    this.takeFailure(call);
  }
}

class FakeResourceClient<T extends ApiObject> implements ResourceClient<T> {
  constructor(
    private readonly fake: FakeClient,
    private readonly ref: ResourceRef,
    private readonly namespace: string | undefined,
  ) {}

  private key(name: string, obj?: KubeObject): string {
    const ns = this.ref.namespaced ? this.namespace || obj?.metadata?.namespace : undefined;
    return ns ? `${ns}/${name}` : name;
  }

  private gr(): { group: string; resource: string } {
    return { group: this.ref.group, resource: this.ref.resource };
  }

  private current(name: string): ApiObject {
    const found = this.fake.stored(this.ref).find((o) => objectKey(o) === this.key(name));
    if (!found) throw apiErrors.notFound(this.gr(), name);
    return found;
  }

  get(name: string): Promise<T> {
    return Promise.resolve().then(() => {
      this.fake.calls.push(`get ${this.ref.resource} ${this.key(name)}`);
      this.fake.fail('get');
      return this.current(name) as T;
    });
  }

  list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    return Promise.resolve().then(() => this.fake.doList(this.ref, this.namespace, opts) as ObjectList<T>);
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return Promise.resolve().then(() => {
      const name = obj.metadata?.name ?? '';
      this.fake.calls.push(`create ${this.ref.resource} ${this.key(name, obj)}`);
      this.fake.fail('create');
      if (this.fake.stored(this.ref).some((o) => objectKey(o) === this.key(name, obj)))
        throw apiErrors.alreadyExists(this.gr(), name);
      const copy = structuredClone(obj);
      if (this.ref.namespaced)
        copy.metadata = { ...copy.metadata, namespace: this.namespace || obj.metadata?.namespace };
      if (opts.dryRun) return copy;
      return this.fake.put(this.ref, copy) as T;
    });
  }

  private replace(obj: T, what: string, opts: WriteOptions): Promise<T> {
    return Promise.resolve().then(() => {
      const name = obj.metadata?.name ?? '';
      this.fake.calls.push(`${what} ${this.ref.resource} ${this.key(name, obj)}`);
      this.fake.fail('update');
      const cur = this.current(name);
      const rv = obj.metadata?.resourceVersion;
      if (rv && rv !== cur.metadata.resourceVersion) throw apiErrors.staleUpdate(this.gr(), name);
      if (opts.dryRun) return obj;
      return this.fake.put(this.ref, obj) as T;
    });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.replace(obj, 'update', opts);
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.replace(obj, 'updateStatus', opts);
  }

  patch(name: string, type: PatchType, body: unknown): Promise<T> {
    return Promise.resolve().then(() => {
      this.fake.calls.push(`patch ${this.ref.resource} ${this.key(name)} ${type}`);
      this.fake.fail('patch');
      if (type === 'json') throw apiErrors.unsupportedMediaType('application/json-patch+json');
      const merged = mergePatch(this.current(name), body) as T;
      return this.fake.put(this.ref, merged) as T;
    });
  }

  delete(name: string, _opts?: DeleteOptions): Promise<T | KubeObject> {
    return Promise.resolve().then(() => {
      this.fake.calls.push(`delete ${this.ref.resource} ${this.key(name)}`);
      this.fake.fail('delete');
      this.current(name);
      return this.fake.remove(this.ref, this.key(name)) as T;
    });
  }

  createSubresource(name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    return Promise.resolve().then(() => {
      this.fake.calls.push(`create ${this.ref.resource}/${subresource} ${this.key(name)}`);
      this.fake.fail('create');
      this.current(name);
      return body;
    });
  }

  watch(opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    return this.fake.doWatch<T>(this.ref, this.namespace, opts);
  }
}

/** RFC 7386 merge patch (strategic patches are treated the same in the fake). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

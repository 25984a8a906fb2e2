/**
 * The API client contract: what the node agent, controllers, the scheduler and hollow nodes use to
 * talk to the API server. One implementation speaks HTTPS (HTTP/2) with the credentials of a
 * kubeconfig; everything above it sees only these interfaces, so tests can point it at any server.
 */
import type { KubeObject, ObjectMeta } from '../api/meta.js';

/** An object as the server returns it: metadata always present. */
export interface ApiObject extends KubeObject {
  metadata: ObjectMeta;
}

/** Which collection a {@link ResourceClient} addresses. */
export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower case (the URL segment): `pods`. */
  resource: string;
  /** Kind of the objects, set on objects that are sent without one. */
  kind: string;
  namespaced: boolean;
}

/** Query parameters of LIST and WATCH. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** Query parameters of WATCH. */
export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Ends the watch (the iterator returns). */
  signal?: AbortSignal;
}

/** A LIST answer. */
export interface ObjectList<T extends ApiObject = ApiObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** One watch event. ERROR carries a `Status` as object (e.g. 410 Expired). */
export interface WatchEvent<T extends ApiObject = ApiObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** Options of writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** metav1.DeleteOptions, sent as the DELETE body. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Patch content types by short name. */
export type PatchType = 'json' | 'merge' | 'strategic';

/**
 * Typed access to one collection (one namespace, or all namespaces / cluster scope when the
 * namespace is omitted). Non-2xx answers reject with `ApiError` (src/api/errors.ts) rebuilt from the
 * server's `Status`, so callers test `err.code === 404`, `err.reason === 'Conflict'`, and so on.
 */
export interface ResourceClient<T extends ApiObject = ApiObject> {
  get(name: string, opts?: { resourceVersion?: string }): Promise<T>;
  list(opts?: ListOptions): Promise<ObjectList<T>>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT …/{name}/status. */
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  /** PATCH …/{name}[/{subresource}]. */
  patch(
    name: string,
    type: PatchType,
    body: unknown,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T>;
  /** Resolves with the object (still terminating, or as it was deleted) or the server's Status. */
  delete(name: string, opts?: DeleteOptions): Promise<T | KubeObject>;
  /** POST …/{name}/{subresource} (binding, eviction): the server's answer. */
  createSubresource(name: string, subresource: string, body: KubeObject): Promise<KubeObject>;
  /**
   * WATCH as an async iterator. Ends when the server closes the stream (timeout) or the signal
   * aborts; ERROR events are yielded, not thrown.
   */
  watch(opts?: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** A raw answer, for what the typed clients do not cover (logs, discovery, /healthz). */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Per-request options of {@link Client.raw}. */
export interface RawRequestOptions {
  /** Cancels the request (it rejects). */
  signal?: AbortSignal;
  /** Deadline of this request in ms, overriding the client's (0 = none). */
  timeoutMs?: number;
}

/** The client. */
export interface Client {
  /** The collection `ref` in `namespace` (omit for cluster-scoped kinds or all namespaces). */
  resource<T extends ApiObject = ApiObject>(ref: ResourceRef, namespace?: string): ResourceClient<T>;
  /** One request; resolves with any status code, rejects only on transport errors. */
  raw(
    method: string,
    path: string,
    body?: Buffer | string,
    headers?: Record<string, string>,
    opts?: RawRequestOptions,
  ): Promise<RawResponse>;
  /** Closes connections; pending requests fail. */
  close(): void;
}

/** Event handlers of an {@link Informer}. */
export interface InformerHandlers<T extends ApiObject = ApiObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  /** `obj` is the last state known (a relist may find an object gone without its final state). */
  delete?(obj: T): void;
}

/**
 * A shared, watch-fed cache of one collection (list then watch, relisting after 410 Gone or a broken
 * stream, with backoff). Objects in the cache are shared: never mutate them, clone first.
 */
export interface Informer<T extends ApiObject = ApiObject> {
  /** Registers handlers; objects already cached are replayed as `add`. Returns an unregister function. */
  addHandlers(h: InformerHandlers<T>): () => void;
  /** Adds an index: `fn` gives the index values of an object. Call before `start`. */
  addIndex(name: string, fn: (obj: T) => string[]): void;
  /** Starts list+watch; stops when the signal aborts. */
  start(signal: AbortSignal): void;
  /** True after the first LIST was loaded. */
  hasSynced(): boolean;
  /** Resolves once synced (rejects when the signal aborts first). */
  waitForSync(signal?: AbortSignal): Promise<void>;
  /** `namespace/name` (or `name` for cluster-scoped objects). */
  get(key: string): T | undefined;
  list(): T[];
  byIndex(name: string, value: string): T[];
  /** resourceVersion of the last event or list seen. */
  lastSyncResourceVersion(): string;
}

/** `namespace/name`, or `name` for objects without a namespace: the key of caches and workqueues. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

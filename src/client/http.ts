/**
 * The HTTPS (HTTP/2) implementation of {@link Client}: typed resource clients over one
 * {@link Transport}, JSON in and out, non-2xx answers turned into `ApiError`.
 */
import type { KubeObject } from '../api/meta.js';
import { VERSION } from '../version.js';
import type { Logger } from '../util/log.js';
import { loadKubeconfig, type ClientConfig, type KubeconfigLoadOptions } from './kubeconfig.js';
import {
  PATCH_CONTENT_TYPES,
  deleteBody,
  listQuery,
  resourcePath,
  watchQuery,
  withQuery,
  writeQuery,
} from './paths.js';
import { errorFromResponse } from './status.js';
import { Transport } from './transport.js';
import type {
  ApiObject,
  Client,
  DeleteOptions,
  ListOptions,
  ObjectList,
  PatchType,
  RawRequestOptions,
  RawResponse,
  ResourceClient,
  ResourceRef,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './types.js';
import { watchStream } from './watch.js';

/** Options of {@link createClient}: where and who, plus tuning. */
export interface CreateClientOptions extends ClientConfig {
  /** Names the caller in the User-Agent: `k8ts/<version> (<component>)` (default `client`). */
  component?: string;
  /** Replaces the whole User-Agent. */
  userAgent?: string;
  /** Deadline of every non-watch request (default 30 s; 0 = none). */
  timeoutMs?: number;
  /** HTTP/2 ping interval while streams are open (default 30 s; 0 = never). */
  pingIntervalMs?: number;
  /** Drop the session when a ping goes unanswered this long (default 15 s). */
  pingTimeoutMs?: number;
  logger?: Logger;
}

/** `k8ts/v1.33.0+k8ts.0.1.0 (kubelet)`. */
export function userAgent(component = 'client'): string {
  return `k8ts/${VERSION.gitVersion} (${component})`;
}

const JSON_TYPE = 'application/json';

/** The apiVersion string of a ref: `v1` or `apps/v1`. */
function apiVersionOf(ref: ResourceRef): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

/** `obj` with apiVersion and kind filled in from `ref` when it lacks them (a copy; `obj` is untouched). */
export function withTypeMeta<T extends KubeObject>(ref: ResourceRef, obj: T): T {
  if (obj.apiVersion && obj.kind) return obj;
  return { ...obj, apiVersion: obj.apiVersion || apiVersionOf(ref), kind: obj.kind || ref.kind };
}

class HttpResourceClient<T extends ApiObject> implements ResourceClient<T> {
  constructor(
    private readonly transport: Transport,
    private readonly ref: ResourceRef,
    private readonly namespace: string | undefined,
  ) {}

  /** The namespace of a single-object request: the client's, else the object's. */
  private nsFor(name: string, obj?: KubeObject): string | undefined {
    if (!this.ref.namespaced) return undefined;
    const ns = this.namespace || obj?.metadata?.namespace;
    if (!ns) throw new Error(`${this.ref.kind} ${JSON.stringify(name)}: a namespace is required`);
    return ns;
  }

  private async call<R>(method: string, path: string, body?: unknown, contentType = JSON_TYPE): Promise<R> {
    const payload =
      body === undefined
        ? undefined
        : typeof body === 'string' || Buffer.isBuffer(body)
          ? body
          : JSON.stringify(body);
    const res = await this.transport.request({
      method,
      path,
      body: payload,
      headers: payload === undefined ? undefined : { 'content-type': contentType },
    });
    return decode<R>(method, path, res);
  }

  get(name: string, opts: { resourceVersion?: string } = {}): Promise<T> {
    const path = resourcePath(this.ref, { namespace: this.nsFor(name), name });
    return this.call<T>('GET', withQuery(path, { resourceVersion: opts.resourceVersion || undefined }));
  }

  async list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const path = resourcePath(this.ref, { namespace: this.namespace });
    const list = await this.call<ObjectList<T>>('GET', withQuery(path, listQuery(opts)));
    if (!Array.isArray(list.items)) list.items = [];
    list.metadata ??= {};
    // Items of a list carry no type meta on the wire; give them the list's so they stand alone.
    const apiVersion = apiVersionOf(this.ref);
    for (const item of list.items) {
      item.apiVersion ||= apiVersion;
      item.kind ||= this.ref.kind;
    }
    return list;
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = this.ref.namespaced ? this.namespace || obj.metadata?.namespace : undefined;
    if (this.ref.namespaced && !namespace)
      throw new Error(
        `${this.ref.kind} ${JSON.stringify(obj.metadata?.name ?? '')}: a namespace is required`,
      );
    const path = resourcePath(this.ref, { namespace });
    return this.call<T>('POST', withQuery(path, writeQuery(opts)), withTypeMeta(this.ref, obj));
  }

  private put(obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const name = obj.metadata?.name ?? '';
    const path = resourcePath(this.ref, { namespace: this.nsFor(name, obj), name, subresource });
    return this.call<T>('PUT', withQuery(path, writeQuery(opts)), withTypeMeta(this.ref, obj));
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, undefined, opts);
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, 'status', opts);
  }

  patch(
    name: string,
    type: PatchType,
    body: unknown,
    opts: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    const path = resourcePath(this.ref, { namespace: this.nsFor(name), name, subresource: opts.subresource });
    return this.call<T>('PATCH', withQuery(path, writeQuery(opts)), body, PATCH_CONTENT_TYPES[type]);
  }

  delete(name: string, opts: DeleteOptions = {}): Promise<T | KubeObject> {
    const path = resourcePath(this.ref, { namespace: this.nsFor(name), name });
    return this.call<T | KubeObject>('DELETE', path, deleteBody(opts));
  }

  createSubresource(name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    const path = resourcePath(this.ref, { namespace: this.nsFor(name), name, subresource });
    return this.call<KubeObject>('POST', path, body);
  }

  watch(opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const path = resourcePath(this.ref, { namespace: this.namespace });
    return watchStream<T>(this.transport, {
      method: 'GET',
      path: withQuery(path, watchQuery(opts)),
      signal: opts.signal,
    });
  }
}

/** Parses a JSON answer, or throws the `ApiError` of a non-2xx one. */
function decode<R>(method: string, path: string, res: RawResponse): R {
  if (res.status < 200 || res.status >= 300) {
    const retryAfter = res.headers['retry-after'];
    throw errorFromResponse(res.status, res.body, typeof retryAfter === 'string' ? retryAfter : undefined);
  }
  if (res.body.length === 0) return {} as R;
  try {
    return JSON.parse(res.body.toString('utf8')) as R;
  } catch {
    throw new Error(
      `${method} ${path}: HTTP ${res.status} with a body that is not JSON: ${res.body.toString('utf8').slice(0, 200)}`,
    );
  }
}

class HttpClient implements Client {
  constructor(private readonly transport: Transport) {}

  resource<T extends ApiObject = ApiObject>(ref: ResourceRef, namespace?: string): ResourceClient<T> {
    return new HttpResourceClient<T>(this.transport, ref, namespace || undefined);
  }

  raw(
    method: string,
    path: string,
    body?: Buffer | string,
    headers?: Record<string, string>,
    opts: RawRequestOptions = {},
  ): Promise<RawResponse> {
    return this.transport.request({
      method,
      path,
      body,
      headers,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** A client of the API server at `opts.server` with the given credentials. */
export function createClient(opts: CreateClientOptions): Client {
  const transport = new Transport({
    server: opts.server,
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
    token: opts.token,
    tokenFile: opts.tokenFile,
    insecureSkipTlsVerify: opts.insecureSkipTlsVerify,
    tlsServerName: opts.tlsServerName,
    userAgent: opts.userAgent ?? userAgent(opts.component),
    timeoutMs: opts.timeoutMs,
    pingIntervalMs: opts.pingIntervalMs,
    pingTimeoutMs: opts.pingTimeoutMs,
    logger: opts.logger,
  });
  return new HttpClient(transport);
}

/** A client with the credentials of a kubeconfig file (its current context unless one is named). */
export function clientFromKubeconfig(
  file: string,
  opts: KubeconfigLoadOptions & Omit<CreateClientOptions, keyof ClientConfig> = {},
): Client {
  return createClient({ ...loadKubeconfig(file, { context: opts.context }), ...opts });
}

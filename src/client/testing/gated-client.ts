/**
 * A {@link Client} wrapper for tests against a real server: a test can break every open watch and
 * hold new ones at a gate, so the code under test stays cut off while the test changes the server
 * (for example until its resourceVersion is compacted away), then let it reconnect.
 */
import type {
  ApiObject,
  Client,
  RawRequestOptions,
  RawResponse,
  ResourceClient,
  ResourceRef,
  WatchEvent,
  WatchOptions,
} from '../types.js';

/** Wraps `inner`; LIST, GET and writes pass through, WATCH goes through the gate. */
export class GatedClient implements Client {
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private readonly open_ = new Set<AbortController>();

  constructor(private readonly inner: Client) {}

  /** Holds new watches (and LISTs) until {@link letThrough}. */
  hold(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  /** Lets held and new calls through. */
  letThrough(): void {
    this.release?.();
    this.gate = undefined;
    this.release = undefined;
  }

  /** Closes the wrapped client. */
  close(): void {
    this.letThrough();
    this.inner.close();
  }

  /** Waits at the gate, or until `signal` aborts. */
  private passGate(signal?: AbortSignal): Promise<void> {
    const gate = this.gate;
    if (!gate || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      signal?.addEventListener('abort', () => resolve(), { once: true });
      void gate.then(resolve);
    });
  }

  /** Ends every open watch with an error, as a broken connection does. */
  breakWatches(): void {
    for (const ctl of this.open_) ctl.abort(new Error('connection broken by the test'));
  }

  raw(
    method: string,
    path: string,
    body?: Buffer | string,
    headers?: Record<string, string>,
    opts?: RawRequestOptions,
  ): Promise<RawResponse> {
    return this.inner.raw(method, path, body, headers, opts);
  }

  resource<T extends ApiObject = ApiObject>(ref: ResourceRef, namespace?: string): ResourceClient<T> {
    const rc = this.inner.resource<T>(ref, namespace);
    return {
      get: (name, opts) => rc.get(name, opts),
      list: async (opts) => {
        await this.passGate();
        return rc.list(opts);
      },
      create: (obj, opts) => rc.create(obj, opts),
      update: (obj, opts) => rc.update(obj, opts),
      updateStatus: (obj, opts) => rc.updateStatus(obj, opts),
      patch: (name, type, body, opts) => rc.patch(name, type, body, opts),
      delete: (name, opts) => rc.delete(name, opts),
      createSubresource: (name, sub, body) => rc.createSubresource(name, sub, body),
      watch: (opts) => this.watch(rc, opts),
    };
  }

  private async *watch<T extends ApiObject>(
    rc: ResourceClient<T>,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    await this.passGate(opts.signal);
    if (opts.signal?.aborted) return;
    const ctl = new AbortController();
    const outer = opts.signal;
    const onAbort = (): void => ctl.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    this.open_.add(ctl);
    try {
      yield* rc.watch({ ...opts, signal: ctl.signal });
      if (ctl.signal.aborted && !outer?.aborted) throw new Error('watch broken by the test');
    } finally {
      this.open_.delete(ctl);
      outer?.removeEventListener('abort', onAbort);
    }
  }
}

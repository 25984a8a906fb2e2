/**
 * The etcd v3 backend, for clusters with several servers. Each write is one etcd transaction whose
 * compare does the optimistic check, so the write path has no extra read: create is "createRevision
 * == 0 → put", update is "modRevision == expected → put, else read the current value", delete is
 * likewise. Reads are linearizable ranges. The raw KV and Watch RPCs of the etcd3 client are used,
 * not its builders, to keep per-call work small.
 *
 * Retries: reads are retried on connection-level errors. A write is retried only when gRPC says it
 * never left this process (no connection to that endpoint, or its circuit breaker is open), so the
 * next attempt can go to another endpoint; a write that may have reached etcd is never repeated (a
 * repeated create whose first attempt committed would report KeyExistsError for its own key).
 */
import {
  CompareResult,
  CompareTarget,
  Etcd3,
  isRecoverableError,
  type IKeyValue,
  type IOptions,
  type IRangeRequest,
  type IRangeResponse,
  type KVClient,
} from 'etcd3';
import type { Backend, KeyValue, ListOptions, ListResult, WatchCallbacks, Watcher } from '../backend.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
} from '../backend.js';
import { listStart, prefixEndBytes } from '../keys.js';
import { componentLogger, type Logger } from '../../util/log.js';
import { parseEndpoints, tlsCredentials, type EtcdTlsFiles } from './options.js';
import { WatchMux } from './watch.js';

/** How to reach etcd. */
export interface EtcdBackendOptions {
  /** `http://127.0.0.1:2379,http://127.0.0.1:22379`, or a list; https needs {@link tls} or system roots. */
  endpoints: string | string[];
  tls?: EtcdTlsFiles;
  /** Prepended to every key in etcd (default none). Lets several stores share one etcd (tests). */
  keyPrefix?: string;
  /** Deadline of each unary request (default 15 s). */
  requestTimeoutMs?: number;
  logger?: Logger;
}

/** Where the compactor records the last compacted revision, as upstream's apiserver does. */
export const COMPACT_REV_KEY = 'compact_rev_key';

const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';
const EMPTY = Buffer.alloc(0);
/** gRPC errors for calls that were never sent to etcd. */
const NOT_SENT = /No connection established|circuit breaker is open/;

type GlobalPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** The signal handed to every call: nothing aborts calls through the policy, so one serves all. */
const NEVER_ABORTED = new AbortController().signal;

/** A client-wide policy that runs each call once: the backend decides what may be retried. */
const runOnce = {
  execute<T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
    return Promise.resolve().then(() => fn({ signal: NEVER_ABORTED }));
  },
  onSuccess: () => ({ dispose: (): void => undefined }),
  onFailure: () => ({ dispose: (): void => undefined }),
} as unknown as GlobalPolicy;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A {@link Backend} on an etcd v3 cluster. */
export class EtcdBackend implements Backend {
  readonly name = 'etcd';
  private readonly endpoints: string[];
  private readonly prefix: string;
  private readonly prefixBytes: Buffer;
  private readonly compactKey: Buffer;
  private readonly log: Logger;
  private readonly options: EtcdBackendOptions;
  private client: Etcd3 | undefined;
  private kvc: KVClient | undefined;
  private mux: WatchMux | undefined;
  private knownCompact = 0;

  constructor(opts: EtcdBackendOptions) {
    this.options = opts;
    this.endpoints = parseEndpoints(opts.endpoints);
    this.prefix = opts.keyPrefix ?? '';
    this.prefixBytes = Buffer.from(this.prefix);
    this.compactKey = Buffer.from(this.prefix + COMPACT_REV_KEY);
    this.log = opts.logger ?? componentLogger('storage', { backend: 'etcd' });
  }

  /** Connects and checks that etcd answers (reading the compact revision). */
  async start(): Promise<void> {
    if (this.client) return;
    const timeout = this.options.requestTimeoutMs ?? 15_000;
    const client = new Etcd3({
      hosts: this.endpoints,
      credentials: tlsCredentials(this.endpoints, this.options.tls),
      grpcOptions: {
        // Lists and catch-up watch batches can be far above gRPC's 4 MB default.
        'grpc.max_receive_message_length': -1,
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: { global: runOnce },
    });
    this.client = client;
    this.kvc = client.kv;
    this.mux = new WatchMux(client, this.prefixBytes.length, this.log);
    try {
      await this.compactRevision();
    } catch (err) {
      await this.close();
      throw new Error(`cannot reach etcd at ${this.endpoints.join(',')}: ${message(err)}`, { cause: err });
    }
    this.log.info({ endpoints: this.endpoints, compactRevision: this.knownCompact }, 'etcd store connected');
  }

  async close(): Promise<void> {
    this.mux?.close();
    this.client?.close();
    this.mux = undefined;
    this.client = undefined;
    this.kvc = undefined;
  }

  async currentRevision(): Promise<number> {
    const res = await this.read({ key: this.compactKey, count_only: true });
    return Number(res.header.revision);
  }

  /** The larger of what this process compacted and what `compact_rev_key` says. */
  async compactRevision(): Promise<number> {
    const res = await this.read({ key: this.compactKey });
    const stored = Number(res.kvs[0]?.value.toString() ?? '0');
    if (Number.isFinite(stored) && stored > this.knownCompact) this.knownCompact = stored;
    return this.knownCompact;
  }

  async get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const res = await this.read({ key: this.k(key), revision: revision || 0 }, revision);
    const first = res.kvs[0];
    return {
      kv: first ? this.toKv(first) : undefined,
      revision: revision || Number(res.header.revision),
    };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = this.k(listStart(prefix, opts.startKey));
    const res = await this.read(
      {
        key: start.length > 0 ? start : Buffer.from([0]),
        range_end: prefixEndBytes(this.k(prefix)),
        limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
        revision: opts.revision || 0,
      },
      opts.revision,
    );
    return {
      kvs: res.kvs.map((kv) => this.toKv(kv)),
      revision: opts.revision || Number(res.header.revision),
      more: res.more,
    };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    const k = this.k(prefix);
    const res = await this.read({
      key: k.length > 0 ? k : Buffer.from([0]),
      range_end: prefixEndBytes(k),
      count_only: true,
    });
    return { count: Number(res.count), revision: Number(res.header.revision) };
  }

  async create(key: string, value: Buffer): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(false, (kv) =>
      kv.txn({
        compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
        success: [{ request_put: { key: k, value } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(false, (kv) =>
      kv.txn({
        compare: [
          {
            key: k,
            target: CompareTarget.Mod,
            result: CompareResult.Equal,
            mod_revision: expectedModRevision,
          },
        ],
        success: [{ request_put: { key: k, value } }, { request_range: { key: k, keys_only: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.writeFailure(key, res.responses[0]?.response_range?.kvs[0]);
    const written = res.responses[1]?.response_range?.kvs[0];
    const rev = Number(res.header.revision);
    return { key, value, createRevision: written ? Number(written.create_revision) : 0, modRevision: rev };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    const k = this.k(key);
    const res = await this.call(false, (kv) =>
      kv.txn({
        compare: [
          expectedModRevision === undefined
            ? { key: k, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0 }
            : {
                key: k,
                target: CompareTarget.Mod,
                result: CompareResult.Equal,
                mod_revision: expectedModRevision,
              },
        ],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.writeFailure(key, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { revision: Number(res.header.revision), prevKv: this.toKv(prev) };
  }

  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watcher {
    const mux = this.mux;
    if (!mux) throw new Error('etcd backend is not started');
    const k = this.k(prefix);
    const w = mux.watch(
      prefix,
      k.length > 0 ? k : Buffer.from([0]),
      prefixEndBytes(k),
      afterRevision + 1,
      callbacks,
    );
    // etcd would still serve a start revision equal to its compact revision; k8ts refuses anything
    // below the compact revision it knows of, the same rule as the SQLite backend.
    if (afterRevision < this.knownCompact) {
      const known = this.knownCompact;
      setImmediate(() => mux.fail(w, new CompactedError(afterRevision, known)));
    }
    return w;
  }

  /**
   * Compacts etcd's history through `revision`, then records it in `compact_rev_key`. A revision
   * etcd already compacted is not an error (another server's compactor may have been first).
   */
  async compact(revision: number): Promise<void> {
    try {
      await this.call(true, (kv) => kv.compact({ revision, physical: false }));
    } catch (err) {
      if (message(err).includes(FUTURE))
        throw new FutureRevisionError(revision, await this.currentRevision());
      if (!message(err).includes(COMPACTED)) throw err;
    }
    if (revision <= this.knownCompact) return;
    this.knownCompact = revision;
    await this.call(true, (kv) => kv.put({ key: this.compactKey, value: Buffer.from(String(revision)) }));
  }

  private kv(): KVClient {
    if (!this.kvc) throw new Error('etcd backend is not started');
    return this.kvc;
  }

  private k(key: string): Buffer {
    return this.prefix === '' ? Buffer.from(key) : Buffer.from(this.prefix + key);
  }

  private toKv(kv: IKeyValue): KeyValue {
    return {
      key: kv.key.subarray(this.prefixBytes.length).toString(),
      value: kv.value ?? EMPTY,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  private writeFailure(key: string, current: IKeyValue | undefined): Error {
    return current ? new ConflictError(key, this.toKv(current)) : new KeyNotFoundError(key);
  }

  /** A range, with etcd's revision errors mapped to k8ts' errors. */
  private async read(req: IRangeRequest, revision?: number): Promise<IRangeResponse> {
    try {
      return await this.call(true, (kv) => kv.range(req));
    } catch (err) {
      const text = message(err);
      if (revision && text.includes(COMPACTED)) {
        const known = await this.compactRevision();
        throw new CompactedError(revision, Math.max(known, revision + 1));
      }
      if (revision && text.includes(FUTURE)) {
        throw new FutureRevisionError(revision, await this.currentRevision());
      }
      throw err;
    }
  }

  /**
   * Runs one RPC, retrying as the header comment says. Each attempt picks an endpoint at random,
   * so a few attempts per endpoint find a live one.
   */
  private async call<T>(idempotent: boolean, fn: (kv: KVClient) => Promise<T>): Promise<T> {
    const attempts = Math.max(3, 2 * this.endpoints.length + 1);
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(this.kv());
      } catch (err) {
        if (!(err instanceof Error) || attempt >= attempts) throw err;
        const unsent = NOT_SENT.test(err.message);
        if (!unsent && !(idempotent && isRecoverableError(err))) throw err;
        this.log.debug({ err, attempt }, 'etcd request failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, unsent ? 10 * attempt : 100 * attempt));
      }
    }
  }
}

/**
 * The etcd v3 backend, for clusters with several servers. Each write is one etcd transaction whose
 * compare does the optimistic check, so the write path has no extra read: create is "createRevision
 * == 0 → put", update is "modRevision == expected → put, else read the current value", delete is
 * likewise. Reads are linearizable ranges. Calls go through k8ts' own small etcd client
 * (./client.ts: gRPC over node:http2, messages encoded by ./messages.ts), which retries reads on
 * connection-level errors and repeats a write only when it certainly never reached etcd.
 */
import type {
  Backend,
  KeyValue,
  ListOptions,
  ListResult,
  WatchCallbacks,
  Watcher,
  WatchOptions,
} from '../backend.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
} from '../backend.js';
import { listStart, prefixEndBytes } from '../keys.js';
import { componentLogger, type Logger } from '../../util/log.js';
import { EtcdClient } from './client.js';
import { CompareResult, CompareTarget, type RangeRequest, type RangeResponse } from './messages.js';
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
/** The smallest key: a range from it with range_end "\0" covers every key. */
const ZERO_KEY = Buffer.from([0]);

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A {@link Backend} on an etcd v3 cluster. */
export class EtcdBackend implements Backend {
  readonly name = 'etcd';
  private readonly endpoints: string[];
  private readonly prefix: string;
  private readonly prefixBytes: Buffer;
  /** Bytes of key prefix stripped from every key etcd returns. */
  private readonly strip: number;
  private readonly compactKey: Buffer;
  private readonly compactKeyRange: RangeRequest;
  private readonly compactKeyCount: RangeRequest;
  private readonly log: Logger;
  private readonly options: EtcdBackendOptions;
  private client: EtcdClient | undefined;
  private mux: WatchMux | undefined;
  private knownCompact = 0;

  constructor(opts: EtcdBackendOptions) {
    this.options = opts;
    this.endpoints = parseEndpoints(opts.endpoints);
    this.prefix = opts.keyPrefix ?? '';
    this.prefixBytes = Buffer.from(this.prefix);
    this.strip = this.prefixBytes.length;
    this.compactKey = Buffer.from(this.prefix + COMPACT_REV_KEY);
    this.compactKeyRange = { key: this.compactKey };
    this.compactKeyCount = { key: this.compactKey, countOnly: true };
    this.log = opts.logger ?? componentLogger('storage', { backend: 'etcd' });
  }

  /** Connects and checks that etcd answers (reading the compact revision). */
  async start(): Promise<void> {
    if (this.client) return;
    const client = new EtcdClient({
      endpoints: this.endpoints,
      ...(this.options.tls ? { tls: tlsCredentials(this.endpoints, this.options.tls) } : {}),
      requestTimeoutMs: this.options.requestTimeoutMs ?? 15_000,
      logger: this.log,
    });
    this.client = client;
    this.mux = new WatchMux(client, this.strip, this.log);
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
  }

  async currentRevision(): Promise<number> {
    return (await this.read(this.compactKeyCount)).revision;
  }

  /** The larger of what this process compacted and what `compact_rev_key` says. */
  async compactRevision(): Promise<number> {
    const res = await this.read(this.compactKeyRange);
    const stored = Number(res.kvs[0]?.value.toString() ?? '0');
    if (Number.isFinite(stored) && stored > this.knownCompact) this.knownCompact = stored;
    return this.knownCompact;
  }

  async get(key: string, revision?: number): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const res = await this.read({ key: this.k(key), revision: revision || 0 }, revision);
    return { kv: res.kvs[0], revision: revision || res.revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = this.k(listStart(prefix, opts.startKey));
    const res = await this.read(
      {
        key: start.length > 0 ? start : ZERO_KEY,
        rangeEnd: prefixEndBytes(this.k(prefix)),
        limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
        revision: opts.revision || 0,
      },
      opts.revision,
    );
    return { kvs: res.kvs, revision: opts.revision || res.revision, more: res.more };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    const k = this.k(prefix);
    const res = await this.read({
      key: k.length > 0 ? k : ZERO_KEY,
      rangeEnd: prefixEndBytes(k),
      countOnly: true,
    });
    return { count: res.count, revision: res.revision };
  }

  async create(key: string, value: Buffer): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.kv().txn(
      {
        compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, value: 0 }],
        success: [{ put: { key: k, value } }],
        failure: [],
      },
      this.strip,
      false,
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    return { key, value, createRevision: res.revision, modRevision: res.revision };
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.kv().txn(
      {
        compare: [
          { key: k, target: CompareTarget.Mod, result: CompareResult.Equal, value: expectedModRevision },
        ],
        success: [{ put: { key: k, value } }, { range: { key: k, keysOnly: true } }],
        failure: [{ range: { key: k } }],
      },
      this.strip,
      false,
    );
    if (!res.succeeded) throw this.writeFailure(key, res.responses[0]?.range?.kvs[0]);
    const written = res.responses[1]?.range?.kvs[0];
    return { key, value, createRevision: written ? written.createRevision : 0, modRevision: res.revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prevKv: KeyValue }> {
    const k = this.k(key);
    const res = await this.kv().txn(
      {
        compare: [
          expectedModRevision === undefined
            ? { key: k, target: CompareTarget.Create, result: CompareResult.Greater, value: 0 }
            : { key: k, target: CompareTarget.Mod, result: CompareResult.Equal, value: expectedModRevision },
        ],
        success: [{ deleteRange: { key: k, prevKv: true } }],
        failure: [{ range: { key: k } }],
      },
      this.strip,
      false,
    );
    if (!res.succeeded) throw this.writeFailure(key, res.responses[0]?.range?.kvs[0]);
    const prev = res.responses[0]?.deleteRange?.prevKvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { revision: res.revision, prevKv: prev };
  }

  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks, opts?: WatchOptions): Watcher {
    const mux = this.mux;
    if (!mux) throw new Error('etcd backend is not started');
    const k = this.k(prefix);
    const w = mux.watch(
      prefix,
      k.length > 0 ? k : ZERO_KEY,
      prefixEndBytes(k),
      afterRevision + 1,
      callbacks,
      opts?.prevKv !== false,
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
      await this.kv().compact(revision);
    } catch (err) {
      if (message(err).includes(FUTURE))
        throw new FutureRevisionError(revision, await this.currentRevision());
      if (!message(err).includes(COMPACTED)) throw err;
    }
    if (revision <= this.knownCompact) return;
    this.knownCompact = revision;
    // Writing the same value twice is harmless, so this put may be retried.
    await this.kv().put(this.compactKey, Buffer.from(String(revision)), true);
  }

  private kv(): EtcdClient {
    if (!this.client) throw new Error('etcd backend is not started');
    return this.client;
  }

  private k(key: string): Buffer {
    return this.prefix === '' ? Buffer.from(key) : Buffer.from(this.prefix + key);
  }

  private writeFailure(key: string, current: KeyValue | undefined): Error {
    return current ? new ConflictError(key, current) : new KeyNotFoundError(key);
  }

  /** A range, with etcd's revision errors mapped to k8ts' errors. */
  private async read(req: RangeRequest, revision?: number): Promise<RangeResponse> {
    try {
      return await this.kv().range(req, this.strip);
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
}

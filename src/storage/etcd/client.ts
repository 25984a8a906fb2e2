/**
 * The etcd v3 client the backend uses: the KV, Watch and Maintenance calls k8ts needs, over one
 * gRPC connection per endpoint (./grpc.ts), with failover between endpoints and a retry rule that
 * never repeats a write that may have been applied.
 *
 * Endpoints: calls go to one preferred endpoint (chosen at random at start, so several servers
 * spread over the members); when its connection fails, or it answers "unavailable" (no leader,
 * stopping), it is set aside with a growing backoff and the next one is preferred.
 *
 * Retries: any call whose request certainly never reached etcd ({@link GrpcError.sent} false) is
 * retried at once on the next endpoint. Idempotent calls (reads, compaction) are also retried
 * after "unavailable" and "too many requests" answers and lost connections. A write that may have
 * reached etcd is never repeated: a repeated create whose first attempt committed would report
 * "already exists" for its own key.
 */
import type { Logger } from '../../util/log.js';
import {
  Channel,
  GrpcError,
  Status,
  type BidiStream,
  type ChannelEvents,
  type StreamHandlers,
} from './grpc.js';
import {
  decodeHeaderOnly,
  decodeRange,
  decodeStatus,
  decodeTxn,
  encodeCompaction,
  encodeEmpty,
  encodePut,
  encodeRange,
  encodeTxn,
  type RangeRequest,
  type RangeResponse,
  type StatusResponse,
  type TxnRequest,
  type TxnResponse,
} from './messages.js';
import type { EtcdTlsMaterial } from './options.js';

const RANGE = '/etcdserverpb.KV/Range';
const PUT = '/etcdserverpb.KV/Put';
const TXN = '/etcdserverpb.KV/Txn';
const COMPACT = '/etcdserverpb.KV/Compact';
const WATCH = '/etcdserverpb.Watch/Watch';
const STATUS = '/etcdserverpb.Maintenance/Status';

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/** Options of {@link EtcdClient}. */
export interface EtcdClientOptions {
  endpoints: string[];
  tls?: EtcdTlsMaterial;
  /** Deadline of each unary call (default 15 s). */
  requestTimeoutMs?: number;
  /** Connection attempt timeout (default 5 s, at most the request timeout). */
  connectTimeoutMs?: number;
  /** Keepalive ping interval while calls are open (default 30 s) and answer timeout (default 10 s). */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
  logger: Logger;
  /** Waits between retries (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
}

interface Endpoint {
  channel: Channel;
  /** Not preferred before this time (ms since the epoch). */
  downUntil: number;
  failures: number;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True for failures an idempotent call may repeat. */
function transient(err: GrpcError): boolean {
  return err.code === Status.UNAVAILABLE || err.code === Status.RESOURCE_EXHAUSTED;
}

/** A client for an etcd v3 cluster. */
export class EtcdClient implements ChannelEvents {
  private readonly endpoints: Endpoint[];
  private preferred: number;
  private readonly log: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly attempts: number;
  private closed = false;

  constructor(opts: EtcdClientOptions) {
    const timeout = opts.requestTimeoutMs ?? 15_000;
    this.log = opts.logger;
    this.sleep = opts.sleep ?? defaultSleep;
    this.endpoints = opts.endpoints.map((url) => ({
      channel: new Channel(
        url,
        {
          ...(opts.tls ? { tls: opts.tls } : {}),
          connectTimeoutMs: Math.min(opts.connectTimeoutMs ?? 5000, timeout),
          keepaliveMs: opts.keepaliveMs ?? 30_000,
          keepaliveTimeoutMs: opts.keepaliveTimeoutMs ?? 10_000,
          // A member cut off from the leader answers "no leader" at once (and ends watches, which
          // would otherwise silently stall), so calls move to another endpoint.
          headers: { hasleader: 'true' },
        },
        this,
        timeout,
      ),
      downUntil: 0,
      failures: 0,
    }));
    this.preferred = Math.floor(Math.random() * this.endpoints.length);
    this.attempts = Math.max(3, 2 * this.endpoints.length + 1);
  }

  /** A linearizable range; keys lose their first `strip` bytes. */
  async range(req: RangeRequest, strip: number): Promise<RangeResponse> {
    return decodeRange(await this.call(RANGE, encodeRange(req), true), strip);
  }

  /** A transaction; `idempotent` lets it be retried after it may have been applied. */
  async txn(req: TxnRequest, strip: number, idempotent: boolean): Promise<TxnResponse> {
    return decodeTxn(await this.call(TXN, encodeTxn(req), idempotent), strip);
  }

  /** A put; resolves with the revision it made. Idempotent only when repeating it is harmless. */
  async put(key: Buffer, value: Buffer, idempotent: boolean): Promise<number> {
    return decodeHeaderOnly(await this.call(PUT, encodePut({ key, value }), idempotent));
  }

  /** Compacts history through `revision` (etcd errors: already compacted, future revision). */
  async compact(revision: number): Promise<void> {
    await this.call(COMPACT, encodeCompaction(revision, false), true);
  }

  /** Maintenance Status of the endpoint calls currently go to. */
  async status(): Promise<StatusResponse> {
    return decodeStatus(await this.call(STATUS, encodeEmpty(), true));
  }

  /** Opens a watch stream on the preferred endpoint. Throws when none can be reached right now. */
  watchStream(handlers: StreamHandlers): BidiStream {
    const ep = this.pick();
    return ep.channel.stream(WATCH, handlers);
  }

  /**
   * Sets the endpoint of a stream aside after the stream failed, so the next one goes elsewhere
   * when another endpoint is available.
   */
  streamFailed(endpoint: string, err: GrpcError): void {
    const ep = this.endpoints.find((e) => e.channel.endpoint === endpoint);
    if (ep && transient(err)) this.setAside(ep);
  }

  /** Closes every connection; calls in flight fail. */
  close(): void {
    this.closed = true;
    for (const ep of this.endpoints) ep.channel.close();
  }

  /** @internal {@link ChannelEvents} */
  onConnectionFailed(channel: Channel, err: Error): void {
    const ep = this.endpoints.find((e) => e.channel === channel);
    if (!ep) return;
    this.setAside(ep);
    this.log.warn(
      {
        err: err.message,
        endpoint: channel.endpoint,
        ...(ep.downUntil > 0 ? { setAsideMs: ep.downUntil - Date.now() } : {}),
      },
      'etcd connection failed',
    );
  }

  /** @internal {@link ChannelEvents} */
  onWarning(channel: Channel, err: unknown, msg: string): void {
    this.log.warn({ err, endpoint: channel.endpoint }, msg);
  }

  private async call(path: string, frame: Buffer, idempotent: boolean): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      const ep = this.pick();
      try {
        const res = await ep.channel.unary(path, frame);
        if (ep.failures !== 0) ep.failures = 0;
        return res;
      } catch (err) {
        if (!(err instanceof GrpcError) || this.closed) throw err;
        if (transient(err)) this.setAside(ep);
        if (attempt >= this.attempts) throw err;
        if (err.sent && !(idempotent && transient(err))) throw err;
        this.log.debug({ err: err.message, path, attempt, sent: err.sent }, 'etcd request failed; retrying');
        await this.sleep(err.sent ? 100 * attempt : 10 * attempt);
      }
    }
  }

  /** The preferred endpoint, or the next one that is not set aside (or the one back soonest). */
  private pick(): Endpoint {
    const n = this.endpoints.length;
    const first = this.endpoints[this.preferred];
    if (first && (n === 1 || first.downUntil === 0)) return first;
    const now = Date.now();
    let soonest: Endpoint | undefined;
    let soonestIndex = 0;
    for (let i = 0; i < n; i++) {
      const index = (this.preferred + i) % n;
      const ep = this.endpoints[index];
      if (!ep) continue;
      if (ep.downUntil <= now) {
        ep.downUntil = 0;
        this.preferred = index;
        return ep;
      }
      if (!soonest || ep.downUntil < soonest.downUntil) {
        soonest = ep;
        soonestIndex = index;
      }
    }
    if (!soonest) throw new Error('etcd client has no endpoints');
    this.preferred = soonestIndex;
    return soonest;
  }

  /** Sets an endpoint aside; one outage counts once, however many calls it failed at the same time. */
  private setAside(ep: Endpoint): void {
    if (this.endpoints.length === 1) return;
    const now = Date.now();
    if (ep.downUntil > now) return;
    ep.failures++;
    const backoff = Math.min(MIN_BACKOFF_MS * 2 ** (ep.failures - 1), MAX_BACKOFF_MS);
    ep.downUntil = now + backoff;
    const index = this.endpoints.indexOf(ep);
    if (index === this.preferred) this.preferred = (index + 1) % this.endpoints.length;
  }
}

/**
 * Watches on etcd over one shared gRPC watch stream. Each k8ts watch becomes one etcd watcher with a
 * client-chosen watch_id (etcd >= 3.4), starting at afterRevision + 1, with prev_kv unless the
 * watcher keeps previous values itself (etcd then skips a read of the previous revision for every
 * update and delete event; creates cost the same either way). The mux remembers
 * the revision after the last event it delivered per watch, so when the stream breaks (etcd restart,
 * leader change, network) it reconnects with backoff and re-creates every watch from exactly there:
 * no gap and no repeat. A start revision that etcd has compacted ends the watch with CompactedError.
 */
import type { KeyValue, WatchCallbacks, WatchEvent, Watcher } from '../backend.js';
import { CompactedError } from '../backend.js';
import type { Logger } from '../../util/log.js';
import type { EtcdClient } from './client.js';
import type { BidiStream, GrpcError } from './grpc.js';
import { decodeWatch, encodeWatchCancel, encodeWatchCreate, type RawEvent } from './messages.js';

const EMPTY: Buffer = Buffer.alloc(0);
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

class MuxWatch implements Watcher {
  /** The watch_id on the current stream; 0 while not registered. */
  id = 0;
  done = false;

  constructor(
    readonly mux: WatchMux,
    readonly prefix: string,
    readonly key: Buffer,
    readonly rangeEnd: Buffer,
    /** The next revision this watch needs. */
    public nextRevision: number,
    readonly callbacks: WatchCallbacks,
    /** Ask etcd for each event's previous value. */
    readonly prevKv: boolean,
  ) {}

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.mux.remove(this);
  }
}

/** All watches of one etcd backend. */
export class WatchMux {
  private stream: BidiStream | undefined;
  private readonly watches = new Set<MuxWatch>();
  private readonly byId = new Map<number, MuxWatch>();
  private nextId = 1;
  private backoffMs = MIN_BACKOFF_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly client: EtcdClient,
    /** Bytes of the backend's key prefix, stripped from event keys. */
    private readonly keyPrefixLength: number,
    private readonly log: Logger,
  ) {}

  /**
   * Starts watching [key, rangeEnd) from `startRevision`, with each event's previous value when
   * `prevKv`; callbacks never run before it returns.
   */
  watch(
    prefix: string,
    key: Buffer,
    rangeEnd: Buffer,
    startRevision: number,
    cb: WatchCallbacks,
    prevKv = true,
  ): Watcher {
    const w = new MuxWatch(this, prefix, key, rangeEnd, startRevision, cb, prevKv);
    if (this.closed) {
      w.done = true;
      return w;
    }
    this.watches.add(w);
    if (this.stream) this.register(this.stream, w);
    else this.connect();
    return w;
  }

  /** Ends a watch with an error (not after cancel). */
  fail(w: Watcher, err: Error): void {
    if (!(w instanceof MuxWatch) || w.done) return;
    w.cancel();
    try {
      w.callbacks.onError(err);
    } catch (cbErr) {
      this.log.error({ err: cbErr, prefix: w.prefix }, 'watch onError callback threw');
    }
  }

  /** @internal Called by {@link MuxWatch.cancel}. */
  remove(w: MuxWatch): void {
    this.watches.delete(w);
    if (w.id !== 0) {
      this.byId.delete(w.id);
      this.stream?.write(encodeWatchCancel(w.id));
      w.id = 0;
    }
    if (this.watches.size === 0 && this.stream) {
      // Nothing left to watch: let the connection idle.
      const s = this.stream;
      this.stream = undefined;
      this.byId.clear();
      s.cancel();
    }
  }

  /** Cancels the stream; no callbacks run afterwards. */
  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const w of this.watches) w.done = true;
    this.watches.clear();
    this.byId.clear();
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
  }

  private connect(): void {
    if (this.stream || this.closed || this.reconnectTimer) return;
    let stream: BidiStream;
    try {
      stream = this.client.watchStream({
        onMessage: (msg) => this.onMessage(stream, msg),
        onEnd: (err) => this.onBroken(stream, err),
      });
    } catch (err) {
      this.retryLater(err);
      return;
    }
    this.stream = stream;
    for (const w of this.watches) this.register(stream, w);
  }

  private register(stream: BidiStream, w: MuxWatch): void {
    w.id = this.nextId++;
    this.byId.set(w.id, w);
    stream.write(
      encodeWatchCreate({
        key: w.key,
        rangeEnd: w.rangeEnd,
        startRevision: w.nextRevision,
        prevKv: w.prevKv,
        watchId: w.id,
      }),
    );
  }

  private onMessage(stream: BidiStream, msg: Buffer): void {
    if (stream !== this.stream) return;
    let res;
    try {
      res = decodeWatch(msg, this.keyPrefixLength);
    } catch (err) {
      this.log.error({ err }, 'cannot decode an etcd watch response; reconnecting');
      stream.cancel();
      this.onBroken(stream, undefined);
      return;
    }
    this.backoffMs = MIN_BACKOFF_MS;
    const w = this.byId.get(res.watchId);
    if (!w) {
      if (res.canceled && res.cancelReason) {
        this.log.warn({ watchId: res.watchId, reason: res.cancelReason }, 'etcd refused a watch');
      }
      return;
    }
    if (res.canceled) {
      this.byId.delete(res.watchId);
      w.id = 0;
      const compacted = res.compactRevision;
      this.fail(
        w,
        compacted > 0
          ? new CompactedError(w.nextRevision - 1, compacted)
          : new Error(`etcd cancelled the watch on ${w.prefix}: ${res.cancelReason || 'no reason given'}`),
      );
      return;
    }
    const raw = res.events;
    if (raw.length === 0 || w.done) return;
    const events: WatchEvent[] = new Array<WatchEvent>(raw.length);
    for (let i = 0; i < raw.length; i++) events[i] = toEvent(raw[i] as RawEvent);
    const last = events[events.length - 1];
    if (last) w.nextRevision = last.kv.modRevision + 1;
    try {
      w.callbacks.onEvents(events);
    } catch (err) {
      this.log.error({ err, prefix: w.prefix }, 'watch onEvents callback threw');
    }
  }

  private onBroken(stream: BidiStream, err: GrpcError | undefined): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    this.byId.clear();
    for (const w of this.watches) w.id = 0;
    if (err) this.client.streamFailed(stream.endpoint, err);
    if (this.closed || this.watches.size === 0) return;
    this.retryLater(err ?? new Error('etcd closed the watch stream'));
  }

  private retryLater(err: unknown): void {
    if (this.closed) return;
    this.log.warn(
      {
        err: err instanceof Error ? err.message : String(err),
        watches: this.watches.size,
        retryInMs: this.backoffMs,
      },
      'etcd watch stream failed; reconnecting',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.watches.size > 0) this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** A k8ts event from an etcd one: a delete carries the last value and its create revision. */
function toEvent(ev: RawEvent): WatchEvent {
  const prevKv = ev.prevKv;
  if (ev.type === 'delete') {
    const kv: KeyValue = {
      key: ev.kv.key,
      value: prevKv?.value ?? EMPTY,
      createRevision: prevKv?.createRevision ?? 0,
      modRevision: ev.kv.modRevision,
    };
    return prevKv ? { type: 'delete', kv, prevKv } : { type: 'delete', kv };
  }
  return prevKv ? { type: 'put', kv: ev.kv, prevKv } : { type: 'put', kv: ev.kv };
}

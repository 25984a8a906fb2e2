/**
 * Watches on etcd over one shared gRPC watch stream. Each k8ts watch becomes one etcd watcher with a
 * client-chosen watch_id (etcd >= 3.4), prev_kv on, starting at afterRevision + 1. The mux remembers
 * the revision after the last event it delivered per watch, so when the stream breaks (etcd restart,
 * leader change, network) it reconnects with backoff and re-creates every watch from exactly there:
 * no gap and no repeat. A start revision that etcd has compacted ends the watch with CompactedError.
 */
import type { Etcd3, IEvent, IKeyValue, IWatchRequest, IWatchResponse } from 'etcd3';
import type { KeyValue, WatchCallbacks, WatchEvent, Watcher } from '../backend.js';
import { CompactedError } from '../backend.js';
import type { Logger } from '../../util/log.js';

const EMPTY = Buffer.alloc(0);
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

interface WatchStream {
  write(req: IWatchRequest): void;
  cancel(): void;
  on(event: 'data', fn: (res: IWatchResponse) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
}

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
  ) {}

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.mux.remove(this);
  }
}

/** All watches of one etcd backend. */
export class WatchMux {
  private stream: WatchStream | undefined;
  private connecting = false;
  private readonly watches = new Set<MuxWatch>();
  private readonly byId = new Map<string, MuxWatch>();
  private nextId = 1;
  private backoffMs = MIN_BACKOFF_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly client: Etcd3,
    /** Bytes of the backend's key prefix, stripped from event keys. */
    private readonly keyPrefixLength: number,
    private readonly log: Logger,
  ) {}

  /** Starts watching [key, rangeEnd) from `startRevision`; callbacks never run before it returns. */
  watch(prefix: string, key: Buffer, rangeEnd: Buffer, startRevision: number, cb: WatchCallbacks): Watcher {
    const w = new MuxWatch(this, prefix, key, rangeEnd, startRevision, cb);
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
      this.byId.delete(String(w.id));
      try {
        this.stream?.write({ cancel_request: { watch_id: w.id } });
      } catch (err) {
        this.log.warn({ err, prefix: w.prefix }, 'could not send an etcd watch cancel request');
      }
      w.id = 0;
    }
  }

  /** Cancels the stream; no callbacks run afterwards. */
  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    for (const w of this.watches) w.done = true;
    this.watches.clear();
    this.byId.clear();
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
  }

  private connect(): void {
    if (this.stream || this.connecting || this.closed || this.reconnectTimer) return;
    this.connecting = true;
    this.client.watchClient.watch().then(
      (stream) => {
        this.connecting = false;
        if (this.closed) {
          stream.cancel();
          return;
        }
        this.stream = stream;
        stream.on('data', (res) => this.onResponse(stream, res));
        stream.on('error', (err) => this.onBroken(stream, err));
        stream.on('end', () => this.onBroken(stream, new Error('etcd closed the watch stream')));
        for (const w of this.watches) this.register(stream, w);
      },
      (err: unknown) => {
        this.connecting = false;
        this.retryLater(err);
      },
    );
  }

  private register(stream: WatchStream, w: MuxWatch): void {
    w.id = this.nextId++;
    this.byId.set(String(w.id), w);
    stream.write({
      create_request: {
        key: w.key,
        range_end: w.rangeEnd,
        start_revision: w.nextRevision,
        prev_kv: true,
        watch_id: w.id,
      },
    });
  }

  private onResponse(stream: WatchStream, res: IWatchResponse): void {
    if (stream !== this.stream) return;
    this.backoffMs = MIN_BACKOFF_MS;
    const w = this.byId.get(res.watch_id);
    if (!w) {
      if (res.canceled && res.cancel_reason) {
        this.log.warn({ watchId: res.watch_id, reason: res.cancel_reason }, 'etcd refused a watch');
      }
      return;
    }
    if (res.canceled) {
      this.byId.delete(res.watch_id);
      w.id = 0;
      const compacted = Number(res.compact_revision);
      this.fail(
        w,
        compacted > 0
          ? new CompactedError(w.nextRevision - 1, compacted)
          : new Error(`etcd cancelled the watch on ${w.prefix}: ${res.cancel_reason || 'no reason given'}`),
      );
      return;
    }
    if (res.events.length === 0 || w.done) return;
    const events = res.events.map((ev) => this.toEvent(ev));
    const last = events[events.length - 1];
    if (last) w.nextRevision = last.kv.modRevision + 1;
    try {
      w.callbacks.onEvents(events);
    } catch (err) {
      this.log.error({ err, prefix: w.prefix }, 'watch onEvents callback threw');
    }
  }

  private onBroken(stream: WatchStream, err: Error): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    this.byId.clear();
    for (const w of this.watches) w.id = 0;
    try {
      stream.cancel();
    } catch (cancelErr) {
      this.log.debug({ err: cancelErr }, 'cancelling a broken etcd watch stream failed');
    }
    if (this.closed || this.watches.size === 0) return;
    this.retryLater(err);
  }

  private retryLater(err: unknown): void {
    if (this.closed) return;
    this.log.warn(
      { err, watches: this.watches.size, retryInMs: this.backoffMs },
      'etcd watch stream failed; reconnecting',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.watches.size > 0) this.connect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private toKv(kv: IKeyValue): KeyValue {
    return {
      key: kv.key.subarray(this.keyPrefixLength).toString(),
      value: kv.value ?? EMPTY,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  private toEvent(ev: IEvent): WatchEvent {
    const prevKv = ev.prev_kv ? this.toKv(ev.prev_kv) : undefined;
    if (ev.type === 'Delete') {
      const kv: KeyValue = {
        key: ev.kv.key.subarray(this.keyPrefixLength).toString(),
        value: prevKv?.value ?? EMPTY,
        createRevision: prevKv?.createRevision ?? 0,
        modRevision: Number(ev.kv.mod_revision),
      };
      return prevKv ? { type: 'delete', kv, prevKv } : { type: 'delete', kv };
    }
    const kv = this.toKv(ev.kv);
    return prevKv ? { type: 'put', kv, prevKv } : { type: 'put', kv };
  }
}

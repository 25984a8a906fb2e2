/**
 * A SPDY/3.1 connection over an upgraded socket, in the dialect Kubernetes streaming uses (Go's
 * spdystream): bidirectional streams opened with SYN_STREAM and answered with SYN_REPLY, data frames,
 * half-close with FIN, RST_STREAM, PING echo and GOAWAY.
 *
 * Flow control: spdystream neither sends nor honours WINDOW_UPDATE, so this implementation ignores
 * windows too (sending past 64 KiB without updates is what every Kubernetes peer does); backpressure is
 * the TCP connection's: when a stream's reader falls behind, the socket is paused.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Duplex as DuplexStream } from 'node:stream';
import {
  FLAG_FIN,
  FrameSplitter,
  FrameType,
  HeaderDeflater,
  HeaderInflater,
  RstStatus,
  dataFrame,
  decodeHeaderBlock,
  encode,
  encodeHeaderBlock,
  payloadStreamId,
  type RawFrame,
  type SpdyHeaders,
} from './frames.js';

/** Largest data frame this side sends (spdystream reads any size; small frames interleave better). */
const DATA_CHUNK = 32 * 1024;

/** One SPDY stream: a duplex whose writable side sends DATA frames and whose end sends FIN. */
export class SpdyStream extends DuplexStream {
  /** Headers of the SYN_STREAM that opened it. */
  readonly headers: SpdyHeaders;
  /** True once the peer finished its side (FIN) or reset the stream. */
  remoteEnded = false;
  /** True when the peer reset the stream. */
  wasReset = false;
  private replied: boolean;
  private readonly replyWaiters: ((err?: Error) => void)[] = [];

  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    headers: SpdyHeaders,
    /** Streams this side opened wait for the peer's SYN_REPLY before sending data. */
    awaitingReply: boolean,
  ) {
    super({ allowHalfOpen: true });
    this.headers = headers;
    this.replied = !awaitingReply;
  }

  /** Resolves once the peer answered a stream this side opened (rejects when it reset it). */
  waitReply(): Promise<void> {
    if (this.replied) return Promise.resolve();
    if (this.wasReset) return Promise.reject(new Error(`SPDY stream ${this.id} was reset`));
    return new Promise((resolve, reject) => this.replyWaiters.push((err) => (err ? reject(err) : resolve())));
  }

  /** Answers a stream the peer opened (the server side of spdystream expects this before data). */
  reply(headers: SpdyHeaders = {}): void {
    this.conn.sendReply(this.id, headers);
  }

  /** Resets the stream (RST_STREAM CANCEL) and drops it. */
  reset(status: number = RstStatus.Cancel): void {
    this.conn.sendReset(this.id, status);
    this.onReset();
  }

  /** @internal */
  onReplied(): void {
    this.replied = true;
    for (const w of this.replyWaiters.splice(0)) w();
  }

  /** @internal */
  onData(data: Buffer, fin: boolean): void {
    if (this.remoteEnded || this.destroyed) return;
    if (data.length > 0 && !this.push(data)) this.conn.pauseForReader();
    if (fin) {
      this.remoteEnded = true;
      this.push(null);
      if (this.writableFinished) this.conn.forget(this.id);
    }
  }

  /** @internal */
  onReset(): void {
    this.wasReset = true;
    for (const w of this.replyWaiters.splice(0)) w(new Error(`SPDY stream ${this.id} was reset`));
    if (!this.remoteEnded) {
      this.remoteEnded = true;
      this.push(null);
    }
    this.conn.forget(this.id);
    if (!this.writableFinished) this.destroy();
  }

  override _read(): void {
    this.conn.resumeForReader();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.waitReply().then(
      () => this.conn.sendData(this.id, chunk, false, cb),
      // A reset stream drops what is still written.
      () => cb(),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.wasReset) {
      cb();
      return;
    }
    this.waitReply().then(
      () =>
        this.conn.sendData(this.id, Buffer.alloc(0), true, (err) => {
          if (this.remoteEnded) this.conn.forget(this.id);
          cb(err);
        }),
      () => cb(),
    );
  }
}

export interface SpdyConnectionEvents {
  stream: [SpdyStream];
  close: [];
  error: [Error];
}

/**
 * One SPDY connection. The client side opens odd stream ids, the server side even ones; either side
 * may open streams (Kubernetes clients open them all).
 */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  private readonly splitter = new FrameSplitter();
  private readonly deflater = new HeaderDeflater();
  private readonly inflater = new HeaderInflater();
  private readonly streams = new Map<number, SpdyStream>();
  private nextId: number;
  private lastPeerId = 0;
  private queue: RawFrame[] = [];
  private draining = false;
  private closed = false;
  private pausedForReader = false;

  constructor(
    private readonly socket: Duplex,
    readonly role: 'client' | 'server',
  ) {
    super();
    this.nextId = role === 'client' ? 1 : 2;
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.shutdown());
    socket.on('close', () => this.shutdown());
    socket.on('error', (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      this.shutdown();
    });
  }

  /** True once the socket closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Opens a stream with these headers (names lower case). */
  openStream(headers: SpdyHeaders): SpdyStream {
    if (this.closed) throw new Error('SPDY connection is closed');
    const id = this.nextId;
    this.nextId += 2;
    const s = new SpdyStream(this, id, headers, true);
    this.streams.set(id, s);
    this.write(encode.synStream(id, 0, this.deflater.deflate(encodeHeaderBlock(headers))));
    return s;
  }

  /** Sends GOAWAY and closes the socket once written. */
  close(): void {
    if (this.closed) return;
    this.write(encode.goAway(this.lastPeerId));
    this.socket.end();
  }

  /** Drops the socket at once. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  /** @internal */
  sendReply(id: number, headers: SpdyHeaders): void {
    this.write(encode.synReply(id, 0, this.deflater.deflate(encodeHeaderBlock(headers))));
  }

  /** @internal */
  sendReset(id: number, status: number): void {
    this.write(encode.rstStream(id, status));
  }

  /** @internal Sends data (split into frames); calls back once the socket accepted it. */
  sendData(id: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    if (this.closed) {
      // The peer is gone: what is still written has nowhere to go (no error, nobody to tell).
      cb();
      return;
    }
    let ok = true;
    for (let off = 0; off < data.length; off += DATA_CHUNK) {
      const end = Math.min(off + DATA_CHUNK, data.length);
      ok = this.socket.write(
        dataFrame(id, fin && end === data.length ? FLAG_FIN : 0, data.subarray(off, end)),
      );
    }
    if (data.length === 0) ok = this.socket.write(dataFrame(id, fin ? FLAG_FIN : 0, data));
    if (ok) cb();
    else this.socket.once('drain', () => cb());
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  /** @internal A stream's reader is full: stop reading the socket. */
  pauseForReader(): void {
    if (this.pausedForReader) return;
    this.pausedForReader = true;
    this.socket.pause();
  }

  /** @internal A stream's reader wants more. */
  resumeForReader(): void {
    if (!this.pausedForReader) return;
    this.pausedForReader = false;
    this.socket.resume();
  }

  private write(frame: Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(frame);
  }

  private onBytes(chunk: Buffer): void {
    try {
      this.queue.push(...this.splitter.push(chunk));
    } catch (err) {
      this.fail(err);
      return;
    }
    void this.drain();
  }

  /** Handles queued frames in order; header blocks are inflated one at a time. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const frame = this.queue.shift() as RawFrame;
        await this.handle(frame);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.draining = false;
    }
  }

  private fail(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    if (this.listenerCount('error') > 0) this.emit('error', e);
    this.destroy();
  }

  private async handle(f: RawFrame): Promise<void> {
    if (!f.control) {
      this.streams.get(f.streamId)?.onData(f.payload, (f.flags & FLAG_FIN) !== 0);
      return;
    }
    switch (f.type) {
      case FrameType.SynStream: {
        const id = payloadStreamId(f.payload);
        const headers = decodeHeaderBlock(await this.inflater.inflate(f.payload.subarray(10)));
        this.lastPeerId = Math.max(this.lastPeerId, id);
        const s = new SpdyStream(this, id, headers, false);
        this.streams.set(id, s);
        if (f.flags & FLAG_FIN) s.onData(Buffer.alloc(0), true);
        this.emit('stream', s);
        return;
      }
      case FrameType.SynReply: {
        const id = payloadStreamId(f.payload);
        await this.inflater.inflate(f.payload.subarray(4));
        const s = this.streams.get(id);
        s?.onReplied();
        if (s && f.flags & FLAG_FIN) s.onData(Buffer.alloc(0), true);
        return;
      }
      case FrameType.Headers: {
        const id = payloadStreamId(f.payload);
        await this.inflater.inflate(f.payload.subarray(4));
        if (f.flags & FLAG_FIN) this.streams.get(id)?.onData(Buffer.alloc(0), true);
        return;
      }
      case FrameType.RstStream:
        this.streams.get(payloadStreamId(f.payload))?.onReset();
        return;
      case FrameType.Ping: {
        const id = f.payload.readUInt32BE(0);
        // Echo the peer's pings (their parity differs from ours); ours are never sent.
        if ((id & 1) !== (this.role === 'client' ? 1 : 0)) this.write(encode.ping(id));
        return;
      }
      case FrameType.GoAway:
        // No new streams from the peer; existing ones run to their end.
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown frames carry nothing this side acts on.
        return;
    }
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflater.close();
    for (const s of [...this.streams.values()]) {
      if (!s.remoteEnded) s.onData(Buffer.alloc(0), true);
    }
    this.streams.clear();
    this.emit('close');
  }
}

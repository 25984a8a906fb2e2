/**
 * A small gRPC client over node:http2, for one etcd endpoint: unary calls and bidirectional
 * streams on one HTTP/2 connection, with TLS, a connect timeout, keepalive pings while calls are
 * open, request deadlines, and an honest answer to "may this request have reached the server?"
 * (see {@link GrpcError.sent}). Messages are opaque bytes framed as gRPC wants (./messages.ts
 * encodes them with the 5-byte prefix already in place); no compression is offered or accepted.
 *
 * Per call it allocates the HTTP/2 stream and little else: headers are prebuilt per method, and
 * the stream's listeners are shared functions that find the call's state on the stream.
 */
import http2 from 'node:http2';
import type { ConnectionOptions } from 'node:tls';
import { decodeGrpcMessage, GrpcStatus, grpcTimeout, httpStatusToGrpc } from '../../util/grpc-wire.js';
import { withLeanAsyncBind } from './lean-bind.js';

/** gRPC status codes. */
export const Status = GrpcStatus;

/** A failed call: the gRPC status, and whether the request may have reached the server. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
    /**
     * False only when the request certainly never reached the server (no connection, or the
     * server refused the HTTP/2 stream before reading it), so repeating it cannot apply it twice.
     */
    readonly sent: boolean,
    /** The endpoint the call went to. */
    readonly endpoint: string,
  ) {
    super(`${details} (gRPC status ${code}, ${endpoint})`);
    this.name = 'GrpcError';
  }
}

/** How to reach one endpoint. */
export interface ChannelOptions {
  /** TLS material (PEM) for https endpoints; absent: the system roots. */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key'>;
  /** Give up on a connection attempt after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** Ping the server this often while calls are open (default 30 s); 0 turns pings off. */
  keepaliveMs?: number;
  /** Drop the connection when a ping is not answered in this time (default 10 s). */
  keepaliveTimeoutMs?: number;
  /** Extra request headers for every call (etcd's `hasleader` requirement). */
  headers?: Record<string, string>;
}

const NGHTTP2_REFUSED_STREAM = http2.constants.NGHTTP2_REFUSED_STREAM;
const NGHTTP2_CANCEL = http2.constants.NGHTTP2_CANCEL;
/** HTTP/2 flow-control windows: large, as lists and watch catch-ups can be many megabytes. */
const STREAM_WINDOW = 4 << 20;
const SESSION_WINDOW = 64 << 20;

/**
 * Options of every request. The priority members are Node's defaults: given here, Node need not
 * add them to its copy of the options on every request, which cost ~19k instructions a request
 * (four property additions to a fresh object, each a slow store).
 */
const REQUEST_OPTIONS = {
  endStream: false,
  weight: http2.constants.NGHTTP2_DEFAULT_WEIGHT,
  parent: 0,
  exclusive: false,
  silent: false,
};

/** What the listeners of a stream need, kept on the stream itself. */
const kCall = Symbol('grpcCall');

interface CallStream extends http2.ClientHttp2Stream {
  [kCall]: CallState;
}

/** The state shared by unary calls and streams. */
abstract class CallState {
  status = -1;
  message = '';
  done = false;
  error: Error | undefined;

  constructor(
    readonly channel: Channel,
    readonly conn: Connection,
  ) {}

  abstract data(chunk: Buffer): void;
  abstract finish(err: GrpcError | undefined): void;

  /** The outcome once the stream closed; undefined for OK. */
  outcome(stream: http2.ClientHttp2Stream): GrpcError | undefined {
    const endpoint = this.channel.endpoint;
    if (this.status === Status.OK) return undefined;
    if (this.status > 0) return new GrpcError(this.status, this.message, true, endpoint);
    // No status: the stream was reset or the connection went away.
    const rst = stream.rstCode ?? 0;
    const sent = this.conn.connected && rst !== NGHTTP2_REFUSED_STREAM;
    const why = this.error?.message ?? this.conn.failure?.message ?? `stream reset (HTTP/2 code ${rst})`;
    return new GrpcError(Status.UNAVAILABLE, why, sent, endpoint);
  }
}

function onResponse(this: CallStream, headers: http2.IncomingHttpHeaders): void {
  const call = this[kCall];
  // Node hands the status over as a number, whatever the header type says.
  const httpStatus = Number(headers[':status']);
  if (httpStatus !== 200) {
    call.status = httpStatusToGrpc(httpStatus);
    call.message = `unexpected HTTP status ${httpStatus} from a gRPC server`;
    return;
  }
  const type = headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/grpc')) {
    call.status = Status.UNKNOWN;
    call.message = `unexpected content-type ${JSON.stringify(type)} from a gRPC server`;
    return;
  }
  // A trailers-only answer carries the status in the headers.
  readStatus(call, headers);
}

function onTrailers(this: CallStream, trailers: http2.IncomingHttpHeaders): void {
  const call = this[kCall];
  if (call.status < 0 || call.status === Status.OK) readStatus(call, trailers);
}

function onData(this: CallStream, chunk: Buffer): void {
  this[kCall].data(chunk);
}

function onError(this: CallStream, err: Error): void {
  this[kCall].error ??= err;
}

function onClose(this: CallStream): void {
  const call = this[kCall];
  call.conn.streamClosed();
  if (call.done) return;
  call.done = true;
  call.finish(call.outcome(this));
}

function readStatus(call: CallState, h: http2.IncomingHttpHeaders): void {
  const raw = h['grpc-status'];
  if (raw === undefined) return;
  const code = Number(raw);
  call.status = Number.isInteger(code) && code >= 0 ? code : Status.UNKNOWN;
  const msg = h['grpc-message'];
  if (typeof msg === 'string' && msg !== '') call.message = decodeGrpcMessage(msg);
  else if (call.status !== Status.OK) call.message = `gRPC status ${call.status}`;
}

/**
 * Splits a byte stream into gRPC messages. Chunks of a message that spans many reads are kept
 * apart and joined once, when the whole message is there.
 */
export class Deframer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Bytes of the message being assembled, prefix included; 0 while its prefix is incomplete. */
  private need = 0;

  /** Adds a chunk; calls `onMessage` for each complete message. Throws on a compressed message. */
  push(chunk: Buffer, onMessage: (msg: Buffer) => void): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.need === 0) {
      if (this.bytes < 5) return;
      this.need = this.messageSize();
    }
    if (this.bytes < this.need) return;
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.need = 0;
    let pos = 0;
    while (buf.length - pos >= 5) {
      if (buf[pos] !== 0) throw new Error('etcd sent a compressed gRPC message, which was not asked for');
      const len = buf.readUInt32BE(pos + 1);
      if (buf.length - pos - 5 < len) break;
      onMessage(buf.subarray(pos + 5, pos + 5 + len));
      pos += 5 + len;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.chunks.push(rest);
      this.bytes = rest.length;
      if (rest.length >= 5) this.need = 5 + rest.readUInt32BE(1);
    }
  }

  /** The size of the next message from its prefix, which may span chunks. */
  private messageSize(): number {
    const first = this.chunks[0];
    const head = first && first.length >= 5 ? first : Buffer.concat(this.chunks, this.bytes);
    return 5 + head.readUInt32BE(1);
  }
}

class UnaryCall extends CallState {
  chunks: Buffer | Buffer[] | undefined;
  /** When the call is abandoned (ms since the epoch). */
  deadline = 0;
  stream: http2.ClientHttp2Stream | undefined;

  constructor(
    channel: Channel,
    conn: Connection,
    readonly resolve: (msg: Buffer) => void,
    readonly reject: (err: GrpcError) => void,
  ) {
    super(channel, conn);
  }

  data(chunk: Buffer): void {
    const c = this.chunks;
    if (c === undefined) this.chunks = chunk;
    else if (Array.isArray(c)) c.push(chunk);
    else this.chunks = [c, chunk];
  }

  finish(err: GrpcError | undefined): void {
    this.channel.untrack(this);
    if (err) {
      this.reject(err);
      return;
    }
    const c = this.chunks;
    const body = c === undefined ? Buffer.alloc(0) : Array.isArray(c) ? Buffer.concat(c) : c;
    if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) {
      this.reject(
        new GrpcError(Status.INTERNAL, 'malformed or compressed gRPC response', true, this.channel.endpoint),
      );
      return;
    }
    this.resolve(body.subarray(5));
  }

  /** Gives up on the call after its deadline. */
  expire(): void {
    if (this.done) return;
    this.done = true;
    this.stream?.close(NGHTTP2_CANCEL);
    this.channel.untrack(this);
    this.reject(new GrpcError(Status.DEADLINE_EXCEEDED, 'deadline exceeded', true, this.channel.endpoint));
  }
}

/** Callbacks of a bidirectional stream. */
export interface StreamHandlers {
  /** One response message (a view into received bytes). */
  onMessage(msg: Buffer): void;
  /** The stream ended: with the error, or with an OK status (err undefined). Not after cancel(). */
  onEnd(err: GrpcError | undefined): void;
}

/** An open bidirectional stream. */
export class BidiStream extends CallState {
  private readonly deframer = new Deframer();
  stream: http2.ClientHttp2Stream | undefined;
  private readonly deliver: (msg: Buffer) => void;

  constructor(
    channel: Channel,
    conn: Connection,
    private readonly handlers: StreamHandlers,
  ) {
    super(channel, conn);
    this.deliver = (msg) => {
      if (!this.done) this.handlers.onMessage(msg);
    };
  }

  /** The endpoint this stream goes to. */
  get endpoint(): string {
    return this.channel.endpoint;
  }

  /** Sends one framed message. */
  write(frame: Buffer): void {
    if (this.done || !this.stream) return;
    this.stream.write(frame);
  }

  /** Ends the stream from this side; no callbacks run afterwards. */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.stream?.close(NGHTTP2_CANCEL);
  }

  data(chunk: Buffer): void {
    if (this.done) return;
    try {
      this.deframer.push(chunk, this.deliver);
    } catch (err) {
      this.done = true;
      this.stream?.close(NGHTTP2_CANCEL);
      this.handlers.onEnd(
        new GrpcError(Status.INTERNAL, err instanceof Error ? err.message : String(err), true, this.endpoint),
      );
    }
  }

  finish(err: GrpcError | undefined): void {
    this.handlers.onEnd(err);
  }
}

/** One HTTP/2 connection to the endpoint; replaced when it fails. */
class Connection {
  readonly session: http2.ClientHttp2Session;
  connected = false;
  failure: Error | undefined;
  closed = false;
  private openStreams = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: Channel,
    opts: ChannelOptions,
  ) {
    const session = http2.connect(channel.endpoint, {
      ...(opts.tls ?? {}),
      settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
      // In megabytes: let big lists through (the default of 10 would reset their streams).
      maxSessionMemory: 1 << 20,
    });
    this.session = session;
    this.connectTimer = setTimeout(() => {
      this.fail(new Error(`connecting to ${channel.endpoint} timed out`));
    }, opts.connectTimeoutMs ?? 5000);
    this.connectTimer.unref();
    session.once('connect', () => {
      clearTimeout(this.connectTimer);
      this.connected = true;
      try {
        session.setLocalWindowSize(SESSION_WINDOW);
      } catch (err) {
        // Only a performance setting; the connection works without it.
        channel.logWarn(err, 'could not widen the HTTP/2 connection window');
      }
      const every = opts.keepaliveMs ?? 30_000;
      if (every > 0) {
        this.pingTimer = setInterval(() => this.ping(opts.keepaliveTimeoutMs ?? 10_000), every);
        this.pingTimer.unref();
      }
    });
    session.on('error', (err) => this.fail(err));
    session.on('goaway', () => this.retire());
    session.on('close', () => this.fail(new Error(`connection to ${channel.endpoint} closed`)));
    // Nothing in flight should not keep the process alive.
    session.unref();
  }

  /** Opens a stream; throws synchronously when the session can take no more streams. */
  request(headers: http2.OutgoingHttpHeaders, state: CallState): http2.ClientHttp2Stream {
    // Node 20 spends ~12 µs per request() on a deprecation wrapper; see ./lean-bind.ts.
    const stream = withLeanAsyncBind(() => this.session.request(headers, REQUEST_OPTIONS)) as CallStream;
    this.openStreams++;
    if (this.openStreams === 1) this.session.ref();
    stream[kCall] = state;
    stream.on('response', onResponse);
    stream.on('trailers', onTrailers);
    stream.on('data', onData);
    stream.on('error', onError);
    stream.on('close', onClose);
    return stream;
  }

  streamClosed(): void {
    this.openStreams--;
    if (this.openStreams === 0 && !this.session.destroyed) this.session.unref();
  }

  /** Takes no new calls; open ones finish (an orderly close, as after GOAWAY). */
  retire(): void {
    if (!this.stopUsing()) return;
    if (!this.session.closed && !this.session.destroyed) this.session.close();
  }

  /** Drops the connection at once; open calls fail. */
  fail(err: Error): void {
    this.failure ??= err;
    const wasUsable = this.stopUsing();
    // Destroy without a graceful close first: that would leave the socket half-open, waiting for a
    // peer that may never answer.
    if (!this.session.destroyed) this.session.destroy();
    if (wasUsable) this.channel.connectionFailed(err);
  }

  /** Drops the connection because the client is closing; nothing is reported. */
  shutdown(): void {
    this.failure ??= new Error('etcd client closed');
    this.stopUsing();
    if (!this.session.destroyed) this.session.destroy();
  }

  /** Marks the connection unusable; false if it already was. */
  private stopUsing(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.channel.connectionGone(this);
    clearInterval(this.pingTimer);
    clearTimeout(this.connectTimer);
    return true;
  }

  private ping(timeoutMs: number): void {
    if (this.openStreams === 0 || this.closed) return;
    const timer = setTimeout(
      () => this.fail(new Error(`no keepalive answer from ${this.channel.endpoint} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
    try {
      this.session.ping((err) => {
        clearTimeout(timer);
        if (err && !this.closed) this.fail(err);
      });
    } catch (err) {
      clearTimeout(timer);
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Receives a channel's connection events (the endpoint pool). */
export interface ChannelEvents {
  /** The connection failed or was lost (not called for an orderly close). */
  onConnectionFailed(channel: Channel, err: Error): void;
  /** A non-fatal problem worth a log line. */
  onWarning(channel: Channel, err: unknown, msg: string): void;
}

/** Calls to one endpoint (`http://host:port` or `https://host:port`) over one connection at a time. */
export class Channel {
  private conn: Connection | undefined;
  private readonly unaryHeaders = new Map<string, http2.OutgoingHttpHeaders>();
  private readonly inFlight = new Set<UnaryCall>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly endpoint: string,
    private readonly opts: ChannelOptions,
    private readonly events: ChannelEvents,
    /** Deadline of unary calls, in ms. */
    private readonly timeoutMs: number,
  ) {}

  /** True while a connection is up. */
  get connected(): boolean {
    return this.conn?.connected === true && !this.conn.closed;
  }

  /** Sends one request message (framed) to `path` (`/etcdserverpb.KV/Range`); resolves with the answer. */
  unary(path: string, frame: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let conn: Connection;
      try {
        conn = this.connection();
      } catch (err) {
        reject(this.unsent(err));
        return;
      }
      const call = new UnaryCall(this, conn, resolve, reject);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = conn.request(this.headersFor(path), call);
      } catch (err) {
        // The session is closing (GOAWAY) or gone: the request never left.
        conn.retire();
        reject(this.unsent(err));
        return;
      }
      call.stream = stream;
      call.deadline = Date.now() + this.timeoutMs;
      this.track(call);
      stream.end(frame);
    });
  }

  /** Opens a bidirectional stream to `path`. */
  stream(path: string, handlers: StreamHandlers): BidiStream {
    const conn = this.connection();
    const s = new BidiStream(this, conn, handlers);
    try {
      s.stream = conn.request(
        {
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/grpc',
          te: 'trailers',
          ...(this.opts.headers ?? {}),
        },
        s,
      );
    } catch (err) {
      conn.retire();
      throw this.unsent(err);
    }
    return s;
  }

  /** Closes the connection; calls in flight fail. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    const conn = this.conn;
    this.conn = undefined;
    conn?.shutdown();
  }

  /** @internal */
  untrack(call: UnaryCall): void {
    this.inFlight.delete(call);
  }

  /** @internal */
  connectionGone(conn: Connection): void {
    if (this.conn === conn) this.conn = undefined;
  }

  /** @internal */
  connectionFailed(err: Error): void {
    if (!this.closed) this.events.onConnectionFailed(this, err);
  }

  /** @internal */
  logWarn(err: unknown, msg: string): void {
    this.events.onWarning(this, err, msg);
  }

  private connection(): Connection {
    if (this.closed) throw new Error('etcd client is closed');
    if (!this.conn || this.conn.closed) this.conn = new Connection(this, this.opts);
    return this.conn;
  }

  private unsent(err: unknown): GrpcError {
    return new GrpcError(
      Status.UNAVAILABLE,
      err instanceof Error ? err.message : String(err),
      false,
      this.endpoint,
    );
  }

  private headersFor(path: string): http2.OutgoingHttpHeaders {
    let h = this.unaryHeaders.get(path);
    if (!h) {
      h = Object.freeze({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        // etcd stops working on a request once the client has given up on it.
        'grpc-timeout': grpcTimeout(this.timeoutMs),
        ...(this.opts.headers ?? {}),
      });
      this.unaryHeaders.set(path, h);
    }
    return h;
  }

  private track(call: UnaryCall): void {
    this.inFlight.add(call);
    if (this.sweepTimer) return;
    const every = Math.max(10, Math.min(250, Math.floor(this.timeoutMs / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    if (this.inFlight.size === 0) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
      return;
    }
    const now = Date.now();
    for (const call of this.inFlight) if (call.deadline <= now) call.expire();
  }
}

/**
 * Unary gRPC calls over HTTP/2 on a unix socket: all the CRI needs. One HTTP/2 connection, opened at
 * the first call and again after it failed or the runtime went away; each call is one stream (a
 * length-prefixed request message, a response message and the status in the trailers), with a
 * deadline (`grpc-timeout`, and a local timer that cancels the stream) and an optional AbortSignal.
 * No compression is offered or accepted.
 *
 * Why not @grpc/grpc-js: for a local unix socket its channel machinery (name resolution, load
 * balancing, call credentials, interceptors) cost the agent several times the CPU of the HTTP/2
 * stream itself per call, and loading it ~8 MiB of memory.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { decodeGrpcMessage, GrpcStatus, grpcTimeout, httpStatusToGrpc } from '../../util/grpc-wire.js';

export { GrpcStatus };

/** A call that ended with a status other than OK. */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
  }
}

/** Options of {@link UnixChannel}. */
export interface UnixChannelOptions {
  /** Largest message sent or accepted, in bytes. */
  maxMessageBytes: number;
}

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;
/** Per-stream receive window: answers (image lists, stats) arrive in one go. */
const STREAM_WINDOW = 4 << 20;

/** One call in flight. */
class Call {
  status = -1;
  message = '';
  chunks: Buffer[] = [];
  bytes = 0;
  error: Error | undefined;
  done = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly resolve: (msg: Buffer) => void,
    readonly reject: (err: GrpcCallError) => void,
    readonly maxBytes: number,
  ) {}

  /** Ends the call once (the first outcome wins). */
  end(err: GrpcCallError | undefined, body?: Buffer): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    if (err) this.reject(err);
    else this.resolve(body ?? Buffer.alloc(0));
  }

  readStatus(h: http2.IncomingHttpHeaders): void {
    const raw = h['grpc-status'];
    if (raw === undefined) return;
    const code = Number(raw);
    this.status = Number.isInteger(code) && code >= 0 ? code : GrpcStatus.UNKNOWN;
    const msg = h['grpc-message'];
    this.message = typeof msg === 'string' ? decodeGrpcMessage(msg) : '';
  }
}

/** Unary calls to the gRPC server on a unix socket. */
export class UnixChannel {
  private session: http2.ClientHttp2Session | undefined;
  /** Why the current connection failed, for the calls it takes down. */
  private failure: Error | undefined;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly socketPath: string,
    private readonly opts: UnixChannelOptions,
  ) {}

  /**
   * Sends one request message to `path` (`/runtime.v1.RuntimeService/Version`); resolves with the
   * response message. Rejects with {@link GrpcCallError}: the server's status, DEADLINE_EXCEEDED
   * after `timeoutMs` (0: none), CANCELLED when `signal` aborts, UNAVAILABLE when the connection
   * fails or the server resets the stream.
   */
  call(path: string, message: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.closed) {
        reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, 'the channel is closed'));
        return;
      }
      if (signal?.aborted) {
        reject(new GrpcCallError(GrpcStatus.CANCELLED, 'call cancelled before it started'));
        return;
      }
      if (message.length > this.opts.maxMessageBytes) {
        reject(
          new GrpcCallError(
            GrpcStatus.RESOURCE_EXHAUSTED,
            `trying to send message larger than max (${message.length} vs. ${this.opts.maxMessageBytes})`,
          ),
        );
        return;
      }
      const call = new Call(resolve, reject, this.opts.maxMessageBytes);
      let session: http2.ClientHttp2Session;
      let stream: http2.ClientHttp2Stream;
      const headers: http2.OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
      };
      if (timeoutMs > 0) headers['grpc-timeout'] = grpcTimeout(timeoutMs);
      try {
        session = this.connect();
        stream = session.request(headers, { endStream: false });
      } catch (err) {
        call.end(new GrpcCallError(GrpcStatus.UNAVAILABLE, err instanceof Error ? err.message : String(err)));
        return;
      }
      this.started();
      const cancel = (code: number, why: string): void => {
        if (call.done) return;
        call.end(new GrpcCallError(code, why));
        stream.close(NGHTTP2_CANCEL);
      };
      const onAbort = (): void => cancel(GrpcStatus.CANCELLED, 'Cancelled on client');
      if (timeoutMs > 0)
        call.timer = setTimeout(() => cancel(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });

      stream.on('response', (h) => {
        const status = Number(h[':status']);
        if (status !== 200) {
          call.status = httpStatusToGrpc(status);
          call.message = `Received HTTP status code ${status}`;
          return;
        }
        // A trailers-only answer carries the status in the headers.
        call.readStatus(h);
      });
      stream.on('trailers', (h) => {
        if (call.status < 0 || call.status === GrpcStatus.OK) call.readStatus(h);
      });
      stream.on('data', (chunk: Buffer) => {
        call.chunks.push(chunk);
        call.bytes += chunk.length;
        if (call.bytes > call.maxBytes + 5)
          cancel(
            GrpcStatus.RESOURCE_EXHAUSTED,
            `Received message larger than max (${call.bytes - 5} vs. ${call.maxBytes})`,
          );
      });
      stream.on('error', (err) => {
        call.error ??= err;
      });
      stream.on('close', () => {
        this.finished();
        signal?.removeEventListener('abort', onAbort);
        if (call.done) return;
        if (call.status === GrpcStatus.OK) {
          const body = call.chunks.length === 1 ? call.chunks[0] : Buffer.concat(call.chunks, call.bytes);
          if (!body || body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) {
            call.end(new GrpcCallError(GrpcStatus.INTERNAL, 'malformed or compressed gRPC response'));
          } else call.end(undefined, body.subarray(5));
          return;
        }
        if (call.status > 0) {
          call.end(new GrpcCallError(call.status, call.message || `gRPC status ${call.status}`));
          return;
        }
        // No status: the stream was reset, or the connection went away.
        const rst = stream.rstCode ?? 0;
        const why =
          call.error?.message ??
          (session === this.session ? undefined : this.failure?.message) ??
          (rst === NGHTTP2_REFUSED_STREAM
            ? 'stream refused by the server'
            : `stream reset (HTTP/2 code ${rst})`);
        call.end(new GrpcCallError(GrpcStatus.UNAVAILABLE, `No connection established. Last error: ${why}`));
      });
      const frame = Buffer.allocUnsafe(5 + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      stream.end(frame);
    });
  }

  /** Closes the connection; calls in flight fail, later calls are refused. */
  close(): void {
    this.closed = true;
    const s = this.session;
    this.session = undefined;
    s?.destroy();
  }

  /** The connection, opened when there is none (or the last one failed). */
  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect('http://localhost', {
      createConnection: () => net.connect(this.socketPath),
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: Math.max(10, Math.ceil((this.opts.maxMessageBytes * 2) / (1 << 20))),
    });
    const drop = (err?: Error): void => {
      if (err) this.failure = err;
      if (this.session === session) this.session = undefined;
    };
    session.on('error', (err) => drop(err));
    session.on('goaway', () => drop());
    session.on('close', () => drop());
    if (this.inFlight === 0) session.unref();
    this.session = session;
    return session;
  }

  /** A call started: the connection keeps the process alive while calls are in flight. */
  private started(): void {
    if (this.inFlight++ === 0) this.session?.ref();
  }

  private finished(): void {
    if (--this.inFlight === 0) this.session?.unref();
  }
}

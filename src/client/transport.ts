/**
 * The wire under the client: one HTTP/2 session per client over TLS (CA, client certificate or
 * bearer token), opened on first use and replaced when it dies or the server sends GOAWAY. Streams
 * that the server provably did not process (refused, or opened on a session that was going away) are
 * retried once on a fresh session. Requests have deadlines and abort signals; a session with open
 * streams is pinged so a dead peer is noticed even when no bytes flow (a quiet watch).
 */
import fs from 'node:fs';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { Logger } from '../util/log.js';
import type { RawResponse } from './types.js';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** Why a request failed without an HTTP answer. */
export type RequestErrorKind = 'transport' | 'timeout' | 'aborted';

/** A request that got no (complete) HTTP answer: connection trouble, deadline, or abort. */
export class RequestError extends Error {
  constructor(
    readonly kind: RequestErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = kind === 'aborted' ? 'AbortError' : 'RequestError';
  }
  /** The system error code of the cause (`ECONNREFUSED` …), if any. */
  get code(): string | undefined {
    const c = this.cause as { code?: unknown } | undefined;
    return typeof c?.code === 'string' ? c.code : undefined;
  }
}

/** Options of a {@link Transport}. */
export interface TransportOptions {
  /** `https://host:port[/prefix]`; `http://` speaks HTTP/2 without TLS (tests, in-process use). */
  server: string;
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  token?: string;
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  userAgent: string;
  /** Deadline of a request that sets none (default 30 s; 0 = none). */
  timeoutMs?: number;
  /** Ping a session with open streams this often (default 30 s; 0 = never). */
  pingIntervalMs?: number;
  /** Drop a session whose ping is not answered within this (default 15 s). */
  pingTimeoutMs?: number;
  logger?: Logger;
}

/** One request on the wire. */
export interface WireRequest {
  method: string;
  path: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Overrides the transport's default deadline (0 = none). */
  timeoutMs?: number;
}

/** An answer whose body is still streaming. */
export interface OpenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  stream: ClientHttp2Stream;
}

/** A one-shot cancellation hook shared by the phases of a request. */
class Cancel {
  reason: Error | undefined;
  private fn: ((e: Error) => void) | undefined;
  cancel(e: Error): void {
    if (this.reason) return;
    this.reason = e;
    this.fn?.(e);
  }
  onCancel(fn: (e: Error) => void): void {
    this.fn = fn;
    if (this.reason) fn(this.reason);
  }
}

/** A session and the bookkeeping that keeps it referenced only while streams are open. */
class Conn {
  active = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  constructor(
    readonly session: ClientHttp2Session,
    private readonly pingIntervalMs: number,
    private readonly pingTimeoutMs: number,
  ) {
    session.unref();
  }
  get usable(): boolean {
    return !this.session.closed && !this.session.destroyed;
  }
  track(stream: ClientHttp2Stream): void {
    if (this.active++ === 0) {
      this.session.ref();
      if (this.pingIntervalMs > 0) {
        this.pingTimer = setInterval(() => this.ping(), this.pingIntervalMs);
        this.pingTimer.unref();
      }
    }
    stream.once('close', () => {
      if (--this.active === 0) {
        if (this.pingTimer) clearInterval(this.pingTimer);
        this.pingTimer = undefined;
        if (!this.session.destroyed) this.session.unref();
      }
    });
  }
  private ping(): void {
    if (!this.usable) return;
    const timer = setTimeout(
      () => this.session.destroy(new Error(`no answer to an HTTP/2 ping within ${this.pingTimeoutMs} ms`)),
      this.pingTimeoutMs,
    );
    timer.unref();
    try {
      this.session.ping(() => clearTimeout(timer));
    } catch {
      clearTimeout(timer); // Session already closing: its streams learn of it themselves.
    }
  }
  stop(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}

/** Errors meaning "this stream never reached the server's handler": safe to send again. */
function unprocessed(err: unknown, stream?: ClientHttp2Stream): boolean {
  if (stream && stream.rstCode === NGHTTP2_REFUSED_STREAM) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION';
}

const TOKEN_FILE_REFRESH_MS = 60_000;

/** HTTP/2 transport of one client. */
export class Transport {
  private conn: Conn | undefined;
  private closed = false;
  private readonly origin: string;
  private readonly prefix: string;
  private token: string | undefined;
  private tokenReadAt = 0;

  constructor(private readonly opts: TransportOptions) {
    const url = new URL(opts.server);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`server URL ${opts.server}: only https:// (or http:// for tests) is supported`);
    }
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.token = opts.token;
    if (!this.token && opts.tokenFile) this.readToken();
  }

  private readToken(): void {
    const file = this.opts.tokenFile;
    if (!file) return;
    this.tokenReadAt = Date.now();
    try {
      this.token = fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      // Keep the last token: a rotation may be in progress.
      this.opts.logger?.warn({ err, tokenFile: file }, 'cannot re-read the bearer token file');
    }
  }

  private bearer(): string | undefined {
    if (this.opts.tokenFile && Date.now() - this.tokenReadAt > TOKEN_FILE_REFRESH_MS) this.readToken();
    return this.token;
  }

  /** The live session, or a new one. */
  private session(): Conn {
    if (this.closed) throw new RequestError('transport', 'the client is closed');
    const current = this.conn;
    if (current?.usable) return current;
    const o = this.opts;
    const session = http2.connect(this.origin, {
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: !o.insecureSkipTlsVerify,
      ...(o.tlsServerName ? { servername: o.tlsServerName } : {}),
      settings: { enablePush: false, initialWindowSize: 1 << 20 },
    });
    const conn = new Conn(session, o.pingIntervalMs ?? 30_000, o.pingTimeoutMs ?? 15_000);
    const forget = (): void => {
      if (this.conn === conn) this.conn = undefined;
      conn.stop();
    };
    session.on('connect', () => {
      try {
        session.setLocalWindowSize(8 << 20);
      } catch (err) {
        o.logger?.debug({ err }, 'cannot widen the HTTP/2 connection window');
      }
    });
    session.on('error', (err) => {
      o.logger?.debug({ err, server: this.origin }, 'HTTP/2 session error');
      forget();
    });
    session.on('goaway', () => forget());
    session.on('close', () => forget());
    this.conn = conn;
    return conn;
  }

  /** Sends a request and resolves at the response headers; the body is left to read. */
  private open(req: WireRequest, cancel: Cancel, retried = false): Promise<OpenResponse> {
    return new Promise((resolve, reject) => {
      const what = `${req.method} ${req.path}`;
      let conn: Conn | undefined;
      let stream: ClientHttp2Stream;
      const headers: Record<string, string> = {
        ':method': req.method,
        ':path': this.prefix + req.path,
        accept: 'application/json',
        'user-agent': this.opts.userAgent,
      };
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
      const token = this.bearer();
      if (token && !('authorization' in headers)) headers['authorization'] = `Bearer ${token}`;
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      try {
        conn = this.session();
        stream = conn.session.request(headers, { endStream: req.body === undefined });
      } catch (err) {
        if (!retried && unprocessed(err) && !this.closed) {
          // The session is going away: leave it to finish its streams and start a new one.
          if (conn && this.conn === conn) this.conn = undefined;
          resolve(this.open(req, cancel, true));
        } else
          reject(
            err instanceof RequestError
              ? err
              : new RequestError('transport', `${what}: ${String(err)}`, { cause: err }),
          );
        return;
      }
      conn.track(stream);
      let settled = false;
      const retryOrFail = (err: Error | undefined): void => {
        if (settled) return;
        settled = true;
        if (cancel.reason) return reject(cancel.reason);
        if (!retried && unprocessed(err, stream) && !this.closed) {
          resolve(this.open(req, cancel, true));
          return;
        }
        const why = err ? err.message : `stream closed (HTTP/2 code ${stream.rstCode ?? '?'})`;
        reject(new RequestError('transport', `${what}: ${why}`, { cause: err }));
      };
      cancel.onCancel((e) => {
        if (!stream.closed) stream.close(NGHTTP2_CANCEL);
        if (!settled) {
          settled = true;
          reject(e);
        }
      });
      stream.once('response', (h) => {
        if (settled) return;
        settled = true;
        resolve({ status: Number(h[':status'] ?? 0), headers: h, stream });
      });
      stream.once('error', (err) => retryOrFail(err));
      stream.once('close', () => retryOrFail(undefined));
      if (req.body !== undefined) stream.end(req.body);
    });
  }

  /** Wires a deadline and an abort signal to `cancel`; returns the function that unwires them. */
  private arm(req: WireRequest, cancel: Cancel, timeoutMs: number): () => void {
    const what = `${req.method} ${req.path}`;
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () =>
              cancel.cancel(
                new RequestError('timeout', `${what}: no complete answer within ${timeoutMs} ms`),
              ),
            timeoutMs,
          )
        : undefined;
    const signal = req.signal;
    const onAbort = (): void =>
      cancel.cancel(new RequestError('aborted', `${what}: aborted`, { cause: signal?.reason }));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
  }

  /** One request, body read whole. Resolves with any status; rejects with {@link RequestError}. */
  async request(req: WireRequest): Promise<RawResponse> {
    const cancel = new Cancel();
    const disarm = this.arm(req, cancel, req.timeoutMs ?? this.opts.timeoutMs ?? 30_000);
    try {
      const res = await this.open(req, cancel);
      const body = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let done = false;
        const fail = (e: Error): void => {
          if (done) return;
          done = true;
          reject(e);
        };
        cancel.onCancel((e) => {
          if (!res.stream.closed) res.stream.close(NGHTTP2_CANCEL);
          fail(e);
        });
        res.stream.on('data', (d: Buffer) => chunks.push(d));
        res.stream.once('end', () => {
          if (done) return;
          done = true;
          resolve(Buffer.concat(chunks));
        });
        res.stream.once('error', (err) =>
          fail(new RequestError('transport', `${req.method} ${req.path}: ${err.message}`, { cause: err })),
        );
        res.stream.once('close', () =>
          fail(
            new RequestError(
              'transport',
              `${req.method} ${req.path}: the answer was cut short (HTTP/2 code ${res.stream.rstCode ?? '?'})`,
            ),
          ),
        );
      });
      return { status: res.status, headers: plainHeaders(res.headers), body };
    } finally {
      disarm();
    }
  }

  /**
   * A request whose body streams (watch). The deadline covers only the wait for the response
   * headers; the signal closes the stream at any time.
   */
  async stream(req: WireRequest): Promise<OpenResponse> {
    const cancel = new Cancel();
    const disarm = this.arm(req, cancel, req.timeoutMs ?? this.opts.timeoutMs ?? 30_000);
    try {
      return await this.open(req, cancel);
    } finally {
      disarm();
    }
  }

  /** Closes the session; open streams fail. */
  close(): void {
    this.closed = true;
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      conn.stop();
      conn.session.destroy();
    }
  }
}

/** Response headers without the HTTP/2 pseudo-headers. */
export function plainHeaders(h: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) out[k] = v;
  return out;
}

/**
 * Plain API requests over HTTP/2 answered on the stream itself, without Node's HTTP/1-style
 * compatibility objects.
 *
 * Node builds an `Http2ServerRequest` (a readable stream fed from the HTTP/2 stream) and an
 * `Http2ServerResponse` for every request, with a dozen listeners on the stream, and copies and
 * checks the headers again when answering: ~25k instructions a request, a fifth of what a bare
 * HTTP/2 answer costs (measured under callgrind with the benchmark client). For the requests the
 * API handlers answer with one body — everything but watches, the streaming subresources and
 * non-API paths — the server hands them {@link StreamRequest} and {@link StreamResponse} instead:
 * the few members the handlers use, on the stream directly.
 *
 * Answers end with their last DATA frame. The compatibility response ends with an empty trailers
 * frame instead, and so did this code at first: ending on the DATA frame has the stream closed
 * before the write's callback runs, and Node then builds an Error it throws away (with a stack
 * trace: ~5% of the API server's CPU time at 64 clients). But a trailers frame can only be sent
 * once Node asks for it (`wantTrailers`, after the DATA went out), so it left in a later round of
 * the event loop, and the answer was complete for the client only then. Measured with
 * apiserver-write at 64 clients on SQLite (3 interleaved A/B pairs): ending on the DATA frame
 * took the time a create spends in the server from ~5 ms to ~2.7 ms and creates/s from
 * 40–53% to 57–65% of the echo server's, for the same CPU per create.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';

/** Subresources whose answers stream (or that proxy to the kubelet). */
const STREAMING = /\/(log|exec|attach|portforward|proxy)(\/|$)/;

/**
 * Whether a request may be answered on the stream directly: a plain verb on an API path, not a
 * watch, not a streaming subresource, not waiting for `100-continue`.
 */
export function answersOnStream(headers: IncomingHttpHeaders): boolean {
  const method = headers[':method'];
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE')
    return false;
  const url = headers[':path'];
  if (typeof url !== 'string' || !(url.startsWith('/api/') || url.startsWith('/apis/'))) return false;
  if (headers['expect'] !== undefined) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.includes('/watch/') || STREAMING.test(path)) return false;
  return q < 0 || !url.includes('watch', q);
}

function ignoreStreamError(): void {
  // See StreamRequest's constructor.
}

/** The request side: method, url, headers and the body, read from the stream. */
export class StreamRequest {
  readonly method: string;
  readonly url: string;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
  ) {
    this.method = headers[':method'] ?? 'GET';
    this.url = headers[':path'] ?? '/';
    // A stream error (the client reset it) would otherwise be thrown: it only ends this request, as
    // with the compatibility layer, which ignores them too.
    stream.on('error', ignoreStreamError);
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.on(event, listener);
    return this;
  }

  off(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.off(event, listener);
    return this;
  }

  resume(): this {
    this.stream.resume();
    return this;
  }
}

/** Options of `respond` (Node copies them, and would add `endStream` to the copy: a slow store). */
const MORE_TO_COME = { endStream: false };
const END_STREAM = { endStream: true };

/** The response side: a status, headers and at most a body, then the end. */
export class StreamResponse {
  statusCode = 200;
  private headers: OutgoingHttpHeaders | undefined;

  constructor(readonly stream: ServerHttp2Stream) {}

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  /** The stream can take no answer any more (the client went away). */
  private get gone(): boolean {
    return this.stream.destroyed || this.stream.closed;
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    (this.headers ??= {})[name.toLowerCase()] = value as string | string[];
    return this;
  }

  getHeaderNames(): string[] {
    return Object.keys(this.headers ?? {});
  }

  /**
   * Answers with a whole body in one go (the common answer): the headers object is built once, in
   * the form Node takes it.
   */
  send(code: number, contentType: string, body: string, warnings?: string[]): void {
    if (this.headers !== undefined) {
      if (warnings) this.setHeader('warning', warnings);
      this.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      this.end(body);
      return;
    }
    if (this.stream.headersSent || this.gone) return;
    this.statusCode = code;
    const headers: Record<string, number | string | string[]> = {
      ':status': code,
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
    };
    // Several warnings are several header fields.
    if (warnings) headers['warning'] = warnings;
    if ((this.stream as { headRequest?: boolean }).headRequest === true) {
      this.stream.respond(headers as OutgoingHttpHeaders, END_STREAM);
      return;
    }
    this.stream.respond(headers as OutgoingHttpHeaders, MORE_TO_COME);
    this.stream.end(body);
  }

  writeHead(code: number, headers?: OutgoingHttpHeaders): this {
    if (this.stream.headersSent || this.gone) return this;
    this.statusCode = code;
    const all: OutgoingHttpHeaders = { ...this.headers };
    if (headers) for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
    all[':status'] = code;
    if ((this.stream as { headRequest?: boolean }).headRequest === true) {
      this.stream.respond(all, END_STREAM);
      return this;
    }
    this.stream.respond(all, MORE_TO_COME);
    return this;
  }

  flushHeaders(): void {
    this.writeHead(this.statusCode);
  }

  write(chunk: string | Buffer): boolean {
    if (!this.stream.headersSent) this.writeHead(this.statusCode);
    if (this.gone || this.stream.writableEnded) return false;
    return this.stream.write(chunk);
  }

  end(chunk?: string | Buffer): this {
    if (!this.stream.headersSent) this.writeHead(this.statusCode);
    if (this.gone || this.stream.writableEnded) return this;
    if (chunk === undefined) this.stream.end();
    else this.stream.end(chunk);
    return this;
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.on(event, listener);
    return this;
  }

  off(event: string, listener: (...args: unknown[]) => void): this {
    this.stream.off(event, listener);
    return this;
  }
}

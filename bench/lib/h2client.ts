/**
 * The one client every benchmark uses, for the k8ts server and for the floors alike: HTTP/2 over TLS
 * with the admin client certificate, one session per client, flow-control windows like Go's HTTP/2
 * transport (what kubectl and client-go use: 4 MiB per stream, 1 GiB per connection).
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { ClientCredentials } from './kubeconfig.js';

/** A whole response. `ms` runs from sending the request to the last byte of the body. */
export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

const STREAM_WINDOW = 4 * 1024 * 1024;
const CONNECTION_WINDOW = 1024 * 1024 * 1024;

/** One HTTP/2 session to one server. */
export class H2Client {
  private constructor(
    private readonly session: ClientHttp2Session,
    readonly origin: string,
  ) {}

  /** Opens a session (TLS handshake with the client certificate) and waits until it is ready. */
  static async connect(origin: string, creds: ClientCredentials): Promise<H2Client> {
    const session = http2.connect(origin, {
      ca: creds.caPem,
      cert: creds.certPem,
      key: creds.keyPem,
      settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
      maxSessionMemory: 512,
    });
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    session.setLocalWindowSize(CONNECTION_WINDOW);
    // Errors after connect surface on the streams; keep the session from throwing on its own.
    session.on('error', () => undefined);
    return new H2Client(session, origin);
  }

  /** Sends one request and reads the whole response. */
  request(
    method: string,
    path: string,
    opts: { body?: Buffer | string; headers?: Record<string, string> } = {},
  ): Promise<H2Response> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = {
        ':method': method,
        ':path': path,
        accept: 'application/json',
        ...opts.headers,
      };
      if (opts.body !== undefined && headers['content-type'] === undefined)
        headers['content-type'] = 'application/json';
      let stream: ClientHttp2Stream;
      try {
        stream = this.session.request(headers, { endStream: opts.body === undefined });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      let status = 0;
      let resHeaders: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        resHeaders = h;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () =>
        resolve({
          status,
          headers: resHeaders,
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
      stream.on('error', reject);
      if (opts.body !== undefined) stream.end(opts.body);
    });
  }

  /** Sends a request and expects `status`; returns the response or throws with what came back. */
  async expect(
    status: number,
    method: string,
    path: string,
    opts: { body?: Buffer | string; headers?: Record<string, string> } = {},
  ): Promise<H2Response> {
    const res = await this.request(method, path, opts);
    if (res.status !== status)
      throw new Error(
        `${method} ${path}: expected ${status}, got ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`,
      );
    return res;
  }

  /** Opens a long-running GET (a watch) and hands back the raw stream. */
  openStream(path: string, headers: Record<string, string> = {}): ClientHttp2Stream {
    return this.session.request({ ':method': 'GET', ':path': path, accept: 'application/json', ...headers });
  }

  /** Closes the session (and every stream still open on it). */
  close(): void {
    this.session.destroy();
  }
}

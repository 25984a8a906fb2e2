/**
 * A small HTTPS client for the API server, authenticating with a client certificate (the admin's by
 * default): raw requests with status codes and bodies, for what kubectl hides (exact status codes,
 * bursts of concurrent writes).
 */
import fs from 'node:fs';
import https from 'node:https';

/** One HTTP answer. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Options of one request. */
export interface RequestOptions {
  /** Content-Type of the body (default application/json). */
  contentType?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Abort after this long (default 30 s). */
  timeoutMs?: number;
}

/** Credentials and endpoint of an {@link ApiClient}. */
export interface ApiClientOptions {
  /** e.g. https://127.0.0.1:6443 */
  url: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Concurrent connections (default 32). */
  maxSockets?: number;
}

/** Parses a JSON answer body, failing with the status and body when it is not JSON. */
export function jsonOf<T>(res: ApiResponse): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new Error(`expected a JSON body, got HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  }
}

/** HTTPS client with a keep-alive connection pool. */
export class ApiClient {
  private readonly agent: https.Agent;
  readonly url: string;

  constructor(opts: ApiClientOptions) {
    this.url = opts.url;
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 32,
      ca: fs.readFileSync(opts.caFile),
      cert: fs.readFileSync(opts.certFile),
      key: fs.readFileSync(opts.keyFile),
    });
  }

  /** Sends one request; resolves with any status, rejects only on transport errors. */
  request(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<ApiResponse> {
    const payload =
      body === undefined
        ? undefined
        : typeof body === 'string' || Buffer.isBuffer(body)
          ? body
          : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.url),
        {
          method,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}),
            ...opts.headers,
          },
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within the timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** GET and parse JSON; throws unless the status is 200. */
  async getJson<T>(path: string): Promise<T> {
    const res = await this.request('GET', path);
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
    return jsonOf<T>(res);
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * HTTP/1.1 connection upgrades as a proxy sees them (the API server in front of a kubelet, the kubelet
 * in front of the container runtime's streaming server): dial a backend with an upgrade request, hand
 * its 101 answer and raw socket back, answer a client on its raw socket, and splice two sockets.
 */
import { request as httpRequest, ServerResponse, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';

/** What a backend answered to an upgrade request. */
export type UpgradeResult =
  | { upgraded: true; res: IncomingMessage; socket: Duplex; head: Buffer }
  | { upgraded: false; res: IncomingMessage };

/** Options of {@link dialUpgrade}. */
export interface DialUpgradeOptions {
  method?: string;
  /** Raw header pairs [name, value, name, value …] (repeated names allowed). */
  rawHeaders: string[];
  /** TLS options for https URLs (CA, client certificate). */
  tls?: ConnectionOptions;
  /** Give up after this long without an answer (default 30 s). */
  timeoutMs?: number;
}

/** Headers a proxy never forwards (hop-by-hop, and credentials meant for the proxy itself). */
const HOP_BY_HOP = new Set([
  'host',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'content-length',
  'authorization',
  'impersonate-user',
  'impersonate-group',
  'impersonate-uid',
]);

/**
 * The request headers to pass on to a backend, as raw pairs: upgrade headers (Connection, Upgrade,
 * Sec-WebSocket-*, X-Stream-Protocol-Version …) kept with repeats; hop-by-hop headers and
 * credentials dropped.
 */
export function forwardedRequestHeaders(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower.startsWith('impersonate-extra-')) continue;
    out.push(name, rawHeaders[i + 1] ?? '');
  }
  return out;
}

/** Sends an upgrade request to `url`; resolves with the 101 socket, or the non-101 response. */
export function dialUpgrade(url: URL, opts: DialUpgradeOptions): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    // An array of headers is sent as given, so the Host header must be among them.
    const headers: string[] = ['Host', url.host, ...opts.rawHeaders];
    // Without a length Node would send a chunked body, whose end marker lands in the upgraded stream.
    const method = (opts.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') headers.push('Content-Length', '0');
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers: headers as unknown as Record<string, string>,
      agent: false,
      ...(https ? (opts.tls ?? {}) : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer from ${url.host} within ${opts.timeoutMs ?? 30_000} ms`));
    }, opts.timeoutMs ?? 30_000);
    req.on('upgrade', (res, socket, head) => {
      clearTimeout(timer);
      resolve({ upgraded: true, res, socket, head });
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve({ upgraded: false, res });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** The status line and headers of a 101 (or any) response, as raw bytes for a hijacked socket. */
export function responseHead(status: number, statusMessage: string, rawHeaders: readonly string[]): Buffer {
  let text = `HTTP/1.1 ${status} ${statusMessage}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) text += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** Copies bytes both ways until either side ends; ends and destroys both then. */
export function splice(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      a.destroy();
      b.destroy();
      resolve();
    };
    a.pipe(b);
    b.pipe(a);
    a.on('close', finish);
    b.on('close', finish);
    a.on('error', finish);
    b.on('error', finish);
    // A half-close is passed on by pipe(); once both directions ended, close.
    let ended = 0;
    const onEnd = (): void => {
      if (++ended === 2) finish();
    };
    a.on('end', onEnd);
    b.on('end', onEnd);
  });
}

/**
 * A ServerResponse that writes to the raw socket of an upgrade request, for answering it with an
 * ordinary HTTP response (an error, or a relayed non-101 backend answer). The socket closes after.
 */
export function responseOnSocket(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as unknown as Parameters<ServerResponse['assignSocket']>[0]);
  res.on('finish', () => {
    res.detachSocket(socket as unknown as Parameters<ServerResponse['detachSocket']>[0]);
    socket.end();
  });
  return res;
}

/** True when the request asks to upgrade the connection (WebSocket or SPDY). */
export function isUpgradeRequest(headers: IncomingMessage['headers']): boolean {
  const connection = String(headers['connection'] ?? '').toLowerCase();
  return connection.split(',').some((t) => t.trim() === 'upgrade') && !!headers['upgrade'];
}

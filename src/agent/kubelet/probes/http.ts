/**
 * HTTP GET for httpGet probes and lifecycle hooks, with upstream's kubelet behaviour: no certificate
 * verification, `User-Agent: kube-probe/1.33` (`kube-lifecycle/1.33` for hooks) and `Accept: *\/*`
 * unless the action sets them, a Host header override, redirects followed (probes only to the same
 * host), at most 10 KiB of body read, and one deadline for the whole exchange. Failures are worded
 * as upstream's Go client words them: `Get "http://10.42.0.5:8080/healthz": dial tcp
 * 10.42.0.5:8080: connect: connection refused`.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import { KUBE_VERSION, MAX_BODY_BYTES } from './constants.js';
import { errnoCode, goNetError, goQuote, joinHostPort } from './net-errors.js';
import { resolveProbePort } from './port.js';

const MAX_REDIRECTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** A GET to send: where, and with which headers. */
export interface HttpGetRequest {
  /** The URL as upstream prints it in messages (`http://10.42.0.5:8080/healthz`). */
  url: string;
  /** Header lines in order; a `Host` entry overrides the request's host. */
  headers: Array<[string, string]>;
}

/** Options of one GET exchange. */
export interface HttpGetOptions {
  /** `probe` or `lifecycle`: names the User-Agent (`kube-probe/1.33`). */
  purpose: 'probe' | 'lifecycle';
  /** Deadline for the whole exchange, redirects and body included; none when undefined. */
  timeoutMs?: number;
  /** Follow redirects to other hosts too (hooks); probes stop at them. */
  followOtherHosts: boolean;
  /** Aborts the exchange (a hook whose container is going away). */
  signal?: AbortSignal;
}

/** What came back: a response (any status), or the Go-worded failure. */
export type HttpGetResult =
  | { ok: true; status: number; body: string; url: string }
  | {
      ok: false;
      /** `Get "URL": …`. */
      error: string;
      /** An HTTPS request answered in plain HTTP (hooks retry with HTTP). */
      plainHttpAnswer?: boolean;
    };

/**
 * The request an httpGet action describes for a container: scheme, host (the pod IP unless set),
 * port (number or container port name), path and headers.
 * @throws PortError when the port cannot be resolved.
 */
export function httpGetRequest(action: HTTPGetAction, container: Container, podIP: string): HttpGetRequest {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase() || 'http';
  const host = action.host || podIP;
  const port = resolveProbePort(action.port, container);
  const path = action.path ?? '';
  const sep = path === '' || path.startsWith('/') ? '' : '/';
  const url = `${scheme}://${joinHostPort(host, port)}${sep}${path}`;
  const headers = (action.httpHeaders ?? []).map((h): [string, string] => [h.name, h.value]);
  return { url, headers };
}

/** Header lines with the kubelet's defaults applied (User-Agent, Accept). */
function withDefaults(
  lines: Array<[string, string]>,
  purpose: HttpGetOptions['purpose'],
): { headers: Record<string, string[]>; host?: string } {
  const headers: Record<string, string[]> = {};
  const names = new Map<string, string>();
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    const canonical = names.get(key) ?? name;
    names.set(key, canonical);
    (headers[canonical] ??= []).push(value);
  }
  if (!names.has('user-agent')) headers['User-Agent'] = [`kube-${purpose}/${KUBE_VERSION}`];
  const accept = names.get('accept');
  if (accept === undefined) headers['Accept'] = ['*/*'];
  else if ((headers[accept]?.[0] ?? '') === '') delete headers[accept];
  const hostKey = names.get('host');
  const host = hostKey ? headers[hostKey]?.[0] : undefined;
  if (hostKey) delete headers[hostKey];
  headers['Connection'] = ['close'];
  return host ? { headers, host } : { headers };
}

interface Exchange {
  status: number;
  location?: string;
  body: string;
}

class DeadlineError extends Error {
  constructor(readonly phase: 'headers' | 'body') {
    super('deadline');
  }
}

class AbortedError extends Error {}

/** One request/response, no redirects. Rejects with a Go-worded message (without the `Get` part). */
function exchange(
  url: URL,
  headers: Record<string, string[]>,
  hostHeader: string | undefined,
  deadlineAt: number | undefined,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (secure ? 443 : 80));
    const outHeaders: Record<string, string[] | string> = { ...headers };
    if (hostHeader !== undefined) outHeaders['Host'] = hostHeader;
    const reqOpts: https.RequestOptions = {
      method: 'GET',
      hostname,
      port,
      path: `${url.pathname || '/'}${url.search}`,
      headers: outHeaders,
      agent: false,
      ...(secure ? { rejectUnauthorized: false } : {}),
    };
    let phase: 'headers' | 'body' = 'headers';
    let socket: Socket | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = (secure ? https : http).request(reqOpts);
    const fail = (err: unknown): void =>
      finish(() => {
        req.destroy();
        reject(new Error(describe(err)));
      });
    const describe = (err: unknown): string => {
      if (err instanceof DeadlineError) {
        return err.phase === 'headers'
          ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
          : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)';
      }
      if (err instanceof AbortedError) return 'context canceled';
      const code = errnoCode(err);
      const msg = err instanceof Error ? err.message : String(err);
      if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(msg)) {
        return 'http: server gave HTTP response to HTTPS client';
      }
      const local =
        socket?.localAddress && socket.localPort
          ? joinHostPort(socket.localAddress, socket.localPort)
          : undefined;
      return goNetError(err, {
        remote: joinHostPort(hostname, port),
        host: hostname,
        ...(local ? { local } : {}),
      });
    };
    const onAbort = (): void => fail(new AbortedError());
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort);
    if (deadlineAt !== undefined) {
      timer = setTimeout(() => fail(new DeadlineError(phase)), Math.max(0, deadlineAt - Date.now()));
    }
    req.on('socket', (s: Socket) => {
      socket = s;
    });
    req.on('error', fail);
    req.on('response', (res) => {
      phase = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void =>
        finish(() => {
          const location = res.headers.location;
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
            ...(location ? { location } : {}),
          });
        });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_BODY_BYTES) {
          done();
          req.destroy();
        }
      });
      res.on('end', done);
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete && size < MAX_BODY_BYTES) fail(new Error('unexpected EOF'));
      });
    });
    req.end();
  });
}

/**
 * Sends the GET, following redirects as upstream's kubelet does, and returns the final response
 * or the failure. Never throws.
 */
export async function httpGet(request: HttpGetRequest, opts: HttpGetOptions): Promise<HttpGetResult> {
  const deadlineAt = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
  const { headers, host } = withDefaults(request.headers, opts.purpose);
  let shown = request.url;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, error: `parse ${goQuote(request.url)}: invalid URL` };
  }
  const firstHost = url.hostname;
  for (let redirects = 0; ; redirects++) {
    let res: Exchange;
    try {
      res = await exchange(
        url,
        headers,
        url.hostname === firstHost ? host : undefined,
        deadlineAt,
        opts.signal,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        error: `Get ${goQuote(shown)}: ${message}`,
        ...(message.startsWith('http: server gave HTTP response') ? { plainHttpAnswer: true } : {}),
      };
    }
    if (!REDIRECT_CODES.has(res.status) || res.location === undefined) {
      return { ok: true, status: res.status, body: res.body, url: shown };
    }
    let next: URL;
    try {
      next = new URL(res.location, url);
    } catch {
      return {
        ok: false,
        error: `Get ${goQuote(shown)}: failed to parse Location header ${goQuote(res.location)}`,
      };
    }
    if (!opts.followOtherHosts && next.hostname !== firstHost) {
      return { ok: true, status: res.status, body: res.body, url: shown };
    }
    if (redirects + 1 >= MAX_REDIRECTS) {
      return { ok: false, error: `Get ${goQuote(next.href)}: stopped after ${MAX_REDIRECTS} redirects` };
    }
    url = next;
    shown = next.href;
  }
}

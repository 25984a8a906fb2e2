/**
 * Proxying to a kubelet (upstream's UpgradeAwareHandler): upgrade requests (exec, attach,
 * port-forward; WebSocket or SPDY) are passed through byte for byte once the kubelet answers 101, and
 * a non-101 answer is relayed as it came (kubectl reads its body as the error); plain requests are
 * streamed both ways.
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { apiErrors } from '../../api/errors.js';
import { dialUpgrade, forwardedRequestHeaders, responseHead, splice } from '../../util/http-upgrade.js';
import type { RequestContext } from '../http.js';
import { kubeletDialError } from './kubelet.js';

type Tls = { ca: string; cert: string; key: string };

/** Response headers that do not cross a proxy (and that HTTP/2 forbids). */
const RESPONSE_HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
]);

/** Copies a backend response's status and headers to the client. */
function writeBackendHead(ctx: RequestContext, res: IncomingMessage): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined && !RESPONSE_HOP_BY_HOP.has(k)) headers[k] = v;
  }
  ctx.res.writeHead(res.statusCode ?? 502, headers);
}

/** Streams a backend body to the client, ending the backend call when the client goes away. */
export function pipeBackendBody(ctx: RequestContext, res: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    const out = ctx.res as NodeJS.WritableStream & { on(e: string, f: () => void): unknown };
    res.pipe(out);
    const done = (): void => {
      res.destroy();
      resolve();
    };
    res.on('end', resolve);
    res.on('error', done);
    (ctx.res as { on(e: 'close', f: () => void): unknown }).on('close', done);
  });
}

/** Passes an upgrade request through to `target`. The request context must carry the socket. */
export async function proxyUpgrade(ctx: RequestContext, target: URL, tls: Tls): Promise<void> {
  const upgrade = ctx.upgrade;
  if (!upgrade) throw apiErrors.badRequest('Upgrade request required');
  let result;
  try {
    result = await dialUpgrade(target, {
      method: ctx.method,
      rawHeaders: forwardedRequestHeaders(ctx.req.rawHeaders),
      tls,
    });
  } catch (err) {
    throw kubeletDialError(err, target);
  }
  if (!result.upgraded) {
    writeBackendHead(ctx, result.res);
    await pipeBackendBody(ctx, result.res);
    return;
  }
  const { socket, head } = upgrade;
  ctx.res.statusCode = 101;
  socket.write(responseHead(101, result.res.statusMessage ?? 'Switching Protocols', result.res.rawHeaders));
  if (result.head.length) socket.write(result.head);
  if (head.length) result.socket.write(head);
  await splice(socket, result.socket);
}

/** Sends a plain request to `target` (the client's body streamed along); resolves with the answer. */
export function backendRequest(ctx: RequestContext, target: URL, tls: Tls): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const raw = forwardedRequestHeaders(ctx.req.rawHeaders).filter((_, i, a) => {
      // Drop HTTP/2 pseudo-headers and the connection header.
      const name = (i % 2 === 0 ? a[i] : a[i - 1]) ?? '';
      return !name.startsWith(':') && name.toLowerCase() !== 'connection';
    });
    const headers: Record<string, string[]> = {};
    for (let i = 0; i + 1 < raw.length; i += 2)
      (headers[(raw[i] ?? '').toLowerCase()] ??= []).push(raw[i + 1] ?? '');
    const req = httpsRequest(target, { method: ctx.method, headers, ...tls });
    req.on('response', resolve);
    req.on('error', (err) => reject(kubeletDialError(err, target)));
    (ctx.res as { on(e: 'close', f: () => void): unknown }).on('close', () => req.destroy());
    if (ctx.method === 'GET' || ctx.method === 'HEAD') req.end();
    else (ctx.req as NodeJS.ReadableStream).pipe(req);
  });
}

/** Proxies a plain request to `target` and relays the answer unchanged (nodes/proxy). */
export async function proxyHttp(ctx: RequestContext, target: URL, tls: Tls): Promise<void> {
  const res = await backendRequest(ctx, target, tls);
  writeBackendHead(ctx, res);
  await pipeBackendBody(ctx, res);
}

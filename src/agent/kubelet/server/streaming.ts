/**
 * The upgrade side of the kubelet API (exec, attach, port-forward): finds the runtime's streaming URL
 * and then either passes the connection through to the runtime byte for byte (SPDY, and WebSocket
 * protocols the runtime speaks itself), or terminates it here and translates:
 * - exec/attach over WebSocket `v5.channel.k8s.io` → SPDY `v4.channel.k8s.io` ({@link bridgeV5});
 * - port-forward over WebSocket `SPDY/3.1+portforward.k8s.io` (SPDY tunnelled in binary messages,
 *   kubectl 1.31+) → plain SPDY `portforward.k8s.io` to the runtime.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  dialUpgrade,
  forwardedRequestHeaders,
  responseHead,
  responseOnSocket,
  splice,
} from '../../../util/http-upgrade.js';
import type { Logger } from '../../../util/log.js';
import {
  bridgeV5,
  internalErrorStatus,
  openRemoteCommandStreams,
  V4_PROTOCOL,
  V5_PROTOCOL,
  type StreamOptions,
} from './remotecommand.js';
import { SpdyConnection } from './spdy/connection.js';
import { KubeletHttpError } from './types.js';

/** The WebSocket subprotocol prefix of SPDY tunnelled through a WebSocket (port-forward). */
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
/** The port-forward SPDY protocol. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** Sockets already answered (101 written or an HTTP response started): errors can only close them. */
const answered = new WeakSet<Duplex>();

/** True once the socket of an upgrade request got an answer. */
export function wasAnswered(socket: Duplex): boolean {
  return answered.has(socket);
}

/** The WebSocket subprotocols a request offers, in order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** True when the request upgrades to WebSocket (as opposed to SPDY). */
export function isWebSocket(req: IncomingMessage): boolean {
  return String(req.headers['upgrade'] ?? '').toLowerCase() === 'websocket';
}

/** Answers an upgrade request with a plain-text error and closes its socket. */
export function rejectUpgrade(req: IncomingMessage, socket: Duplex, status: number, message: string): void {
  answered.add(socket);
  const res = responseOnSocket(req, socket);
  const body = `${message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Accepts a WebSocket handshake answering with exactly this subprotocol. The offered list is taken
 * off the request first: `ws` refuses names with a `/` (not an RFC 7230 token), which the tunnelling
 * protocol `SPDY/3.1+portforward.k8s.io` has, and Go's WebSocket library accepts.
 */
async function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
): Promise<WebSocket> {
  delete req.headers['sec-websocket-protocol'];
  answered.add(socket);
  // Loaded on the first exec/attach/port-forward: an agent that never streams never holds it.
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  return new Promise((resolve) => wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
}

/** Relays a backend's non-101 answer to the client (status, headers, body). */
function relayResponse(req: IncomingMessage, socket: Duplex, res: IncomingMessage): void {
  answered.add(socket);
  const out = responseOnSocket(req, socket);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding' && k !== 'keep-alive')
      headers[k] = v;
  }
  out.writeHead(res.statusCode ?? 502, res.statusMessage, headers);
  res.pipe(out);
}

/** Passes an upgrade through to the runtime's URL unchanged. */
export async function passThrough(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: URL,
): Promise<void> {
  const result = await dialUpgrade(target, {
    method: req.method,
    rawHeaders: forwardedRequestHeaders(req.rawHeaders),
  });
  if (!result.upgraded) {
    relayResponse(req, socket, result.res);
    return;
  }
  answered.add(socket);
  socket.write(responseHead(101, result.res.statusMessage ?? 'Switching Protocols', result.res.rawHeaders));
  if (result.head.length) socket.write(result.head);
  if (head.length) result.socket.write(head);
  await splice(socket, result.socket);
}

/** Opens a SPDY connection to the runtime's URL for `protocols`; throws a KubeletHttpError on refusal. */
async function dialSpdy(
  target: URL,
  protocols: string[],
): Promise<{ socket: Duplex; head: Buffer; protocol: string }> {
  const raw = ['Connection', 'Upgrade', 'Upgrade', 'SPDY/3.1'];
  for (const p of protocols) raw.push('X-Stream-Protocol-Version', p);
  const result = await dialUpgrade(target, { method: 'POST', rawHeaders: raw });
  if (!result.upgraded) {
    const chunks: Buffer[] = [];
    for await (const c of result.res) chunks.push(c as Buffer);
    throw new KubeletHttpError(
      result.res.statusCode ?? 500,
      Buffer.concat(chunks).toString('utf8').trim() || `runtime answered ${result.res.statusCode}`,
    );
  }
  const protocol = String(result.res.headers['x-stream-protocol-version'] ?? '');
  return { socket: result.socket, head: result.head, protocol };
}

/** exec/attach over WebSocket v5, translated to SPDY v4 towards the runtime. */
export async function serveV5(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: URL,
  opts: StreamOptions,
  log: Logger,
): Promise<void> {
  const backend = await dialSpdy(target, [V4_PROTOCOL]);
  if (backend.head.length) backend.socket.unshift(backend.head);
  const conn = new SpdyConnection(backend.socket, 'client');
  conn.on('error', (err) => log.debug({ err }, 'runtime SPDY connection error'));
  let streams;
  try {
    streams = await openRemoteCommandStreams(conn, opts);
  } catch (err) {
    conn.destroy();
    const ws = await acceptWebSocket(req, socket, head, V5_PROTOCOL);
    const msg = err instanceof Error ? err.message : String(err);
    ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(internalErrorStatus(msg))]), { binary: true });
    ws.close(1000);
    return;
  }
  const ws = await acceptWebSocket(req, socket, head, V5_PROTOCOL);
  await bridgeV5(ws, conn, streams);
}

/** port-forward: SPDY tunnelled in WebSocket binary messages, unwrapped towards the runtime. */
export async function serveTunnel(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: URL,
  spdyProtocols: string[],
): Promise<void> {
  const backend = await dialSpdy(target, spdyProtocols);
  const ws = await acceptWebSocket(
    req,
    socket,
    head,
    `${SPDY_TUNNEL_PREFIX}${backend.protocol || PORT_FORWARD_PROTOCOL}`,
  );
  const up = backend.socket;
  if (backend.head.length) ws.send(backend.head, { binary: true });
  let pending = 0;
  up.on('data', (chunk: Buffer) => {
    pending += chunk.length;
    ws.send(chunk, { binary: true }, () => {
      pending -= chunk.length;
      if (pending < 1024 * 1024 && up.isPaused()) up.resume();
    });
    if (pending > 4 * 1024 * 1024) up.pause();
  });
  ws.on('message', (data: Buffer) => {
    if (!up.write(data)) {
      ws.pause();
      up.once('drain', () => ws.resume());
    }
  });
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      up.destroy();
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    };
    up.on('end', finish);
    up.on('close', finish);
    up.on('error', finish);
    ws.on('close', finish);
    ws.on('error', finish);
  });
}

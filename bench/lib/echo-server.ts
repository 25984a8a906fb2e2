/**
 * The no-op floor server, run as its own process (like the real server) by {@link startEcho}: HTTPS
 * with HTTP/2, the cluster's serving certificate, client certificates requested and checked against
 * the cluster's client CA, the same stream limit as the API server. It only imports node builtins so
 * it runs as plain JavaScript (transpiled on the fly), without a TypeScript loader in its memory.
 *
 * Routes:
 * - `POST|PUT|PATCH *`: reads the body and answers 201 with a JSON document of `x-reply-bytes` bytes
 *   (default: the request's own size), prepared once per size.
 * - `PUT /blob/NAME`: stores the body; `GET /blob/NAME` answers 200 with it (a static file in memory).
 * - `GET /watch`: answers 200 and keeps the stream open; `POST /fanout` writes its body plus a newline
 *   to every open `/watch` stream, then answers 201.
 * - `GET /readyz`: 200 `ok`.
 *
 * Usage: node echo-server.mjs TLS_DIR (prints `PORT <n>` once listening on 127.0.0.1).
 */
import fs from 'node:fs';
import http2, { type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import path from 'node:path';

const tlsDir = process.argv[2];
if (!tlsDir) {
  process.stderr.write('usage: echo-server TLS_DIR\n');
  process.exit(2);
}

const replies = new Map<number, Buffer>();
function replyOf(size: number): Buffer {
  let r = replies.get(size);
  if (!r) {
    const head = '{"kind":"ConfigMap","apiVersion":"v1","data":{"pad":"';
    const tail = '"}}';
    r = Buffer.from(head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail);
    replies.set(size, r);
  }
  return r;
}

const blobs = new Map<string, Buffer>();
const watchers = new Set<ServerHttp2Stream>();

function readBody(stream: ServerHttp2Stream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function json(stream: ServerHttp2Stream, status: number, body: Buffer): void {
  stream.respond({ ':status': status, 'content-type': 'application/json', 'content-length': body.length });
  stream.end(body);
}

async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
  const method = headers[':method'];
  const url = headers[':path'] ?? '/';
  const p = url.split('?')[0];
  if (method === 'GET' && p === '/readyz') {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end('ok');
  } else if (method === 'GET' && p?.startsWith('/blob/') && blobs.has(p)) {
    json(stream, 200, blobs.get(p) ?? Buffer.alloc(0));
  } else if (method === 'PUT' && p?.startsWith('/blob/')) {
    blobs.set(p, await readBody(stream));
    json(stream, 201, Buffer.from('{}'));
  } else if (method === 'GET' && p === '/watch') {
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    watchers.add(stream);
    stream.on('close', () => watchers.delete(stream));
    stream.on('error', () => watchers.delete(stream));
  } else if (method === 'POST' && p === '/fanout') {
    const body = await readBody(stream);
    const line = Buffer.concat([body, Buffer.from('\n')]);
    for (const w of watchers) w.write(line);
    json(stream, 201, Buffer.from('{}'));
  } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const body = await readBody(stream);
    const want = Number(headers['x-reply-bytes'] ?? body.length);
    json(stream, 201, replyOf(Number.isFinite(want) && want > 0 ? want : body.length));
  } else {
    json(stream, 404, Buffer.from('{"kind":"Status","code":404}'));
  }
}

const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(tlsDir, 'serving-kube-apiserver.key')),
  cert: fs.readFileSync(path.join(tlsDir, 'serving-kube-apiserver.crt')),
  ca: fs.readFileSync(path.join(tlsDir, 'client-ca.crt')),
  requestCert: true,
  rejectUnauthorized: false,
  settings: { maxConcurrentStreams: 1000 },
  maxSessionMemory: 512,
  minVersion: 'TLSv1.2',
});
server.on('stream', (stream, headers) => {
  const session = stream.session;
  const socket = session?.socket as { authorized?: boolean } | undefined;
  if (!socket?.authorized) {
    json(stream, 401, Buffer.from('{"kind":"Status","code":401}'));
    return;
  }
  handle(stream, headers).catch((err: unknown) => {
    process.stderr.write(`echo: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!stream.headersSent) json(stream, 500, Buffer.from('{}'));
  });
});
server.on('sessionError', () => undefined);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`PORT ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));

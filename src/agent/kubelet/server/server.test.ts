import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, createWebSocketStream } from 'ws';
import {
  createCertificateAuthority,
  issueCertificate,
  issueClientCertificate,
  type IssuedCertificate,
} from '../../../pki/certs.js';
import { dialUpgrade } from '../../../util/http-upgrade.js';
import { allowUsers } from './auth.js';
import { KubeletServer } from './server.js';
import { SpdyConnection, type SpdyStream } from './spdy/connection.js';
import { FakeRuntime, FakeStreamingServer } from './testing/fake-streaming.js';

const API_USER = 'kube-apiserver-kubelet-client';

let dir: string;
let caPem: string;
let apiCert: IssuedCertificate;
let janeCert: IssuedCertificate;
let streaming: FakeStreamingServer;
let runtime: FakeRuntime;
let kubelet: KubeletServer;
let port: number;
let echo: Server;
let echoPort: number;
let main: ChildProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-'));
  const serverCA = await createCertificateAuthority('test-server-ca');
  const clientCA = await createCertificateAuthority('test-client-ca');
  caPem = serverCA.certPem;
  const serving = await issueCertificate(serverCA, {
    commonName: 'system:node:n1',
    usage: 'server',
    sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
  });
  apiCert = await issueClientCertificate(clientCA, { name: API_USER });
  janeCert = await issueClientCertificate(clientCA, { name: 'jane', groups: ['dev'] });
  streaming = new FakeStreamingServer();
  await streaming.start();
  runtime = new FakeRuntime(streaming);
  const logPath = join(dir, '0.log');
  writeFileSync(logPath, '2024-05-01T10:00:00.1Z stdout F hello\n2024-05-01T10:00:01.2Z stderr F world\n');
  runtime.add('default', 'p', 'c', { id: 'cid-1', logPath, running: true });
  main = spawn('sh', ['-c', 'while read l; do echo "got $l"; done'], { stdio: 'pipe' });
  runtime.add('default', 'p', 'main', { id: 'cid-2', logPath, running: true, process: main });
  kubelet = new KubeletServer({
    nodeName: 'n1',
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: clientCA.certPem },
    runtime,
    authorize: allowUsers([API_USER]),
    log: pino({ level: 'silent' }),
  });
  port = await kubelet.start();
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const a = echo.address();
  echoPort = typeof a === 'object' && a ? a.port : 0;
});

afterAll(async () => {
  main.kill('SIGKILL');
  await kubelet.stop();
  await streaming.stop();
  echo.close();
  rmSync(dir, { recursive: true, force: true });
});

function tlsFor(cert?: IssuedCertificate): { ca: string; cert?: string; key?: string } {
  return cert ? { ca: caPem, cert: cert.certPem, key: cert.keyPem } : { ca: caPem };
}

function get(path: string, cert?: IssuedCertificate): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ...tlsFor(cert) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A WebSocket client for a subprotocol `ws` refuses to offer (`/` in the name, as kubectl's
 * `SPDY/3.1+portforward.k8s.io`): the handshake by hand, then `ws` on the upgraded socket.
 */
async function tunnelClient(url: string, protocol: string): Promise<WebSocket> {
  const r = await dialUpgrade(new URL(url), {
    rawHeaders: [
      'Connection',
      'Upgrade',
      'Upgrade',
      'websocket',
      'Sec-WebSocket-Version',
      '13',
      'Sec-WebSocket-Key',
      randomBytes(16).toString('base64'),
      'Sec-WebSocket-Protocol',
      protocol,
    ],
    tls: tlsFor(apiCert),
  });
  if (!r.upgraded) throw new Error(`no upgrade: ${r.res.statusCode}`);
  expect(r.res.headers['sec-websocket-protocol']).toBe(protocol);
  const ws = new WebSocket(null as unknown as string, undefined, { autoPong: true });
  // A client-side WebSocket (masked frames) on a socket upgraded elsewhere.
  (ws as unknown as { _isServer: boolean })._isServer = false;
  (ws as unknown as { setSocket(s: unknown, h: Buffer, o: object): void }).setSocket(r.socket, r.head, {
    maxPayload: 0,
    skipUTF8Validation: false,
    allowSynchronousEvents: true,
  });
  return ws;
}

function collect(s: SpdyStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe('kubelet server: auth and logs', () => {
  it('serves container logs to the API server identity', async () => {
    const all = await get('/containerLogs/default/p/c', apiCert);
    expect(all).toEqual({ status: 200, body: 'hello\nworld\n' });
    const last = await get('/containerLogs/default/p/c?tailLines=1&timestamps=true', apiCert);
    expect(last.body).toBe('2024-05-01T10:00:01.200000000Z world\n');
  });

  it('answers log errors with upstream wording', async () => {
    expect(await get('/containerLogs/default/nope/c', apiCert)).toEqual({
      status: 404,
      body: 'pod "nope" does not exist\n',
    });
    expect((await get('/containerLogs/default/p/c?previous=true', apiCert)).body).toBe(
      'previous terminated container "c" in pod "p" not found\n',
    );
    const both = await get(
      '/containerLogs/default/p/c?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z',
      apiCert,
    );
    expect(both.status).toBe(422);
    expect(both.body).toContain('at most one of `sinceTime` or `sinceSeconds` may be specified');
  });

  it('refuses callers without a certificate (401) and users without permission (403)', async () => {
    expect(await get('/containerLogs/default/p/c')).toEqual({ status: 401, body: 'Unauthorized\n' });
    expect(await get('/containerLogs/default/p/c', janeCert)).toEqual({
      status: 403,
      body: 'Forbidden (user=jane, verb=get, resource=nodes, subresource=proxy)\n',
    });
    expect((await get('/stats/summary', janeCert)).body).toBe(
      'Forbidden (user=jane, verb=get, resource=nodes, subresource=stats)\n',
    );
    expect(await get('/healthz', apiCert)).toEqual({ status: 200, body: 'ok' });
  });
});

describe('kubelet server: exec', () => {
  it('translates WebSocket v5 to the runtime: stdin with close, stdout, stderr, exit code', async () => {
    const q = new URLSearchParams([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'cat; echo oops >&2; exit 3'],
      ['input', '1'],
      ['output', '1'],
      ['error', '1'],
    ]);
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/exec/default/p/c?${q}`,
      ['v5.channel.k8s.io'],
      tlsFor(apiCert),
    );
    const got: Record<number, string> = { 1: '', 2: '', 3: '' };
    let first: Buffer | undefined;
    ws.on('message', (d: Buffer) => {
      first ??= d;
      got[d[0] ?? 0] = (got[d[0] ?? 0] ?? '') + d.subarray(1).toString();
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    expect(ws.protocol).toBe('v5.channel.k8s.io');
    ws.send(Buffer.from([0, ...Buffer.from('hello from stdin')]));
    ws.send(Buffer.from([255, 0]));
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(1000);
    expect(first).toEqual(Buffer.from([1]));
    expect(got[1]).toBe('hello from stdin');
    expect(got[2]).toBe('oops\n');
    const status = JSON.parse(got[3] ?? '{}') as {
      reason?: string;
      details?: { causes?: { message: string }[] };
    };
    expect(status.reason).toBe('NonZeroExitCode');
    expect(status.details?.causes?.[0]?.message).toBe('3');
  });

  it('attaches to the main process over WebSocket v5', async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/attach/default/p/main?input=1&output=1`,
      ['v5.channel.k8s.io'],
      tlsFor(apiCert),
    );
    let out = '';
    const got = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        if (d[0] === 1) out += d.subarray(1).toString();
        if (out.includes('got hi')) resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    ws.send(Buffer.from([0, ...Buffer.from('hi\n')]));
    await got;
    expect(out).toBe('got hi\n');
    ws.close();
  });

  it('passes SPDY through to the runtime (kubectl before 1.30)', async () => {
    const q = new URLSearchParams([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'tr a-z A-Z'],
      ['input', '1'],
      ['output', '1'],
      ['error', '1'],
    ]);
    const r = await dialUpgrade(new URL(`https://127.0.0.1:${port}/exec/default/p/c?${q}`), {
      method: 'POST',
      rawHeaders: [
        'Connection',
        'Upgrade',
        'Upgrade',
        'SPDY/3.1',
        'X-Stream-Protocol-Version',
        'v4.channel.k8s.io',
        'X-Stream-Protocol-Version',
        'v3.channel.k8s.io',
      ],
      tls: tlsFor(apiCert),
    });
    if (!r.upgraded) throw new Error(`no upgrade: ${r.res.statusCode}`);
    expect(r.res.headers['x-stream-protocol-version']).toBe('v4.channel.k8s.io');
    const conn = new SpdyConnection(r.socket, 'client');
    const error = conn.openStream({ streamtype: ['error'] });
    error.end();
    const stdin = conn.openStream({ streamtype: ['stdin'] });
    const stdout = conn.openStream({ streamtype: ['stdout'] });
    const stderr = conn.openStream({ streamtype: ['stderr'] });
    stderr.resume();
    const out = collect(stdout);
    const status = collect(error);
    stdin.end('shout\n');
    expect(await out).toBe('SHOUT\n');
    expect(JSON.parse(await status)).toMatchObject({ status: 'Success' });
    conn.destroy();
  });

  it('relays runtime errors before the upgrade', async () => {
    const r = await dialUpgrade(
      new URL(`https://127.0.0.1:${port}/exec/default/p/nope?command=ls&output=1`),
      {
        method: 'POST',
        rawHeaders: [
          'Connection',
          'Upgrade',
          'Upgrade',
          'SPDY/3.1',
          'X-Stream-Protocol-Version',
          'v4.channel.k8s.io',
        ],
        tls: tlsFor(apiCert),
      },
    );
    expect(r.upgraded).toBe(false);
    expect(r.res.statusCode).toBe(404);
    const chunks: Buffer[] = [];
    for await (const c of r.res) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('container not found ("nope")\n');
  });
});

describe('kubelet server: port-forward', () => {
  async function forwardOnce(conn: SpdyConnection, text: string): Promise<string> {
    const headers = { port: [String(echoPort)], requestid: ['0'] };
    const error = conn.openStream({ ...headers, streamtype: ['error'] });
    error.end();
    const data = conn.openStream({ ...headers, streamtype: ['data'] });
    await data.waitReply();
    const reply = new Promise<string>((resolve) => {
      let got = '';
      data.on('data', (c: Buffer) => {
        got += c.toString();
        if (got.length >= text.length) resolve(got);
      });
    });
    data.write(text);
    return reply;
  }

  it('passes SPDY port-forward through', async () => {
    const r = await dialUpgrade(new URL(`https://127.0.0.1:${port}/portForward/default/p`), {
      method: 'POST',
      rawHeaders: [
        'Connection',
        'Upgrade',
        'Upgrade',
        'SPDY/3.1',
        'X-Stream-Protocol-Version',
        'portforward.k8s.io',
      ],
      tls: tlsFor(apiCert),
    });
    if (!r.upgraded) throw new Error('no upgrade');
    const conn = new SpdyConnection(r.socket, 'client');
    expect(await forwardOnce(conn, 'ping over spdy')).toBe('ping over spdy');
    conn.destroy();
  });

  it('unwraps SPDY tunnelled through a WebSocket (kubectl 1.31+)', async () => {
    const ws = await tunnelClient(
      `https://127.0.0.1:${port}/portForward/default/p`,
      'SPDY/3.1+portforward.k8s.io',
    );
    const conn = new SpdyConnection(createWebSocketStream(ws), 'client');
    expect(await forwardOnce(conn, 'ping through the tunnel')).toBe('ping through the tunnel');
    conn.destroy();
  });
});

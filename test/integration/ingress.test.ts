/**
 * The Ingress data path end to end on loopback: the agent's IngressController (fed by an in-memory
 * client holding Ingresses, Services, EndpointSlices and Secrets) drives a real HAProxy, and real
 * HTTP, HTTPS and WebSocket clients talk through it to loopback backends that play the endpoints.
 * Needs the `haproxy` binary (installed by scripts/test.sh from the Debian package).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_CERT_NAME } from '../../src/agent/ingress/default-cert.js';
import { IngressController } from '../../src/agent/ingress/controller.js';
import { FakeClient } from '../../src/client/testing/fake-client.js';
import { ENDPOINTSLICES, INGRESSCLASSES, INGRESSES, SECRETS, SERVICES } from '../../src/client/resources.js';
import { createCertificateAuthority, issueCertificate } from '../../src/pki/certs.js';
import { freePort } from '../../src/storage/testing/etcd.js';
import { pollUntil } from '../support/poll.js';

function haproxyInstalled(): boolean {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** What a backend saw, as it echoes it back. */
interface Echo {
  backend: string;
  url: string;
  headers: Record<string, string>;
}

/** A loopback HTTP server that answers every request with its name, the URL and the headers it got. */
async function echoBackend(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ backend: name, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(
  port: number,
  host: string,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, headers: { host, ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

function echoOf(a: Answer): Echo {
  if (a.status !== 200) throw new Error(`status ${a.status}: ${a.body}`);
  return JSON.parse(a.body) as Echo;
}

function slice(
  service: string,
  name: string,
  port: number,
  addresses: string[],
  ready = true,
): Record<string, unknown> {
  return {
    metadata: { namespace: 'web', name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready } })),
  };
}

function service(name: string): Record<string, unknown> {
  return {
    metadata: { namespace: 'web', name },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

function backendTo(svc: string): Record<string, unknown> {
  return { service: { name: svc, port: { number: 80 } } };
}

describe.skipIf(!haproxyInstalled())('Ingress data path (HAProxy) on loopback', () => {
  const client = new FakeClient();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-ingress-'));
  const logLines: Record<string, unknown>[] = [];
  // Like the agent's logger (src/util/log.ts): ISO time, the pid, the component and node bindings.
  const logger = pino(
    { level: 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    {
      write(line: string): void {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  ).child({ component: 'ingress', node: 'node-1' });
  // HAProxy writes the access log itself; here to a file instead of the agent's stdout.
  const accessLogFile = path.join(runDir, 'access.log');
  const accessLines = (): string[] =>
    (fs.existsSync(accessLogFile) ? fs.readFileSync(accessLogFile, 'utf8') : '').split('\n').filter(Boolean);
  const accessEntries = (): Record<string, unknown>[] =>
    accessLines().map((l) => JSON.parse(l) as Record<string, unknown>);
  const servers: http.Server[] = [];
  let wss: WebSocketServer | undefined;
  let controller: IngressController | undefined;
  let httpPort = 0;
  let httpsPort = 0;
  let caPem = '';
  const echoPorts = { a1: 0, a2: 0 };

  beforeAll(async () => {
    const a1 = await echoBackend('a1');
    const a2 = await echoBackend('a2');
    const b = await echoBackend('b');
    const live = await echoBackend('live');
    servers.push(a1.server, a2.server, b.server, live.server);
    echoPorts.a1 = a1.port;
    echoPorts.a2 = a2.port;
    const wsServer = http.createServer();
    wss = new WebSocketServer({ server: wsServer });
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo: ${String(data)}`)));
    await new Promise<void>((resolve) => wsServer.listen(0, '127.0.0.1', resolve));
    servers.push(wsServer);
    const wsPort = (wsServer.address() as AddressInfo).port;
    const deadPort = await freePort();

    client.put(INGRESSCLASSES, {
      metadata: { name: 'k8ts', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8ts.io/ingress' },
    });
    for (const s of ['app-a', 'app-b', 'echo', 'retry', 'empty']) client.put(SERVICES, service(s));
    client.put(ENDPOINTSLICES, slice('app-a', 'app-a-1', a1.port, ['127.0.0.1']));
    client.put(ENDPOINTSLICES, slice('app-a', 'app-a-2', a2.port, ['127.0.0.1']));
    client.put(ENDPOINTSLICES, slice('app-b', 'app-b-1', b.port, ['127.0.0.1']));
    client.put(ENDPOINTSLICES, slice('echo', 'echo-1', wsPort, ['127.0.0.1']));
    client.put(ENDPOINTSLICES, slice('retry', 'retry-dead', deadPort, ['127.0.0.1']));
    client.put(ENDPOINTSLICES, slice('retry', 'retry-live', live.port, ['127.0.0.1']));
    client.put(ENDPOINTSLICES, slice('empty', 'empty-1', live.port, ['127.0.0.1'], false));

    const ca = await createCertificateAuthority('ingress-test-ca');
    caPem = ca.certPem;
    const leaf = await issueCertificate(ca, {
      commonName: 'a.test',
      usage: 'server',
      sans: { dns: ['a.test'], ips: [] },
    });
    client.put(SECRETS, {
      metadata: { namespace: 'web', name: 'a-tls' },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(leaf.certPem).toString('base64'),
        'tls.key': Buffer.from(leaf.keyPem).toString('base64'),
      },
    });
    client.put(INGRESSES, {
      metadata: { namespace: 'web', name: 'sites', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        // No class: k8ts is the default class.
        tls: [{ hosts: ['a.test'], secretName: 'a-tls' }],
        rules: [
          {
            host: 'a.test',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: backendTo('app-a') },
                { path: '/b', pathType: 'Prefix', backend: backendTo('app-b') },
              ],
            },
          },
          {
            host: '*.b.test',
            http: {
              paths: [
                { path: '/exact', pathType: 'Exact', backend: backendTo('app-b') },
                { path: '/', pathType: 'ImplementationSpecific', backend: backendTo('app-a') },
              ],
            },
          },
          {
            host: 'ws.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('echo') }] },
          },
          {
            host: 'retry.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('retry') }] },
          },
          {
            host: 'empty.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('empty') }] },
          },
        ],
      },
    });
    client.put(INGRESSES, {
      metadata: { namespace: 'web', name: 'other-class' },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'other.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('app-a') }] },
          },
        ],
      },
    });

    httpPort = await freePort();
    httpsPort = await freePort();
    controller = new IngressController({
      client,
      nodeName: 'node-1',
      listen: { host: '127.0.0.1', httpPort, httpsPort },
      logger,
      runDir,
      accessLogTo: { path: accessLogFile },
      debounceMs: 20,
    });
    await controller.start();
  });

  afterAll(async () => {
    await controller?.stop();
    wss?.close();
    for (const s of servers) s.close();
    client.close();
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('routes two hosts × two paths, with Prefix by path element and Exact', async () => {
    expect(echoOf(await get(httpPort, 'a.test', '/')).backend).toMatch(/^a[12]$/);
    expect(echoOf(await get(httpPort, 'a.test', '/b/c?q=1'))).toMatchObject({
      backend: 'b',
      url: '/b/c?q=1',
    });
    expect(echoOf(await get(httpPort, 'a.test', '/bc')).backend).toMatch(/^a[12]$/);
    expect(echoOf(await get(httpPort, 'x.b.test:8080', '/exact')).backend).toBe('b');
    expect(echoOf(await get(httpPort, 'X.B.TEST', '/exact/more')).backend).toMatch(/^a[12]$/);
  });

  it('balances over the ready endpoints round robin', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(echoOf(await get(httpPort, 'a.test', '/')).backend);
    expect([...seen].sort()).toEqual(['a1', 'a2']);
  });

  it('answers 404 for an unknown host or another class, 503 when no endpoint is ready', async () => {
    expect((await get(httpPort, 'nope.test', '/')).status).toBe(404);
    expect((await get(httpPort, 'a.b.b.test', '/')).status).toBe(404);
    expect((await get(httpPort, 'other.test', '/')).status).toBe(404);
    expect((await get(httpPort, 'empty.test', '/')).status).toBe(503);
  });

  it('sets X-Forwarded-* and replaces a client-sent X-Forwarded-For', async () => {
    const echo = echoOf(await get(httpPort, 'a.test', '/h', { 'x-forwarded-for': '203.0.113.9' }));
    expect(echo.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'a.test',
      'x-forwarded-port': String(httpPort),
    });
  });

  it('retries a request on another endpoint when connecting fails', async () => {
    for (let i = 0; i < 8; i++) {
      const a = await get(httpPort, 'retry.test', `/r${i}`);
      expect(echoOf(a).backend).toBe('live');
    }
  });

  it('serves the certificate of the Secret for its SNI name, and the default one otherwise', async () => {
    const answer = await new Promise<{ body: string; cn: string; proto: string }>((resolve, reject) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path: '/b/tls',
          servername: 'a.test',
          headers: { host: 'a.test' },
          ca: caPem,
          agent: false,
        },
        (res) => {
          const cert = (res.socket as tls.TLSSocket).getPeerCertificate();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ body: Buffer.concat(chunks).toString('utf8'), cn: String(cert.subject.CN), proto: '' }),
          );
        },
      );
      req.on('error', reject);
    });
    expect(answer.cn).toBe('a.test');
    const echo = JSON.parse(answer.body) as Echo;
    expect(echo.backend).toBe('b');
    expect(echo.headers).toMatchObject({
      'x-forwarded-proto': 'https',
      'x-forwarded-port': String(httpsPort),
    });

    const fallback = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: httpsPort, servername: 'unknown.test', rejectUnauthorized: false },
        () => {
          const cn = String(socket.getPeerCertificate().subject.CN);
          socket.end();
          resolve(cn);
        },
      );
      socket.on('error', reject);
    });
    expect(fallback).toBe(DEFAULT_CERT_NAME);
  });

  it('passes a WebSocket upgrade through', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/socket`, { headers: { host: 'ws.test' } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (data) => resolve(String(data)));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toBe('echo: hello');
  });

  it('follows endpoint and Ingress changes', async () => {
    client.remove(ENDPOINTSLICES, 'web/app-b-1');
    await pollUntil(
      'app-b without endpoints',
      () => get(httpPort, 'a.test', '/b'),
      (a) => a.status === 503,
    );
    client.put(INGRESSES, {
      metadata: { namespace: 'web', name: 'late', creationTimestamp: '2026-02-01T00:00:00Z' },
      spec: {
        ingressClassName: 'k8ts',
        defaultBackend: backendTo('app-a'),
        rules: [
          {
            host: 'late.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('app-a') }] },
          },
        ],
      },
    });
    await pollUntil(
      'the default backend',
      () => get(httpPort, 'nope.test', '/'),
      (a) => a.status === 200,
    );
    expect(echoOf(await get(httpPort, 'late.test', '/')).backend).toMatch(/^a[12]$/);
  });

  it('follows endpoint changes without a reload and without dropping a request', async () => {
    const ports = echoPorts;
    client.put(SERVICES, service('churn'));
    client.put(ENDPOINTSLICES, slice('churn', 'churn-1', ports.a1, ['127.0.0.1']));
    client.put(INGRESSES, {
      metadata: { namespace: 'web', name: 'churn', creationTimestamp: '2026-02-02T00:00:00Z' },
      spec: {
        ingressClassName: 'k8ts',
        rules: [
          {
            host: 'churn.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('churn') }] },
          },
        ],
      },
    });
    // (churn.test already answers through the default backend: wait for the reload itself.)
    await pollUntil(
      'the churn Ingress loaded',
      () => controller?.model()?.routes.some((r) => r.backend === 'be_web_churn_80'),
      (loaded) => loaded === true,
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const seen = new Set<string>();
    const failures: string[] = [];
    let done = false;
    const loop = async (): Promise<void> => {
      while (!done) {
        await new Promise<void>((resolve) => {
          const req = http.get(
            { host: '127.0.0.1', port: httpPort, path: '/', headers: { host: 'churn.test' }, agent },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => {
                if (res.statusCode === 200) seen.add((JSON.parse(body) as Echo).backend);
                else failures.push(`status ${res.statusCode}`);
                resolve();
              });
            },
          );
          req.on('error', (err) => {
            failures.push(err.message);
            resolve();
          });
        });
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    const generation = (): number =>
      Math.max(...fs.readdirSync(runDir).map((f) => (f.startsWith('gen-') ? Number(f.slice(4)) : 0)));
    const before = generation();
    for (let i = 0; i < 6; i++) {
      if (i % 2 === 0) client.put(ENDPOINTSLICES, slice('churn', 'churn-2', ports.a2, ['127.0.0.1']));
      else client.remove(ENDPOINTSLICES, 'web/churn-2');
      await new Promise((r) => setTimeout(r, 250));
    }
    done = true;
    await Promise.all(loops);
    agent.destroy();
    const warnings = logLines
      .filter((l) => Number(l['level']) >= 40)
      .map((l) => `${String(l['msg'])} ${JSON.stringify(l['err'] ?? '')} ${String(l['line'] ?? '')}`);
    expect({ failures, generation: generation(), warnings }).toEqual({
      failures: [],
      generation: before,
      warnings: [],
    });
    expect([...seen].sort()).toEqual(['a1', 'a2']);
  });

  it("writes one access-log line per request, shaped like the agent's own log lines", async () => {
    const before = Date.now();
    await get(httpPort, 'a.test', '/logged?x=1');
    const line = await pollUntil(
      'the access-log line',
      () => accessEntries().find((l) => l['uri'] === '/logged?x=1'),
      (l) => l !== undefined,
    );
    expect(line).toMatchObject({
      level: 30,
      pid: process.pid,
      component: 'ingress',
      node: 'node-1',
      access: true,
      method: 'GET',
      host: 'a.test',
      status: 200,
      backend: 'be_web_app-a_80',
      service: 'web/app-a:80',
      client: '127.0.0.1',
      retries: '0',
      tls: false,
      msg: 'ingress request',
    });
    // The same keys in the same order as a line of the logger itself, then the request's fields.
    logger.info('marker');
    const own = logLines.find((l) => l['msg'] === 'marker') ?? {};
    expect(Object.keys(line ?? {}).slice(0, 5)).toEqual(Object.keys(own).slice(0, 5));
    expect(Object.keys(line ?? {}).at(-1)).toBe('msg');
    const time = Date.parse(String(line?.['time']));
    expect(String(line?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(time).toBeLessThanOrEqual(Date.now() + 1000);
    expect(line?.['upstream']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(typeof line?.['bytes']).toBe('number');
    expect(typeof line?.['durationMs']).toBe('number');
    // Over TLS too; and the agent's logger got none of them.
    const tlsAnswer = await new Promise<number>((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port: httpsPort,
            servername: 'a.test',
            path: '/logged-tls',
            ca: caPem,
            agent: false,
            headers: { host: 'a.test' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(tlsAnswer).toBe(200);
    const tlsLine = await pollUntil(
      'the TLS access-log line',
      () => accessEntries().find((l) => l['uri'] === '/logged-tls'),
      (l) => l !== undefined,
    );
    expect(tlsLine).toMatchObject({ tls: true, host: 'a.test', status: 200 });
    expect(logLines.filter((l) => l['access'] === true)).toEqual([]);
  });

  it('keeps every access-log line valid JSON within 4096 bytes, whatever the request holds', async () => {
    const { Socket } = await import('node:net');
    const raw = (request: Buffer): Promise<string> =>
      new Promise((resolve, reject) => {
        const sock = new Socket();
        const chunks: Buffer[] = [];
        sock.on('data', (c: Buffer) => chunks.push(c));
        sock.on('error', reject);
        sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? ''));
        sock.connect(httpPort, '127.0.0.1', () => sock.end(request));
      });
    // Quotes, backslashes and slashes in a long URI; control bytes, UTF-8 and invalid bytes in Host.
    const uri = `/weird/"\\${'"\\/'.repeat(2500)}`;
    const host = Buffer.concat([
      Buffer.from('a.test'),
      Buffer.from([0x01, 0x22, 0x5c, 0xc3, 0xa9, 0xff, 0x09, 0x7f]),
      Buffer.alloc(3000, 0x01),
    ]);
    const request = Buffer.concat([
      Buffer.from(`GET ${uri} HTTP/1.1\r\nHost: `),
      host,
      Buffer.from('\r\nConnection: close\r\n\r\n'),
    ]);
    expect(await raw(request)).toMatch(/^HTTP\/1\.1 \d{3}/);
    const line = await pollUntil(
      'the access-log line of the weird request',
      () => accessLines().find((l) => l.includes('weird')),
      (l) => l !== undefined,
    );
    expect(Buffer.byteLength(`${line ?? ''}\n`)).toBeLessThanOrEqual(4096);
    const entry = JSON.parse(line ?? '') as Record<string, unknown>;
    const loggedUri = String(entry['uri']);
    expect(loggedUri.length).toBeGreaterThan(300);
    expect(uri.startsWith(loggedUri)).toBe(true);
    expect(String(entry['host']).startsWith('a.test\u0001"\\é')).toBe(true);
    expect(entry['msg']).toBe('ingress request');
  });

  it('reports a missing Secret and keeps serving', async () => {
    client.put(INGRESSES, {
      metadata: { namespace: 'web', name: 'broken', creationTimestamp: '2026-03-01T00:00:00Z' },
      spec: {
        ingressClassName: 'k8ts',
        tls: [{ hosts: ['broken.test'], secretName: 'nowhere' }],
        rules: [
          {
            host: 'broken.test',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('gone') }] },
          },
        ],
      },
    });
    await pollUntil(
      'the Warning event',
      () => client.stored({ group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true }),
      (evs) => evs.some((e) => (e as { reason?: string }).reason === 'SecretNotFound'),
    );
    // Until the new configuration is loaded, broken.test still goes to the default backend.
    await pollUntil(
      'broken.test answered by its missing Service',
      () => get(httpPort, 'broken.test', '/'),
      (a) => a.status === 503,
    );
    expect(echoOf(await get(httpPort, 'a.test', '/')).backend).toMatch(/^a[12]$/);
  });

  it('writes nothing but access-log lines to the access log, across reloads and endpoint changes', () => {
    const lines = accessLines();
    expect(lines.length).toBeGreaterThan(10);
    const bad = lines.filter((l) => {
      try {
        return (JSON.parse(l) as Record<string, unknown>)['msg'] !== 'ingress request';
      } catch {
        return true;
      }
    });
    expect(bad).toEqual([]);
  });
});

describe.skipIf(!haproxyInstalled())('Ingress data path after an agent crash', () => {
  it('stops the HAProxy a previous run left behind and takes its ports over', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-ingress-crash-'));
    const logger = pino({ enabled: false });
    const httpPort = await freePort();
    const httpsPort = await freePort();
    const make = (): IngressController =>
      new IngressController({
        client: new FakeClient(),
        nodeName: 'node-1',
        listen: { host: '127.0.0.1', httpPort, httpsPort },
        logger,
        runDir,
      });
    let leftover: ReturnType<typeof spawn> | undefined;
    let second: IngressController | undefined;
    try {
      const first = make();
      await first.start();
      await first.stop();
      // What an agent killed with SIGKILL leaves: its HAProxy still running, its PID file on disk.
      leftover = spawn('haproxy', ['-W', '-db', '-f', path.join(runDir, 'haproxy.cfg')], { stdio: 'ignore' });
      fs.writeFileSync(path.join(runDir, 'haproxy.pid'), `${leftover.pid}\n`);
      await pollUntil(
        'the leftover HAProxy to serve',
        () => get(httpPort, 'x', '/'),
        (a) => a.status === 404,
      );
      const exited = new Promise<void>((resolve) => leftover?.once('exit', () => resolve()));
      second = make();
      await second.start();
      await exited;
      expect((await get(httpPort, 'x', '/')).status).toBe(404);
    } finally {
      await second?.stop();
      if (leftover?.exitCode === null && leftover.signalCode === null) leftover.kill('SIGKILL');
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});

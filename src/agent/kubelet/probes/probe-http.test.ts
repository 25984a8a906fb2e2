import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../../pki/index.js';
import { runProbe } from './probe.js';
import type { ExecInContainer, ProbeTarget } from './types.js';

const noExec: ExecInContainer = () => Promise.reject(new Error('no exec in this test'));

function target(container: Partial<Container> = {}): ProbeTarget {
  const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
  return { pod, container: { name: 'web', ...container }, containerId: 'c1', podIP: '127.0.0.1' };
}

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A loopback server whose routes the tests define; records what it was sent. */
function routes(seen: Seen[]): http.RequestListener {
  return (req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://x');
    const port = (req.socket.localPort ?? 0).toString();
    switch (url.pathname) {
      case '/healthz':
        res.end('ok');
        return;
      case '/fail':
        res.statusCode = 500;
        res.end('broken');
        return;
      case '/moved':
        res.writeHead(302, { location: '/healthz' }).end();
        return;
      case '/elsewhere':
        res.writeHead(302, { location: `http://localhost:${port}/healthz` }).end('see other host');
        return;
      case '/loop':
        res.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` }).end();
        return;
      case '/big':
        res.end(Buffer.alloc(100 * 1024, 'a'));
        return;
      case '/hang':
        return; // never answers
      default:
        res.statusCode = 404;
        res.end();
    }
  };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  const port = await listen(s);
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('httpGet probes', () => {
  const seen: Seen[] = [];
  const server = http.createServer(routes(seen));
  const tlsSeen: Seen[] = [];
  let tlsServer: https.Server;
  let port = 0;
  let tlsPort = 0;

  beforeAll(async () => {
    port = await listen(server);
    const ca = await createCertificateAuthority('probe-test');
    tlsServer = https.createServer({ cert: ca.certPem, key: ca.keyPem }, routes(tlsSeen));
    tlsPort = await listen(tlsServer);
  });
  afterAll(async () => {
    server.closeAllConnections();
    tlsServer.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => tlsServer.close(resolve));
  });

  const get = (path: string, extra: Partial<NonNullable<Probe['httpGet']>> = {}): Probe => ({
    httpGet: { path, port, ...extra },
    timeoutSeconds: 1,
  });

  it('succeeds on 2xx with the body as output, sending the kubelet headers', async () => {
    seen.length = 0;
    const out = await runProbe(get('/healthz'), target(), noExec);
    expect(out).toEqual({ result: 'success', output: 'ok' });
    expect(seen[0]?.headers['user-agent']).toBe('kube-probe/1.33');
    expect(seen[0]?.headers['accept']).toBe('*/*');
    expect(seen[0]?.headers['host']).toBe(`127.0.0.1:${port}`);
  });

  it('sends httpHeaders, a Host override, and resolves a named container port', async () => {
    seen.length = 0;
    const probe: Probe = {
      httpGet: {
        path: '/healthz',
        port: 'http',
        httpHeaders: [
          { name: 'X-Probe', value: 'a' },
          { name: 'X-Probe', value: 'b' },
          { name: 'Host', value: 'example.test' },
          { name: 'User-Agent', value: 'mine' },
        ],
      },
    };
    const out = await runProbe(probe, target({ ports: [{ name: 'http', containerPort: port }] }), noExec);
    expect(out.result).toBe('success');
    expect(seen[0]?.headers['x-probe']).toBe('a, b');
    expect(seen[0]?.headers['host']).toBe('example.test');
    expect(seen[0]?.headers['user-agent']).toBe('mine');
  });

  it('fails on other status codes with upstream wording', async () => {
    expect(await runProbe(get('/fail'), target(), noExec)).toEqual({
      result: 'failure',
      output: 'HTTP probe failed with statuscode: 500',
    });
    expect((await runProbe(get('/nope'), target(), noExec)).output).toBe(
      'HTTP probe failed with statuscode: 404',
    );
  });

  it('follows redirects on the same host', async () => {
    expect(await runProbe(get('/moved'), target(), noExec)).toEqual({ result: 'success', output: 'ok' });
  });

  it('stops at a redirect to another host: a success with a warning', async () => {
    const out = await runProbe(get('/elsewhere'), target(), noExec);
    expect(out).toEqual({
      result: 'success',
      warning: true,
      output: 'Probe terminated redirects, Response body: see other host',
    });
  });

  it('gives up after 10 redirects', async () => {
    const out = await runProbe(get('/loop'), target(), noExec);
    expect(out.result).toBe('failure');
    expect(out.output).toBe(`Get "http://127.0.0.1:${port}/loop?n=10": stopped after 10 redirects`);
  });

  it('reads at most 10 KiB of the body', async () => {
    const out = await runProbe(get('/big'), target(), noExec);
    expect(out.result).toBe('success');
    expect(out.output).toHaveLength(10 * 1024);
  });

  it('fails like upstream when nothing listens', async () => {
    const free = await closedPort();
    const out = await runProbe(get('/healthz', { port: free }), target(), noExec);
    expect(out).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${free}/healthz": dial tcp 127.0.0.1:${free}: connect: connection refused`,
    });
  });

  it('fails after timeoutSeconds when the server does not answer', async () => {
    const started = Date.now();
    const out = await runProbe(get('/hang'), target(), noExec);
    expect(out).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('probes HTTPS without verifying the certificate', async () => {
    tlsSeen.length = 0;
    const out = await runProbe(get('/healthz', { port: tlsPort, scheme: 'HTTPS' }), target(), noExec);
    expect(out).toEqual({ result: 'success', output: 'ok' });
    expect(tlsSeen[0]?.headers['user-agent']).toBe('kube-probe/1.33');
  });

  it('reports an HTTPS probe answered in plain HTTP as upstream does', async () => {
    const out = await runProbe(get('/healthz', { scheme: 'HTTPS' }), target(), noExec);
    expect(out).toEqual({
      result: 'failure',
      output: `Get "https://127.0.0.1:${port}/healthz": http: server gave HTTP response to HTTPS client`,
    });
  });

  it('is unknown (not a failure) when the port name does not exist', async () => {
    const out = await runProbe(get('/healthz', { port: 'metrics' }), target(), noExec);
    expect(out).toEqual({ result: 'unknown', output: 'port "metrics" not found' });
  });
});

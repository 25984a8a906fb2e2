/**
 * The HTTP/2 client against a small loopback HTTP/2 server (cleartext h2c, so no certificates are
 * needed): requests and headers, error mapping, deadlines, aborts, watch streams, reconnection.
 */
import http2, {
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, apiErrors } from '../api/errors.js';
import { createClient, userAgent } from './http.js';
import { CONFIGMAPS, NODES, PODS } from './resources.js';
import { RequestError } from './transport.js';
import type { ApiObject, Client, WatchEvent } from './types.js';

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse, body: string) => void;

let server: Http2Server;
let url: string;
let handler: Handler = (_req, res) => res.end('{}');
const sessions: ServerHttp2Session[] = [];
const seen: { method: string; path: string; headers: http2.IncomingHttpHeaders; body: string }[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  server = http2.createServer();
  server.on('session', (s) => sessions.push(s));
  server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method, path: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sessions) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  seen.length = 0;
  handler = (_req, res) => res.end('{}');
});

function client(opts: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  const c = createClient({ server: url, component: 'test', ...opts });
  clients.push(c);
  return c;
}

function json(res: Http2ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const cm = (name: string): ApiObject => ({ metadata: { name, namespace: 'ns' }, data: { k: 'v' } });

describe('requests', () => {
  it('sends JSON with type meta, the User-Agent, a bearer token and write options', async () => {
    handler = (_req, res, body) =>
      json(res, 201, { ...JSON.parse(body), metadata: { name: 'a', resourceVersion: '1' } });
    const c = client({ token: 'secret', server: `${url}/prefix/` });
    const input = cm('a');
    const out = await c.resource(CONFIGMAPS, 'ns').create(input, { fieldManager: 'kubelet', dryRun: true });
    expect(out.metadata.resourceVersion).toBe('1');
    expect(input).toEqual(cm('a')); // the caller's object is not touched
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/prefix/api/v1/namespaces/ns/configmaps?dryRun=All&fieldManager=kubelet');
    expect(req.headers['accept']).toBe('application/json');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe(userAgent('test'));
    expect(req.headers['user-agent']).toMatch(/^k8ts\/v\d+\.\d+\.\d+\S* \(test\)$/);
    expect(req.headers['authorization']).toBe('Bearer secret');
    expect(JSON.parse(req.body)).toEqual({ ...cm('a'), apiVersion: 'v1', kind: 'ConfigMap' });
  });

  it('addresses objects, subresources, patches and deletes', async () => {
    handler = (_req, res) => json(res, 200, { kind: 'Pod', metadata: { name: 'p' } });
    const pods = client().resource(PODS, 'ns');
    await pods.get('p', { resourceVersion: '0' });
    await pods.update({ metadata: { name: 'p', resourceVersion: '3' } });
    await pods.updateStatus({ metadata: { name: 'p' }, status: { phase: 'Running' } });
    await pods.patch('p', 'strategic', { metadata: { labels: { a: 'b' } } }, { subresource: 'status' });
    await pods.patch('p', 'json', [{ op: 'remove', path: '/metadata/labels/a' }]);
    await pods.patch('p', 'merge', '{"spec":{}}');
    await pods.delete('p', { gracePeriodSeconds: 0 });
    await pods.createSubresource('p', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      target: { name: 'n1' },
    });
    await client().resource(NODES).list({ labelSelector: 'a=b', limit: 10 });
    await client().resource(PODS).list();
    expect(seen.map((r) => `${r.method} ${r.path} ${r.headers['content-type'] ?? '-'}`)).toEqual([
      'GET /api/v1/namespaces/ns/pods/p?resourceVersion=0 -',
      'PUT /api/v1/namespaces/ns/pods/p application/json',
      'PUT /api/v1/namespaces/ns/pods/p/status application/json',
      'PATCH /api/v1/namespaces/ns/pods/p/status application/strategic-merge-patch+json',
      'PATCH /api/v1/namespaces/ns/pods/p application/json-patch+json',
      'PATCH /api/v1/namespaces/ns/pods/p application/merge-patch+json',
      'DELETE /api/v1/namespaces/ns/pods/p application/json',
      'POST /api/v1/namespaces/ns/pods/p/binding application/json',
      'GET /api/v1/nodes?labelSelector=a%3Db&limit=10 -',
      'GET /api/v1/pods -',
    ]);
    expect(JSON.parse(seen[5]!.body)).toEqual({ spec: {} });
    expect(JSON.parse(seen[6]!.body)).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
    });
  });

  it('takes the namespace from the object when the client has none, and refuses when neither has one', async () => {
    handler = (_req, res, body) => json(res, 200, JSON.parse(body));
    const all = client().resource(CONFIGMAPS);
    await all.update(cm('a'));
    expect(seen[0]!.path).toBe('/api/v1/namespaces/ns/configmaps/a');
    expect(() => all.get('a')).toThrow('ConfigMap "a": a namespace is required');
  });

  it('gives list items the type meta of the list', async () => {
    handler = (_req, res) =>
      json(res, 200, {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '9' },
        items: [cm('a')],
      });
    const list = await client().resource(CONFIGMAPS, 'ns').list();
    expect(list.metadata.resourceVersion).toBe('9');
    expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  });

  it('rejects non-2xx answers with the server Status or a synthesised one', async () => {
    const notFound = apiErrors.notFound({ group: '', resource: 'configmaps' }, 'x');
    handler = (_req, res) => json(res, 404, notFound.status);
    const err = await client()
      .resource(CONFIGMAPS, 'ns')
      .get('x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "x" not found' });

    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    };
    const err2 = await client()
      .resource(CONFIGMAPS, 'ns')
      .get('x')
      .catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 502, reason: 'InternalError' });

    const raw = await client().raw('GET', '/healthz');
    expect(raw.status).toBe(502);
    expect(raw.body.toString()).toBe('bad gateway');
    expect(raw.headers['content-type']).toBe('text/plain');
  });

  it('fails a request that gets no answer in time, and one that is aborted', async () => {
    handler = () => undefined; // never answers
    const c = client({ timeoutMs: 100 });
    const err = await c
      .resource(NODES)
      .get('n1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({
      kind: 'timeout',
      message: 'GET /api/v1/nodes/n1: no complete answer within 100 ms',
    });
    const ctl = new AbortController();
    const pending = c.raw('GET', '/slow', undefined, undefined, { signal: ctl.signal, timeoutMs: 0 });
    setTimeout(() => ctl.abort(), 20);
    await expect(pending).rejects.toMatchObject({ kind: 'aborted', name: 'AbortError' });
    // The session survives both.
    handler = (_req, res) => json(res, 200, { metadata: { name: 'n1' } });
    await expect(c.resource(NODES).get('n1')).resolves.toMatchObject({ metadata: { name: 'n1' } });
  });

  it('reports connection failures as transport errors', async () => {
    const probe = http2.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await client({ server: `http://127.0.0.1:${port}` })
      .resource(NODES)
      .get('n1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ kind: 'transport' });
    expect((err as Error).message).toMatch(/^GET \/api\/v1\/nodes\/n1: /);
  });
});

describe('sessions', () => {
  it('uses one session for many requests', async () => {
    const c = client();
    const before = sessions.length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.raw('GET', `/r${i}`)));
    expect(sessions.length - before).toBe(1);
  });

  it('opens a new session after GOAWAY or a dropped connection', async () => {
    const c = client();
    const before = sessions.length;
    await c.raw('GET', '/one');
    sessions.at(-1)!.goaway(); // no wait: a request racing the GOAWAY is refused and sent again
    expect((await c.raw('GET', '/two')).status).toBe(200);
    expect(sessions.length - before).toBe(2);
    sessions.at(-1)!.destroy();
    // A request racing the reset may fail (the server may have seen it); the next one reconnects.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await c.raw('GET', '/three').then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
    expect(sessions.length - before).toBe(3);
  });

  it('retries a stream the server refused, once', async () => {
    let refused = 0;
    handler = (req, res) => {
      if (req.url === '/refuse-once' && refused++ === 0) {
        req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      json(res, 200, { ok: true });
    };
    const res = await client().raw('GET', '/refuse-once');
    expect(res.status).toBe(200);
    expect(refused).toBe(2);
  });

  it('fails pending requests when closed', async () => {
    handler = () => undefined;
    const c = client({ timeoutMs: 0 });
    const pending = c.raw('GET', '/hang');
    await new Promise((resolve) => setTimeout(resolve, 20));
    c.close();
    await expect(pending).rejects.toBeInstanceOf(RequestError);
    await expect(c.raw('GET', '/after')).rejects.toThrow('the client is closed');
  });
});

describe('watch', () => {
  const frames = (...evs: WatchEvent[]): string => evs.map((e) => `${JSON.stringify(e)}\n`).join('');
  const added = (name: string): WatchEvent => ({ type: 'ADDED', object: { ...cm(name), kind: 'ConfigMap' } });

  async function collect(it: AsyncIterable<WatchEvent>, max = 100): Promise<string[]> {
    const out: string[] = [];
    for await (const ev of it) {
      out.push(`${ev.type} ${ev.object.metadata?.name ?? (ev.object as { reason?: string }).reason ?? ''}`);
      if (out.length >= max) break;
    }
    return out;
  }

  it('decodes events split anywhere and ends when the server ends the stream', async () => {
    const body = Buffer.from(
      frames(
        added('a'),
        { type: 'MODIFIED', object: cm('a') },
        { type: 'BOOKMARK', object: { metadata: { name: 'bm' } } },
      ) +
        frames({
          type: 'ERROR',
          object: apiErrors.expired('too old resource version: 1 (5)').status as never,
        }),
    );
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let i = 0;
      const step = (): void => {
        if (i >= body.length) return void res.end();
        const n = 1 + ((i * 7) % 23);
        res.write(body.subarray(i, i + n));
        i += n;
        setImmediate(step);
      };
      step();
    };
    const events = await collect(
      client()
        .resource(CONFIGMAPS, 'ns')
        .watch({ resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 5 }),
    );
    expect(events).toEqual(['ADDED a', 'MODIFIED a', 'BOOKMARK bm', 'ERROR Expired']);
    expect(seen[0]!.path).toBe(
      '/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=5',
    );
  });

  it('ends cleanly when aborted, and when the consumer stops', async () => {
    let streams = 0;
    let closed = 0;
    handler = (req, res) => {
      streams++;
      req.stream.on('close', () => closed++);
      res.writeHead(200);
      res.write(frames(added('a')));
    };
    const ctl = new AbortController();
    const events: string[] = [];
    const done = (async () => {
      for await (const ev of client().resource(CONFIGMAPS, 'ns').watch({ signal: ctl.signal })) {
        events.push(ev.type);
        ctl.abort();
      }
    })();
    await done;
    expect(events).toEqual(['ADDED']);
    expect(await collect(client().resource(CONFIGMAPS, 'ns').watch(), 1)).toEqual(['ADDED a']);
    for (let i = 0; i < 100 && closed < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect([streams, closed]).toEqual([2, 2]);
    // Aborted before it starts: no request at all.
    expect(await collect(client().resource(CONFIGMAPS, 'ns').watch({ signal: AbortSignal.abort() }))).toEqual(
      [],
    );
    expect(streams).toBe(2);
  });

  it('throws the ApiError of a refused watch, and a transport error when the stream breaks', async () => {
    handler = (_req, res) => json(res, 410, apiErrors.resourceVersionTooOld(1, 5).status);
    await expect(
      collect(client().resource(CONFIGMAPS, 'ns').watch({ resourceVersion: '1' })),
    ).rejects.toMatchObject({
      code: 410,
      reason: 'Expired',
    });
    handler = (req, res) => {
      res.writeHead(200);
      res.write(frames(added('a')));
      setTimeout(() => req.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 20);
    };
    const events: string[] = [];
    const err = await (async () => {
      for await (const ev of client().resource(CONFIGMAPS, 'ns').watch()) events.push(ev.type);
    })().catch((e: unknown) => e);
    expect(events).toEqual(['ADDED']);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as Error).message).toMatch(/watch stream broke/);
  });
});

import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { ANONYMOUS_USER } from '../../auth/users.js';
import type { RequestContext } from '../http.js';
import { parseRequestInfo } from '../request-info.js';
import type { BuildStats } from './documents.js';
import { gnosticType } from './gnostic.js';
import { negotiateMedia, openApiRoutes } from './routes.js';

const PB = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

let server: Server;
let port = 0;
const builds: BuildStats[] = [];

beforeAll(async () => {
  const route = openApiRoutes({ onBuild: (s) => builds.push(s) });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const ctx: RequestContext = {
      req,
      res,
      method,
      path: url.pathname,
      query: url.searchParams,
      info: parseRequestInfo(method, url.pathname, url.searchParams),
      user: ANONYMOUS_USER,
      warnings: [],
      accept: req.headers.accept ?? '',
    };
    route(ctx).then(
      (handled) => {
        if (!handled) res.writeHead(404).end('not mine');
      },
      (err: unknown) => {
        const code = err instanceof ApiError ? err.code : 500;
        res.writeHead(code).end(String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const json = (r: Reply): Record<string, unknown> =>
  JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

describe('/openapi/v2', () => {
  it('answers JSON without an Accept header and for application/json', async () => {
    for (const headers of [{}, { accept: 'application/json' }, { accept: '*/*' }] as Record<
      string,
      string
    >[]) {
      const r = await get('/openapi/v2', headers);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      expect(json(r)['swagger']).toBe('2.0');
      expect(r.headers['etag']).toMatch(/^"[0-9A-F]{128}"$/);
      expect(r.headers['vary']).toContain('Accept');
    }
  });

  it('answers gnostic protobuf for both media type spellings', async () => {
    for (const accept of [
      PB,
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      `${PB}, application/json;q=0.5`,
    ]) {
      const r = await get('/openapi/v2', { accept });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      const doc = gnosticType('Document').decode(r.body).toJSON();
      expect(doc['swagger']).toBe('2.0');
      expect(doc['definitions']['additionalProperties'].length).toBeGreaterThan(400);
    }
  });

  it('answers 304 to a matching If-None-Match and 406 to a type it cannot produce', async () => {
    const first = await get('/openapi/v2', { accept: PB });
    const etag = String(first.headers['etag']);
    const again = await get('/openapi/v2', { accept: PB, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const json = await get('/openapi/v2', { accept: 'application/json', 'if-none-match': etag });
    expect(json.status).toBe(200);
    expect((await get('/openapi/v2', { accept: 'text/html' })).status).toBe(406);
  });

  it('gzips for clients that accept it', async () => {
    const r = await get('/openapi/v2', { 'accept-encoding': 'gzip' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(r.body).toString('utf8'))).toMatchObject({ swagger: '2.0' });
  });

  it('answers HEAD with headers only', async () => {
    const r = await get('/openapi/v2', {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(Number(r.headers['content-length'])).toBeGreaterThan(100_000);
    expect(r.body.length).toBe(0);
  });
});

describe('/openapi/v3', () => {
  it('lists every document with a hash-pinned URL', async () => {
    const r = await get('/openapi/v3');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const paths = json(r)['paths'] as Record<string, { serverRelativeURL: string }>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'version']),
    );
    expect(paths['api/v1']?.serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const again = await get('/openapi/v3', { 'if-none-match': String(r.headers['etag']) });
    expect(again.status).toBe(304);
  });

  it('serves a document by its URL as immutable, and redirects a stale hash to the current one', async () => {
    const root = json(await get('/openapi/v3'))['paths'] as Record<string, { serverRelativeURL: string }>;
    const url = root['apis/apps/v1']!.serverRelativeURL;
    const r = await get(url, { accept: 'application/json' });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('public, immutable');
    expect(r.headers['expires']).toBeDefined();
    expect(`"${url.split('hash=')[1]}"`).toBe(r.headers['etag']);
    expect(json(r)['openapi']).toBe('3.0.0');

    const stale = await get('/openapi/v3/apis/apps/v1?hash=0123');
    expect(stale.status).toBe(301);
    expect(stale.headers['location']).toBe(url);

    const unpinned = await get('/openapi/v3/apis/apps/v1');
    expect(unpinned.status).toBe(200);
    expect(unpinned.headers['cache-control']).toBeUndefined();
    expect(unpinned.headers['etag']).toBe(r.headers['etag']);
  });

  it('answers 404 for a document it does not serve and leaves other paths alone', async () => {
    expect((await get('/openapi/v3/apis/nope/v1')).status).toBe(404);
    expect((await get('/openapi/v3/.well-known/openid-configuration')).status).toBe(404);
    const other = await get('/openapi/v4');
    expect(other.body.toString()).toBe('not mine');
  });

  it('builds each document once', async () => {
    await get('/openapi/v3/api/v1');
    await get('/openapi/v3/api/v1');
    expect(builds.filter((b) => b.document === 'v3 documents')).toHaveLength(1);
    expect(builds.filter((b) => b.document === 'v2 protobuf')).toHaveLength(1);
  });
});

describe('Accept negotiation', () => {
  it('prefers higher q, then the more specific range', () => {
    expect(
      negotiateMedia('application/json;q=0.5, application/x+protobuf', [
        'application/json',
        'application/x+protobuf',
      ]),
    ).toBe('application/x+protobuf');
    expect(negotiateMedia('*/*;q=0.1, application/json', ['application/x', 'application/json'])).toBe(
      'application/json',
    );
    expect(negotiateMedia('text/plain', ['application/json'])).toBeUndefined();
    expect(negotiateMedia('', ['application/json'])).toBe('application/json');
  });
});

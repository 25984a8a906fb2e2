/**
 * Serves `/openapi/v2` and `/openapi/v3[/<key>]` as an extra route of the API server:
 * - `/openapi/v2`: JSON, or gnostic protobuf for
 *   `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (and the `.v2.v1.0+protobuf` spelling);
 * - `/openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`;
 * - `/openapi/v3/<key>?hash=H`: the document; with the current hash it may be cached forever
 *   (`Cache-Control: public, immutable`), with a stale hash it redirects (301) to the current URL.
 * Every response carries a quoted SHA-512 ETag and honours `If-None-Match` with 304.
 */
import { apiErrors } from '../../api/errors.js';
import type { DefinitionRegistry } from '../../api/schema/registry.js';
import type { RequestContext } from '../http.js';
import type { ExtraRoute } from '../server.js';
import {
  GZIP_THRESHOLD,
  OpenApiDocuments,
  v3Url,
  type BuildStats,
  type CachedDocument,
} from './documents.js';

const JSON_TYPE = 'application/json';
const PROTO_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PROTO_V2_NEW = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface Clause {
  type: string;
  subtype: string;
  q: number;
}

/** Parses an Accept header and orders it as upstream's negotiation does: by q, then specificity. */
export function parseAccept(accept: string): Clause[] {
  const out: Clause[] = [];
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';');
    const [type, subtype] = (range ?? '').trim().toLowerCase().split('/');
    if (!type) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim() === 'q') q = Number(v);
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    out.push({ type, subtype: subtype ?? '*', q });
  }
  const specificity = (c: Clause): number => (c.type === '*' ? 0 : c.subtype === '*' ? 1 : 2);
  return out.sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

/** The first offered media type the Accept header takes; an empty header takes anything. */
export function negotiateMedia(accept: string, offered: readonly string[]): string | undefined {
  const clauses = accept.trim() === '' ? [{ type: '*', subtype: '*', q: 1 }] : parseAccept(accept);
  for (const c of clauses)
    for (const o of offered) {
      const [type, subtype] = o.split('/');
      if ((c.type === '*' || c.type === type) && (c.subtype === '*' || c.subtype === subtype)) return o;
    }
  return undefined;
}

function header(ctx: RequestContext, name: string): string {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** True when If-None-Match names this ETag (or `*`). */
function notModified(ctx: RequestContext, etag: string): boolean {
  const inm = header(ctx, 'if-none-match');
  if (inm === '') return false;
  return inm.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function send(
  ctx: RequestContext,
  doc: CachedDocument,
  contentType: string,
  lastModified: Date,
  extra: Record<string, string> = {},
): void {
  const etag = `"${doc.hash}"`;
  const headers: Record<string, string | number> = {
    etag,
    'last-modified': lastModified.toUTCString(),
    ...extra,
  };
  if (notModified(ctx, etag)) {
    ctx.res.writeHead(304, headers);
    ctx.res.end();
    return;
  }
  headers['content-type'] = contentType;
  let body = doc.bytes;
  if (body.length > GZIP_THRESHOLD && /\bgzip\b/i.test(header(ctx, 'accept-encoding'))) {
    body = doc.gzipped();
    headers['content-encoding'] = 'gzip';
    headers['vary'] = extra['vary'] ? `${extra['vary']}, Accept-Encoding` : 'Accept-Encoding';
  }
  headers['content-length'] = body.length;
  ctx.res.writeHead(200, headers);
  if (ctx.method === 'HEAD') ctx.res.end();
  else ctx.res.end(body);
}

export interface OpenApiRouteOptions {
  /** The definitions to publish; all of k8ts's by default. */
  registry?: DefinitionRegistry;
  /** Told how long each document took to build and how large it is. */
  onBuild?: (stats: BuildStats) => void;
}

/** The route serving `/openapi/v2` and `/openapi/v3`, building each document on first request. */
export function openApiRoutes(opts: OpenApiRouteOptions = {}): ExtraRoute {
  const docs = new OpenApiDocuments(opts.registry, opts.onBuild);
  return async (ctx: RequestContext): Promise<boolean> => {
    const { path } = ctx;
    if (path !== '/openapi/v2' && path !== '/openapi/v3' && !path.startsWith('/openapi/v3/')) return false;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
    const accept = header(ctx, 'accept');
    if (path === '/openapi/v2') {
      const media = negotiateMedia(accept, [JSON_TYPE, PROTO_V2, PROTO_V2_NEW]);
      if (!media) throw apiErrors.notAcceptable([JSON_TYPE, PROTO_V2, PROTO_V2_NEW]);
      // Both protobuf spellings are answered with the one Go's mime parser accepts (no '@').
      if (media === JSON_TYPE) send(ctx, docs.v2Json(), JSON_TYPE, docs.lastModified, { vary: 'Accept' });
      else send(ctx, docs.v2Proto(), PROTO_V2_NEW, docs.lastModified, { vary: 'Accept' });
      return true;
    }
    if (path === '/openapi/v3') {
      send(ctx, docs.v3Root(), JSON_TYPE, docs.lastModified);
      return true;
    }
    const key = path.slice('/openapi/v3/'.length).replace(/\/+$/, '');
    const doc = docs.v3(key);
    if (!doc) throw apiErrors.pathNotFound();
    if (!negotiateMedia(accept, [JSON_TYPE])) throw apiErrors.notAcceptable([JSON_TYPE]);
    const hash = ctx.query.get('hash');
    if (hash && hash !== doc.hash) {
      const location = v3Url(key, doc.hash);
      const body = `<a href="${location}">Moved Permanently</a>.\n`;
      ctx.res.writeHead(301, {
        location,
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      if (ctx.method === 'HEAD') ctx.res.end();
      else ctx.res.end(body);
      return true;
    }
    const caching: Record<string, string> = { vary: 'Accept' };
    if (hash) {
      caching['cache-control'] = 'public, immutable';
      caching['expires'] = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    }
    send(ctx, doc, JSON_TYPE, docs.lastModified, caching);
    return true;
  };
}

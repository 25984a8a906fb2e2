/**
 * Request and response plumbing shared by every handler: the request context, content negotiation,
 * body reading with upstream's size limit, and writing objects, Status errors and warnings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import { stringify as toYaml, parse as parseYaml, parseAllDocuments } from 'yaml';
import { ApiError, apiErrors, type Status } from '../api/errors.js';
import type { UserInfo } from '../auth/types.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE, ProtobufDecodeError } from '../api/protobuf/index.js';
import { definitions } from '../api/types/index.js';
import { StreamResponse } from './h2-stream.js';
import type { RequestInfo } from './request-info.js';

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;

/** Upstream's limit on request bodies: 3 MiB. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** How the client asked to see objects. */
export interface OutputFormat {
  mediaType: 'json' | 'yaml';
  /** A server-side transformation asked for in the Accept header. */
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  /** The meta.k8s.io version asked for with `as` (v1 or v1beta1). */
  asVersion?: string;
}

export interface RequestContext {
  req: HttpRequest;
  res: HttpResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  info: RequestInfo;
  user: UserInfo;
  warnings: string[];
  accept: string;
  /** An HTTP/1.1 upgrade request (WebSocket, SPDY): its raw socket and the bytes read past the head. */
  upgrade?: { socket: Duplex; head: Buffer };
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const item of accept.split(',')) {
    const [type, ...rest] = item.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    if (type && type.trim()) out.push({ type: type.trim().toLowerCase(), params });
  }
  return out;
}

const META_GROUP = 'meta.k8s.io';

/**
 * Picks the first acceptable representation. `transforms` lists the `as=` values the endpoint
 * supports (Table and PartialObjectMetadata for reads). Returns undefined when nothing fits (406).
 */
export function negotiate(
  accept: string | undefined,
  transforms: readonly string[],
): OutputFormat | undefined {
  // The common answers, without parsing: no preference, or plain JSON (what client-go sends for writes).
  if (!accept || accept === 'application/json' || accept.trim() === '') return { mediaType: 'json' };
  for (const r of parseAccept(accept)) {
    let mediaType: OutputFormat['mediaType'] | undefined;
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*' || r.type === '*')
      mediaType = 'json';
    else if (r.type === 'application/yaml') mediaType = 'yaml';
    if (!mediaType) continue;
    const as = r.params['as'];
    if (!as) return { mediaType };
    if (r.params['g'] !== META_GROUP || !transforms.includes(as)) continue;
    const v = r.params['v'];
    if (v !== 'v1' && v !== 'v1beta1') continue;
    return { mediaType, as: as as OutputFormat['as'], asVersion: v };
  }
  return undefined;
}

/** The Content-Type for a negotiated output. */
export function contentTypeOf(out: OutputFormat): string {
  const base = out.mediaType === 'yaml' ? 'application/yaml' : 'application/json';
  return out.as ? `${base};as=${out.as};g=${META_GROUP};v=${out.asVersion ?? 'v1'}` : base;
}

/** Reads the request body, enforcing the size limit (413). */
export function readBody(req: HttpRequest, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(apiErrors.tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stream = req as NodeJS.ReadableStream;
    // The listeners stay once the promise settled: the request ends with its body, and the flag
    // makes them do nothing (removing them costs about as much as adding them).
    stream.on('data', (chunk: Buffer | string) => {
      if (done) return;
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > limit) {
        // Go on reading, and dropping, the rest.
        done = true;
        chunks.length = 0;
        reject(apiErrors.tooLarge(limit));
        return;
      }
      chunks.push(b);
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    stream.on('error', (err: Error) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

/** The request's media type, lower case, without parameters. */
export function requestMediaType(req: HttpRequest): string {
  const ct = req.headers['content-type'];
  const v = Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? '');
  if (v === 'application/json') return v;
  return (v.split(';')[0] ?? '').trim().toLowerCase();
}

const EMPTY_BODY = 'the body of the request was empty';

/** A decoded body, and its text when it was text (JSON or YAML). */
export interface DecodedBody {
  value: unknown;
  text: string | undefined;
}

/**
 * Decodes a JSON, YAML or Kubernetes protobuf body into a JSON value, with errors a user can act on
 * (400), and hands back the text it decoded so callers need not decode the bytes again.
 */
export function decodeBodyText(body: Buffer, mediaType: string): DecodedBody {
  if (mediaType === PROTOBUF_MEDIA_TYPE) {
    try {
      return { value: decodeProtobufObject(body, definitions).object, text: undefined };
    } catch (err) {
      if (err instanceof ProtobufDecodeError)
        throw apiErrors.badRequest(`cannot decode the protobuf body: ${err.message}`);
      throw err;
    }
  }
  const text = body.toString('utf8');
  if (mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml') {
    if (text.trim() === '') throw apiErrors.badRequest(EMPTY_BODY);
    const docs = parseAllDocuments(text);
    if (Array.isArray(docs) && docs.length > 1)
      throw apiErrors.badRequest('the body of the request must hold exactly one YAML document');
    try {
      return { value: parseYaml(text, { strict: true, uniqueKeys: true }) as unknown, text };
    } catch (err) {
      throw apiErrors.badRequest(
        `error converting YAML to JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch (err) {
    // An empty (or blank) body is not JSON either; say so rather than quote the parser.
    if (text.trim() === '') throw apiErrors.badRequest(EMPTY_BODY);
    throw apiErrors.badRequest(
      `couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Decodes a JSON, YAML or Kubernetes protobuf body into a JSON value, with errors a user can act on (400). */
export function decodeBody(body: Buffer, mediaType: string): unknown {
  return decodeBodyText(body, mediaType).value;
}

function warningValues(warnings: readonly string[]): string[] {
  return [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`);
}

function setWarnings(ctx: RequestContext): void {
  if (ctx.warnings.length === 0) return;
  ctx.res.setHeader('warning', warningValues(ctx.warnings));
}

/** Writes a pre-serialised JSON body. */
export function writeJSONText(
  ctx: RequestContext,
  code: number,
  json: string,
  contentType = 'application/json',
): void {
  const res = ctx.res as HttpResponse | StreamResponse;
  if (res instanceof StreamResponse) {
    res.send(code, contentType, json, ctx.warnings.length > 0 ? warningValues(ctx.warnings) : undefined);
    return;
  }
  setWarnings(ctx);
  ctx.res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(json) });
  if (ctx.method === 'HEAD') ctx.res.end();
  else ctx.res.end(json);
}

/** Writes a value as JSON or YAML per the negotiated output. */
export function writeValue(
  ctx: RequestContext,
  code: number,
  value: unknown,
  out: OutputFormat = { mediaType: 'json' },
): void {
  if (out.mediaType === 'yaml') {
    const text = toYaml(value, { lineWidth: 0 });
    setWarnings(ctx);
    ctx.res.writeHead(code, {
      'content-type': contentTypeOf(out),
      'content-length': Buffer.byteLength(text),
    });
    ctx.res.end(text);
    return;
  }
  writeJSONText(ctx, code, JSON.stringify(value), contentTypeOf(out));
}

/** Writes an error as a Status (always JSON). */
export function writeStatus(ctx: RequestContext, err: ApiError): void {
  writeStatusTo(ctx.res, err.status, ctx.warnings);
}

/** Writes a Status on a bare response (before a context exists). */
export function writeStatusTo(res: HttpResponse, status: Status, warnings: string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(status);
  if (warnings.length)
    res.setHeader(
      'warning',
      warnings.map((w) => `299 - ${JSON.stringify(w)}`),
    );
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  };
  if (status.details?.retryAfterSeconds) headers['retry-after'] = status.details.retryAfterSeconds;
  res.writeHead(status.code, headers);
  res.end(body);
}

/** Turns anything thrown by a handler into an ApiError (unknown errors are 500s). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return apiErrors.internal(err);
}

/** Writes a chunk of a streamed response (watch frames); false when the stream's buffer is full. */
export function writeChunk(res: HttpResponse, chunk: string | Buffer): boolean {
  return (res as unknown as { write(c: string | Buffer): boolean }).write(chunk);
}

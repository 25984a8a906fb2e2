/**
 * GET, LIST and WATCH of a resource.
 */
import { apiErrors, ApiError } from '../../api/errors.js';
import type { CacheEvent, EventSink } from '../../registry/cache/types.js';
import type { ListOptions, WatchOptions } from '../../registry/list-options.js';
import type { Store } from '../../registry/store.js';
import { contentTypeOf, writeChunk, type OutputFormat, type RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';
import { buildTable, partialMetadata } from '../table.js';
import type { HandlerDeps } from './context.js';
import { cachedJSON, present, writeCached, writeList } from './encode.js';
import { requestSelectors } from './selectors.js';

/** A watcher whose unsent output exceeds this is dropped (it re-watches from its last revision). */
const MAX_WATCH_BUFFER_BYTES = 16 * 1024 * 1024;
/** Bookmarks are sent this often to watchers that allow them. */
const BOOKMARK_INTERVAL_MS = 60_000;

function resourceVersionMatch(ctx: RequestContext): ListOptions['resourceVersionMatch'] {
  const v = ctx.query.get('resourceVersionMatch') ?? '';
  if (v === '' || v === 'NotOlderThan' || v === 'Exact') return v;
  throw new ApiError(
    422,
    'Invalid',
    `resourceVersionMatch: Unsupported value: ${JSON.stringify(v)}: supported values: "Exact", "NotOlderThan", ""`,
    {
      causes: [
        {
          reason: 'FieldValueNotSupported',
          field: 'resourceVersionMatch',
          message: `Unsupported value: ${JSON.stringify(v)}`,
        },
      ],
    },
  );
}

function nonNegativeInt(ctx: RequestContext, name: string): number {
  const v = ctx.query.get(name);
  if (v === null || v === '') return 0;
  if (!/^\d+$/.test(v))
    throw apiErrors.badRequest(`${name}: invalid value ${JSON.stringify(v)}: must be a non-negative integer`);
  return Number(v);
}

function boolParam(ctx: RequestContext, name: string): boolean | undefined {
  const v = ctx.query.get(name);
  if (v === null) return undefined;
  return v === 'true' || v === '1';
}

function requireStore(served: ServedResource): Store {
  if (!served.store)
    throw apiErrors.methodNotSupported({ group: served.type.group, resource: served.type.plural }, 'get');
  return served.store;
}

export async function handleGet(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const store = requireStore(served);
  const c = await store.get(ctx.info.namespace, ctx.info.name, ctx.query.get('resourceVersion') ?? '');
  writeCached(ctx, served, c, out, deps.clock.now());
}

export async function handleList(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const store = requireStore(served);
  const opts: ListOptions = {
    ...requestSelectors(ctx, served),
    resourceVersion: ctx.query.get('resourceVersion') ?? '',
    resourceVersionMatch: resourceVersionMatch(ctx),
    limit: nonNegativeInt(ctx, 'limit'),
    continueToken: ctx.query.get('continue') ?? '',
  };
  const res = await store.list(ctx.info.namespace, opts);
  writeList(
    ctx,
    served,
    res.items,
    {
      resourceVersion: res.resourceVersion,
      continue: res.continueToken,
      remainingItemCount: res.remainingItemCount,
    },
    out,
    deps.clock.now(),
  );
}

/**
 * Plain JSON watch frames, built and UTF-8 encoded once per event and served version and shared by
 * every watcher (kept only while the event stays in the cache's window).
 */
const sharedFrames = new WeakMap<CacheEvent, WeakMap<ServedResource, Buffer>>();

function sharedFrame(served: ServedResource, ev: CacheEvent): Buffer {
  let byServed = sharedFrames.get(ev);
  if (!byServed) {
    byServed = new WeakMap();
    sharedFrames.set(ev, byServed);
  }
  let f = byServed.get(served);
  if (!f) {
    f = Buffer.from(`{"type":"${ev.type}","object":${cachedJSON(served, ev.object)}}\n`);
    byServed.set(served, f);
  }
  return f;
}

/** Where a watch writes: an HTTP response that stays open. */
function bufferedBytes(ctx: RequestContext): number {
  const res = ctx.res as { writableLength?: number; stream?: { writableLength?: number } };
  return res.stream?.writableLength ?? res.writableLength ?? 0;
}

export async function handleWatch(
  deps: HandlerDeps,
  ctx: RequestContext,
  served: ServedResource,
  out: OutputFormat,
): Promise<void> {
  const store = requireStore(served);
  const opts: WatchOptions = {
    ...requestSelectors(ctx, served),
    resourceVersion: ctx.query.get('resourceVersion') ?? '',
    resourceVersionMatch: resourceVersionMatch(ctx),
    sendInitialEvents: boolParam(ctx, 'sendInitialEvents'),
    allowWatchBookmarks: boolParam(ctx, 'allowWatchBookmarks') ?? false,
  };
  const timeoutParam = nonNegativeInt(ctx, 'timeoutSeconds');
  const timeoutMs = timeoutParam > 0 ? timeoutParam * 1000 : (1800 + Math.random() * 1800) * 1000;
  const t = served.type;
  const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;

  let ended = false;
  let headersWritten = false;
  let firstTable = true;
  let lastRv = 0;
  const writeHeaders = (): void => {
    if (headersWritten) return;
    headersWritten = true;
    ctx.res.writeHead(200, { 'content-type': contentTypeOf(out), 'cache-control': 'no-cache, private' });
    // HTTP/1.1 holds the head back until the first body write; a watch client waits for the head
    // (client-node's Watch resolves only then), so send it now. HTTP/2 sends it at writeHead.
    if ('flushHeaders' in ctx.res) ctx.res.flushHeaders();
  };
  const frameOf = (ev: CacheEvent): string | Buffer => {
    if (out.as === 'Table') {
      const table = buildTable(
        served.printer,
        [present(served, ev.object.object)],
        { resourceVersion: String(ev.rv) },
        {
          includeObject: 'Metadata',
          noHeaders: !firstTable,
          now: deps.clock.now(),
          asVersion: out.asVersion ?? 'v1',
        },
      );
      firstTable = false;
      return `{"type":"${ev.type}","object":${JSON.stringify(table)}}\n`;
    }
    if (out.as === 'PartialObjectMetadata')
      return `{"type":"${ev.type}","object":${JSON.stringify(partialMetadata(ev.object.object, out.asVersion))}}\n`;
    return sharedFrame(served, ev);
  };
  let stop: () => void = () => undefined;
  const timers: { bookmark?: NodeJS.Timeout; timeout?: NodeJS.Timeout } = {};
  const finish = (): void => {
    if (ended) return;
    ended = true;
    stop();
    if (timers.bookmark) clearInterval(timers.bookmark);
    if (timers.timeout) clearTimeout(timers.timeout);
    writeHeaders();
    ctx.res.end();
  };
  const sink: EventSink = {
    deliver(ev) {
      if (ended) return true;
      writeHeaders();
      lastRv = ev.rv;
      writeChunk(ctx.res, frameOf(ev));
      return bufferedBytes(ctx) < MAX_WATCH_BUFFER_BYTES;
    },
    close(reason, error) {
      deps.log.debug({ resource: t.plural, reason }, 'watch closed by the server');
      if (error && !ended) {
        writeHeaders();
        writeChunk(ctx.res, `{"type":"ERROR","object":${JSON.stringify(error.status)}}\n`);
      }
      finish();
    },
  };
  const bookmark = (rv: number, initialEnd: boolean): void => {
    if (ended) return;
    writeHeaders();
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
    writeChunk(
      ctx.res,
      `{"type":"BOOKMARK","object":${JSON.stringify({ kind: t.kind, apiVersion, metadata })}}\n`,
    );
  };

  ctx.req.on('close', finish);
  ctx.res.on('close', finish);
  let start;
  try {
    start = await store.watch(ctx.info.namespace, opts, sink);
  } catch (err) {
    if (err instanceof ApiError && (err.code === 410 || err.code === 504)) {
      // Upstream answers these as an ERROR event in a 200 stream; clients relist on 410.
      writeHeaders();
      writeChunk(ctx.res, `{"type":"ERROR","object":${JSON.stringify(err.status)}}\n`);
      finish();
      return;
    }
    ctx.req.off('close', finish);
    ctx.res.off('close', finish);
    throw err;
  }
  stop = start.stop;
  if (ended) {
    stop();
    return;
  }
  writeHeaders();
  if (opts.sendInitialEvents && opts.allowWatchBookmarks) bookmark(start.initialRevision, true);
  lastRv = Math.max(lastRv, start.initialRevision);
  if (opts.allowWatchBookmarks) {
    timers.bookmark = setInterval(() => {
      const rv = served.store ? deps.served.caches.revision : lastRv;
      if (rv > lastRv) {
        lastRv = rv;
        bookmark(rv, false);
      }
    }, BOOKMARK_INTERVAL_MS);
    timers.bookmark.unref();
  }
  timers.timeout = setTimeout(finish, timeoutMs);
  timers.timeout.unref();
}

/**
 * WATCH as an async iterator: newline-delimited JSON events decoded as they arrive (chunks may split
 * lines anywhere), ending cleanly when the server ends the stream or the caller aborts.
 */
import http2 from 'node:http2';
import { isObject } from '../api/meta.js';
import { LineSplitter } from './lines.js';
import { errorFromResponse } from './status.js';
import { RequestError, type Transport, type WireRequest } from './transport.js';
import type { ApiObject, WatchEvent } from './types.js';

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
/** Cap on an error body read from a refused watch. */
const MAX_ERROR_BODY = 1 << 20;

/** Decodes one watch line; throws on anything that is not a watch event. */
export function parseWatchEvent<T extends ApiObject>(line: string): WatchEvent<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`malformed watch event (not JSON): ${line.slice(0, 200)}`);
  }
  if (!isObject(value) || typeof value['type'] !== 'string' || !EVENT_TYPES.has(value['type'])) {
    throw new Error(`malformed watch event (no known type): ${line.slice(0, 200)}`);
  }
  if (!isObject(value['object'])) throw new Error(`malformed watch event (no object): ${line.slice(0, 200)}`);
  return value as unknown as WatchEvent<T>;
}

/**
 * Streams the events of a WATCH request. A non-2xx answer throws its `ApiError` (410 included);
 * transport failures throw `RequestError`; the server closing the stream or `req.signal` aborting
 * ends the iteration without an error. ERROR events are yielded like any other.
 */
export async function* watchStream<T extends ApiObject>(
  transport: Transport,
  req: WireRequest,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const signal = req.signal;
  if (signal?.aborted) return;
  let res;
  try {
    res = await transport.stream(req);
  } catch (err) {
    if (err instanceof RequestError && err.kind === 'aborted') return;
    throw err;
  }
  const stream = res.stream;
  const onAbort = (): void => {
    if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (res.status < 200 || res.status >= 300) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (size < MAX_ERROR_BODY) chunks.push(chunk);
        size += chunk.length;
      }
      const retryAfter = res.headers['retry-after'];
      throw errorFromResponse(
        res.status,
        Buffer.concat(chunks),
        typeof retryAfter === 'string' ? retryAfter : undefined,
      );
    }
    const lines = new LineSplitter();
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const line of lines.push(chunk)) {
          yield parseWatchEvent<T>(line);
          if (signal?.aborted) return;
        }
      }
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof Error && err.message.startsWith('malformed watch event')) throw err;
      throw new RequestError('transport', `${req.method} ${req.path}: watch stream broke: ${String(err)}`, {
        cause: err,
      });
    }
    if (signal?.aborted) return;
    const rest = lines.end();
    if (rest !== undefined) yield parseWatchEvent<T>(rest);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    onAbort();
  }
}

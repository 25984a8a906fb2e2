/** Rewriting stale (plaintext or old-key) values under a prefix with the current primary key. */
import type { Backend, KeyValue } from './backend.js';
import { ConflictError, KeyNotFoundError } from './backend.js';
import type { Transformer } from './encryption.js';

/** What {@link reencryptPrefix} did. */
export interface ReencryptResult {
  /** Keys looked at. */
  scanned: number;
  /** Keys rewritten under the primary key. */
  rewritten: number;
}

/** Rewrites one value if stale; re-reads and retries when another writer got there first. */
async function rewrite(
  backend: Backend,
  t: Transformer,
  kv: KeyValue,
  maxAttempts: number,
): Promise<boolean> {
  let cur: KeyValue = kv;
  for (let attempt = 1; ; attempt++) {
    const { value, stale } = t.fromStorage(cur.value, cur.key);
    if (!stale) return false;
    try {
      await backend.update(cur.key, t.toStorage(value, cur.key), cur.modRevision);
      return true;
    } catch (err) {
      if (err instanceof KeyNotFoundError) return false;
      if (!(err instanceof ConflictError)) throw err;
      if (!err.current) return false;
      if (attempt >= maxAttempts) {
        throw new Error(`re-encrypting ${cur.key}: still conflicting after ${maxAttempts} attempts`, {
          cause: err,
        });
      }
      cur = err.current;
    }
  }
}

/**
 * Rewrites every stale value under `prefix` (e.g. `/registry/secrets/`) so that it is encrypted
 * with the transformer's primary key, page by page. Safe to run while the server serves writes:
 * each rewrite is a compare-and-swap on the value it read, retried on conflict.
 */
export async function reencryptPrefix(
  backend: Backend,
  transformer: Transformer,
  prefix: string,
  opts: { pageSize?: number; maxAttempts?: number } = {},
): Promise<ReencryptResult> {
  const pageSize = opts.pageSize ?? 500;
  const maxAttempts = opts.maxAttempts ?? 10;
  const result: ReencryptResult = { scanned: 0, rewritten: 0 };
  let startKey: string | undefined;
  for (;;) {
    const page = await backend.list(prefix, { limit: pageSize, startKey });
    for (const kv of page.kvs) {
      result.scanned++;
      if (await rewrite(backend, transformer, kv, maxAttempts)) result.rewritten++;
    }
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || !last) return result;
    startKey = last.key + '\x00';
  }
}

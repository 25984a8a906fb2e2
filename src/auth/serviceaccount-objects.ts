/**
 * Reads the objects service-account tokens name straight from the registry's stores: from the watch
 * cache first (authentication runs on every request), and, on a miss, with a consistent read (an
 * object created a moment ago may not be in the cache yet). Never over HTTP.
 */
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { StoreReader } from '../registry/store-read.js';
import type { BoundObjectReader } from './serviceaccount.js';

/** The core/v1 resources a token can name. */
export type BoundResource = 'serviceaccounts' | 'pods' | 'secrets' | 'nodes';

/** How {@link registryBoundObjects} reads. */
export interface RegistryObjectOptions {
  /**
   * Always read consistently (skip the cache). The TokenRequest handler does, as upstream reads from
   * storage when issuing; the authenticator does not.
   */
  consistent?: boolean;
}

async function read(
  store: StoreReader | undefined,
  namespace: string,
  name: string,
  consistent: boolean,
): Promise<KubeObject | undefined> {
  if (!store || !name) return undefined;
  const attempts = consistent ? [''] : ['0', ''];
  for (const rv of attempts) {
    try {
      return (await store.get(namespace, name, rv)).object;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
  return undefined;
}

/** A {@link BoundObjectReader} over the stores `storeOf` returns. */
export function registryBoundObjects(
  storeOf: (resource: BoundResource) => StoreReader | undefined,
  opts: RegistryObjectOptions = {},
): BoundObjectReader {
  const consistent = opts.consistent ?? false;
  return {
    serviceAccount: (ns, name) => read(storeOf('serviceaccounts'), ns, name, consistent),
    pod: (ns, name) => read(storeOf('pods'), ns, name, consistent),
    secret: (ns, name) => read(storeOf('secrets'), ns, name, consistent),
    node: (name) => read(storeOf('nodes'), '', name, consistent),
  };
}

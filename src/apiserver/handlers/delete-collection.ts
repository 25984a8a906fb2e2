/** The objects a DELETECOLLECTION acts on: a consistent list with the request's selectors. */
import type { CachedObject } from '../../registry/cache/types.js';
import type { Store } from '../../registry/store.js';
import type { RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';
import { requestSelectors } from './selectors.js';

export async function handleListForDelete(
  ctx: RequestContext,
  served: ServedResource,
  store: Store,
): Promise<CachedObject[]> {
  const res = await store.list(ctx.info.namespace, {
    ...requestSelectors(ctx, served),
    resourceVersion: '',
    resourceVersionMatch: '',
    limit: 0,
    continueToken: '',
  });
  return res.items;
}

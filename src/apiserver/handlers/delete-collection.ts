/** The objects a DELETECOLLECTION acts on: a consistent list with the request's selectors. */
import { apiErrors } from '../../api/errors.js';
import { parseFieldSelector, FieldSelectorParseError } from '../../api/selectors/fields.js';
import { parseLabelSelector, SelectorParseError } from '../../api/selectors/labels.js';
import type { CachedObject } from '../../registry/cache/types.js';
import type { Store } from '../../registry/store.js';
import type { RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';

export async function handleListForDelete(
  ctx: RequestContext,
  served: ServedResource,
  store: Store,
): Promise<CachedObject[]> {
  try {
    const labelSelector = parseLabelSelector(ctx.query.get('labelSelector') ?? '');
    const fieldSelector = parseFieldSelector(ctx.query.get('fieldSelector') ?? '');
    for (const r of fieldSelector.requirements) {
      if (!served.fieldLabels.has(r.field))
        throw apiErrors.badRequest(`field label not supported: ${r.field}`);
    }
    const res = await store.list(ctx.info.namespace, {
      labelSelector,
      fieldSelector,
      resourceVersion: '',
      resourceVersionMatch: '',
      limit: 0,
      continueToken: '',
    });
    return res.items;
  } catch (err) {
    if (err instanceof SelectorParseError || err instanceof FieldSelectorParseError)
      throw apiErrors.badRequest(err.message);
    throw err;
  }
}

/** The label and field selectors of a request, checked against what the kind supports. */
import { apiErrors } from '../../api/errors.js';
import { FieldSelector, FieldSelectorParseError, parseFieldSelector } from '../../api/selectors/fields.js';
import { parseLabelSelector, SelectorParseError, type LabelSelector } from '../../api/selectors/labels.js';
import type { RequestContext } from '../http.js';
import type { ServedResource } from '../served.js';

export function requestSelectors(
  ctx: RequestContext,
  served: ServedResource,
): { labelSelector: LabelSelector; fieldSelector: FieldSelector } {
  let labelSelector: LabelSelector;
  let parsed: FieldSelector;
  try {
    labelSelector = parseLabelSelector(ctx.query.get('labelSelector') ?? '');
    parsed = parseFieldSelector(ctx.query.get('fieldSelector') ?? '');
  } catch (err) {
    if (err instanceof SelectorParseError || err instanceof FieldSelectorParseError)
      throw apiErrors.badRequest(err.message);
    throw err;
  }
  const requirements = parsed.requirements.map((r) => {
    let field = r.field;
    if (served.fieldLabel) {
      try {
        field = served.fieldLabel(r.field);
      } catch {
        throw apiErrors.badRequest(`field label not supported: ${r.field}`);
      }
    }
    if (!served.fieldLabels.has(field)) throw apiErrors.badRequest(`field label not supported: ${r.field}`);
    return { ...r, field };
  });
  return { labelSelector, fieldSelector: new FieldSelector(requirements) };
}

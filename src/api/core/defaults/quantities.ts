/**
 * Quantity canonicalization during defaulting: quantities are stored in their canonical form
 * ("0.5" → "500m"), and resource lists are first rounded up to milli-units, as upstream's
 * SetDefaults_ResourceList does. Values that do not parse are left for validation to report.
 */
import { Quantity } from '../../quantity.js';
import { rec, type JsonObject } from '../util.js';

/** Canonicalizes the quantity at `obj[key]` when it parses. */
export function canonicalizeQuantity(obj: JsonObject | undefined, key: string): void {
  if (!obj || !(key in obj)) return;
  const q = Quantity.tryParse(obj[key]);
  if (q) obj[key] = q.toString();
}

/** Rounds every quantity of the ResourceList at `obj[key]` up to milli-units and canonicalizes it. */
export function canonicalizeResourceList(obj: JsonObject | undefined, key: string): void {
  const list = rec(obj?.[key]);
  if (!list) return;
  for (const [name, value] of Object.entries(list)) {
    const q = Quantity.tryParse(value);
    if (q) list[name] = q.roundUp(-3).toString();
  }
}

/** Both lists of a ResourceRequirements-like object (`requests`, `limits`). */
export function canonicalizeRequirements(value: unknown): void {
  const r = rec(value);
  canonicalizeResourceList(r, 'limits');
  canonicalizeResourceList(r, 'requests');
}

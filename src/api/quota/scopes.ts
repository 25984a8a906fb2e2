/**
 * A quota's scopes: `spec.scopes` (each an Exists requirement) together with
 * `spec.scopeSelector.matchExpressions`; an object is under the quota only if it meets them all.
 */
import { rec, records, str, strings } from '../core/util.js';

/** One scoped-resource selector requirement. */
export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** Every scope requirement of a quota (upstream's getScopeSelectorsFromQuota). */
export function quotaScopes(quota: unknown): ScopeRequirement[] {
  const spec = rec(rec(quota)?.['spec']) ?? {};
  const out: ScopeRequirement[] = strings(spec['scopes']).map((s) => ({
    scopeName: s,
    operator: 'Exists',
  }));
  for (const [e] of records(rec(spec['scopeSelector'])?.['matchExpressions'])) {
    out.push({ scopeName: str(e['scopeName']), operator: str(e['operator']), values: strings(e['values']) });
  }
  return out;
}

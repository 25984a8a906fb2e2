/**
 * ClusterRole aggregation: a ClusterRole with an aggregationRule holds the union of the rules of the
 * ClusterRoles its selectors match (itself excluded), as upstream's clusterrole-aggregation
 * controller. The server runs aggregateClusterRoles whenever ClusterRoles change and writes back the
 * roles it returns.
 */
import { selectorMatches } from './selector.js';
import type { ClusterRole, PolicyRule } from './types.js';
import { normalizeRule } from './types.js';

function ruleKey(rule: PolicyRule): string {
  const r = normalizeRule(rule);
  return JSON.stringify([r.verbs, r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
}

function sameRules(a: PolicyRule[] | undefined, b: PolicyRule[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => ruleKey(r) === ruleKey(y[i] ?? { verbs: [] }));
}

function compareNames(a = '', b = ''): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The rules an aggregated role should hold, given all ClusterRoles by name. */
function aggregatedRules(role: ClusterRole, byName: Map<string, ClusterRole>): PolicyRule[] {
  const name = role.metadata?.name ?? '';
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  // By name in plain code-unit order, as upstream's byte-wise sort (localeCompare would also load
  // ICU's collation data, about 2 MB of resident memory, for nothing).
  const candidates = [...byName.values()].sort((a, b) => compareNames(a.metadata?.name, b.metadata?.name));
  for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
    for (const other of candidates) {
      if (other.metadata?.name === name) continue;
      if (!selectorMatches(selector, other.metadata?.labels)) continue;
      for (const rule of other.rules ?? []) {
        const key = ruleKey(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
  }
  return rules;
}

/**
 * The aggregated ClusterRoles whose rules must change, with their new rules (copies; the inputs are
 * not mutated). Chains (view into edit into admin) are followed to a fixed point.
 */
export function aggregateClusterRoles(roles: readonly ClusterRole[]): ClusterRole[] {
  const byName = new Map<string, ClusterRole>();
  for (const r of roles) byName.set(r.metadata?.name ?? '', r);
  const changed = new Map<string, ClusterRole>();
  // Each pass settles at least one more level of a chain; a chain cannot be longer than the role count.
  for (let pass = 0; pass <= roles.length; pass++) {
    let progress = false;
    for (const role of byName.values()) {
      if (!role.aggregationRule) continue;
      const rules = aggregatedRules(role, byName);
      if (sameRules(rules, role.rules)) continue;
      const updated: ClusterRole = { ...role, rules };
      const name = role.metadata?.name ?? '';
      byName.set(name, updated);
      changed.set(name, updated);
      progress = true;
    }
    if (!progress) break;
  }
  const original = new Map(roles.map((r) => [r.metadata?.name ?? '', r]));
  return [...changed.values()].filter(
    (r) => !sameRules(r.rules, original.get(r.metadata?.name ?? '')?.rules),
  );
}

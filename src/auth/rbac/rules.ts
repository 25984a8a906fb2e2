/**
 * Matching requests against policy rules, and comparing rule sets (does one set of rules cover
 * another), with upstream's semantics:
 * - verbs and apiGroups: exact or `*`;
 * - resources: exact (`pods`, `pods/log`), `*`, or `* /subresource` (written without the space);
 * - resourceNames: empty matches every name, otherwise exact;
 * - nonResourceURLs: exact, `*`, or a prefix ending in `*`.
 */
import type { AuthorizationAttributes } from '../types.js';
import { normalizeRule, type NormalizedRule, type PolicyRule } from './types.js';

const ALL = '*';

export function verbMatches(rule: NormalizedRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: NormalizedRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === ALL || g === group);
}

/** `combined` is "resource" or "resource/subresource". */
export function resourceMatches(rule: NormalizedRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources) {
    if (r === ALL || r === combined) return true;
    if (subresource !== '' && r === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: NormalizedRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: NormalizedRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** True when the rule allows the request. */
export function ruleAllows(attrs: AuthorizationAttributes, policyRule: PolicyRule): boolean {
  const rule = normalizeRule(policyRule);
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path);
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return (
    apiGroupMatches(rule, attrs.apiGroup) &&
    resourceMatches(rule, combined, attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

// ---------------------------------------------------------------------------------------------------
// Coverage, for the escalation check.

/** Splits a rule into rules of one verb, one group, one resource, one name (or one URL and one verb). */
export function breakdownRule(policyRule: PolicyRule): PolicyRule[] {
  const rule = normalizeRule(policyRule);
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups) {
    for (const resource of rule.resources) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames.length > 0) {
          for (const name of rule.resourceNames) {
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
          }
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs) {
    for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

function hasAll(set: string[], values: string[]): boolean {
  return values.every((v) => set.includes(v));
}

function resourceCovers(owner: string[], resource: string): boolean {
  if (owner.includes(ALL) || owner.includes(resource)) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && owner.includes(`*${resource.slice(slash)}`);
}

function urlCovers(owner: string[], url: string): boolean {
  return owner.some((o) => o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1))));
}

/** True when `owner` grants everything `sub` (one broken-down rule) grants. */
export function ruleCovers(ownerRule: PolicyRule, subRule: PolicyRule): boolean {
  const owner = normalizeRule(ownerRule);
  const sub = normalizeRule(subRule);
  const verbs = owner.verbs.includes(ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = owner.apiGroups.includes(ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = sub.resources.every((r) => resourceCovers(owner.resources, r));
  const urls = sub.nonResourceURLs.every((u) => urlCovers(owner.nonResourceURLs, u));
  const names =
    sub.resourceNames.length === 0
      ? owner.resourceNames.length === 0
      : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && urls && names;
}

/** Whether `owner` rules cover all `servant` rules, and the broken-down rules they do not cover. */
export function covers(
  owner: PolicyRule[],
  servant: PolicyRule[],
): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const rule of servant) {
    for (const sub of breakdownRule(rule)) {
      if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub);
    }
  }
  return { covered: missing.length === 0, missing };
}

/**
 * Merges rules that name a single group and resource (and at most one name) by adding up their verbs,
 * as upstream compacts the missing rules before reporting them.
 */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const r = normalizeRule(rule);
    const isSimple =
      r.resourceNames.length <= 1 &&
      r.nonResourceURLs.length === 0 &&
      r.apiGroups.length === 1 &&
      r.resources.length === 1;
    if (!isSimple) {
      out.push(rule);
      continue;
    }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames[0] ?? null]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...(existing.verbs ?? []), ...r.verbs];
    else simple.set(key, { ...rule, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a string slice: ["a" "b"]. */
export function goQuoteList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** Upstream's compact one-line rule text: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}. */
export function compactRuleString(rule: PolicyRule): string {
  const r = normalizeRule(rule);
  const parts: string[] = [];
  if (r.apiGroups.length > 0) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources.length > 0) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs.length > 0) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames.length > 0) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs.length > 0) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * Compiled node selectors: `spec.nodeSelector` and the terms of required and preferred node
 * affinity (matchExpressions on labels with In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on
 * `metadata.name`), evaluated against a node's labels and name.
 */
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import { LabelSelector, type Requirement } from '../api/selectors/labels.js';

/** One term: all of its requirements must hold. A term without requirements matches no node. */
export interface CompiledNodeSelectorTerm {
  labels: LabelSelector;
  /** `metadata.name` In/NotIn values. */
  fields: { op: 'in' | 'notin'; values: string[] }[];
  /** False when the term had no requirements or an invalid one (it then matches nothing). */
  valid: boolean;
}

function labelRequirement(r: NodeSelectorRequirement): Requirement | undefined {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return { key: r.key, operator: 'in', values };
    case 'NotIn':
      return { key: r.key, operator: 'notin', values };
    case 'Exists':
      return { key: r.key, operator: 'exists', values: [] };
    case 'DoesNotExist':
      return { key: r.key, operator: '!', values: [] };
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !/^-?\d+$/.test(values[0] ?? '')) return undefined;
      return { key: r.key, operator: r.operator === 'Gt' ? 'gt' : 'lt', values };
    default:
      return undefined;
  }
}

/** Compiles one node selector term. */
export function compileTerm(term: NodeSelectorTerm): CompiledNodeSelectorTerm {
  const reqs: Requirement[] = [];
  const fields: CompiledNodeSelectorTerm['fields'] = [];
  let valid = (term.matchExpressions?.length ?? 0) + (term.matchFields?.length ?? 0) > 0;
  for (const e of term.matchExpressions ?? []) {
    const r = labelRequirement(e);
    if (r) reqs.push(r);
    else valid = false;
  }
  for (const f of term.matchFields ?? []) {
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) {
      valid = false;
      continue;
    }
    // Upstream accepts exactly one value for a field requirement.
    if ((f.values ?? []).length !== 1) valid = false;
    fields.push({ op: f.operator === 'In' ? 'in' : 'notin', values: f.values ?? [] });
  }
  return { labels: new LabelSelector(reqs), fields, valid };
}

/** Whether a compiled term matches a node. */
export function termMatches(
  t: CompiledNodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  name: string,
): boolean {
  if (!t.valid) return false;
  for (const f of t.fields) {
    const has = f.values.includes(name);
    if (f.op === 'in' ? !has : has) return false;
  }
  return t.labels.matches(labels);
}

/** A required node selector: ORed terms. */
export class NodeSelectorMatcher {
  readonly terms: CompiledNodeSelectorTerm[];
  constructor(sel: NodeSelector) {
    this.terms = (sel.nodeSelectorTerms ?? []).map(compileTerm);
  }
  matches(labels: Readonly<Record<string, string>>, name: string): boolean {
    for (const t of this.terms) if (termMatches(t, labels, name)) return true;
    return false;
  }
}

/** `spec.nodeSelector`: every key must be present with the given value. */
export function matchesNodeSelectorMap(
  sel: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}

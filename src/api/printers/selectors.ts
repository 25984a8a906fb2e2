/**
 * Label maps and label selectors in the text form upstream prints them: `app=web,tier=db`,
 * `env in (prod,staging),!canary`, `<none>` for an empty one.
 */
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

/** Labels as `k=v` pairs sorted by key, or `<none>`. */
export function formatLabels(labels: Readonly<Record<string, string>> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(compareStrings);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

/** Byte-order comparison, as Go's sort of strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Requirement {
  key: string;
  op: string;
  values: string[];
}

/**
 * A selector as a string, or undefined when it is not a valid selector. A missing or empty selector
 * is the empty string.
 */
export function selectorString(selector: LabelSelector | null | undefined): string | undefined {
  if (!selector) return '';
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!validRequirement(key, '=', [value])) return undefined;
    requirements.push({ key, op: '=', values: [value] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const r = fromExpression(expr);
    if (!r) return undefined;
    requirements.push(r);
  }
  // A stable sort by key keeps requirements on one key in the order they were given.
  requirements.sort((a, b) => compareStrings(a.key, b.key));
  return requirements.map(requirementString).join(',');
}

/** A selector for a table cell: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

function fromExpression(expr: LabelSelectorRequirement): Requirement | undefined {
  const ops: Record<string, string> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  const op = ops[expr.operator];
  if (op === undefined) return undefined;
  const values = [...(expr.values ?? [])];
  if (!validRequirement(expr.key, op, values)) return undefined;
  return { key: expr.key, op, values };
}

function validRequirement(key: string, op: string, values: readonly string[]): boolean {
  if (isQualifiedName(key).length > 0) return false;
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) return false;
      break;
    case '=':
      if (values.length !== 1) return false;
      break;
    default:
      if (values.length !== 0) return false;
  }
  return values.every((v) => isValidLabelValue(v).length === 0);
}

function requirementString(r: Requirement): string {
  switch (r.op) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case '=':
      return `${r.key}=${r.values[0] ?? ''}`;
    default: {
      const values = r.values.length > 1 ? [...r.values].sort(compareStrings) : r.values;
      return `${r.key} ${r.op} (${values.join(',')})`;
    }
  }
}

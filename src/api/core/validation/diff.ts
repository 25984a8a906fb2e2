/**
 * A short field-by-field difference of two decoded objects, shown after "may not change fields other
 * than …" messages. Upstream prints a go-cmp diff of its internal Go structs; this gives the same
 * information (which fields differ, before and after) in a similar layout, not byte for byte.
 */
import { isObject } from '../../meta.js';
import { deepEqual } from '../util.js';

function show(value: unknown): string {
  if (value === undefined) return 'nil';
  return JSON.stringify(value);
}

function walk(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit || deepEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      walk(a[k], b[k], path ? `${path}.${k}` : k, out, limit);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => walk(v, b[i], `${path}[${i}]`, out, limit));
    return;
  }
  out.push(`- \t${path}: ${show(a)}`, `+ \t${path}: ${show(b)}`);
}

/** `  core.PodSpec{\n- \tfield: old\n+ \tfield: new\n  }\n`. */
export function structDiff(typeName: string, oldValue: unknown, newValue: unknown, limit = 40): string {
  const lines: string[] = [];
  walk(oldValue, newValue, '', lines, limit);
  return `  ${typeName}{\n${lines.join('\n')}${lines.length ? '\n' : ''}  }\n`;
}

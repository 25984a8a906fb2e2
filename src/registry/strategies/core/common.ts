/**
 * Helpers shared by the core strategies.
 */
import type { KubeObject } from '../../../api/meta.js';
import { clone, ensureRec, rec, type JsonObject } from '../../../api/core/util.js';

/** The object's metadata, created when missing. */
export function metaOf(obj: KubeObject): JsonObject {
  return ensureRec(obj, 'metadata');
}

/** Replaces `obj[key]` with a copy of `old[key]` (or removes it when `old` has none). */
export function keepFromOld(obj: KubeObject, old: KubeObject, key: string): void {
  if (old[key] === undefined) delete obj[key];
  else obj[key] = clone(old[key]);
}

/** A field-selector value: strings as they are, booleans as "true"/"false", missing as "". */
export function fieldValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return '';
}

/** `obj[a][b]…` read defensively. */
export function at(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = rec(cur)?.[p];
  return cur;
}

/** RFC 3339 with seconds, as upstream serializes metav1.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

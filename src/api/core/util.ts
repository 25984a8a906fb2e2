/**
 * Defensive accessors for decoded JSON. Objects reach defaulting and validation typed only loosely, so
 * every read goes through these: a wrong shape reads as "absent", never as an exception.
 */
import { isObject } from '../meta.js';

export { isObject };

export type JsonObject = Record<string, unknown>;

/** The value as a plain object, or undefined. */
export function rec(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

/** The value as a string; '' when absent or not a string. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The value as a string, or undefined when it is not one. */
export function optStr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value as a finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The value as a boolean, or undefined. */
export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** The value as an array; [] when absent or not an array. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The array's elements that are objects, with their original indexes. */
export function records(value: unknown): [JsonObject, number][] {
  const out: [JsonObject, number][] = [];
  arr(value).forEach((v, i) => {
    if (isObject(v)) out.push([v, i]);
  });
  return out;
}

/** The array's string elements. */
export function strings(value: unknown): string[] {
  return arr(value).filter((v): v is string => typeof v === 'string');
}

/** A map of string values (labels, data, nodeSelector); non-string values are skipped. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const m = rec(value);
  if (!m) return out;
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The object at `key` of `parent`, created (and set) when missing or not an object. */
export function ensureRec(parent: JsonObject, key: string): JsonObject {
  const cur = parent[key];
  if (isObject(cur)) return cur;
  const fresh: JsonObject = {};
  parent[key] = fresh;
  return fresh;
}

/** True when a value is "set" in Go's sense for optional fields: present and not null. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** True for null, undefined, '', 0, false, [] and {} (Go zero values after decoding). */
export function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/**
 * Semantic deep equality of decoded JSON, as upstream compares Go structs: absent, null and empty
 * values (Go zero values) are equal to each other.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** A deep copy of decoded JSON. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Quotes like Go's %q for plain strings. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `[]string{"a", "b"}`: Go's %#v of a string slice, as upstream prints list values in messages. */
export function goStringSlice(values: readonly string[], typeName = 'string'): string {
  return `[]${typeName}{${values.map(goQuote).join(', ')}}`;
}

/**
 * Small helpers for decoded JSON values (the output of `JSON.parse`): safe own-key access, deep
 * equality, copies, and the way Go's `fmt` prints such values in upstream's error messages.
 */
import { isObject } from '../meta.js';

export { isObject };

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Whether `key` is an own field of `obj` (never a prototype member such as `constructor`). */
export function hasOwn(obj: JsonObject, key: string): boolean {
  return hasOwnProperty.call(obj, key);
}

/** The own field `key` of `obj`, or undefined. */
export function getOwn(obj: JsonObject, key: string): unknown {
  return hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Sets an own field, also for the key `__proto__` (which plain assignment would treat as the prototype). */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Structural equality of two JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const k of keys) if (!hasOwn(bo, k) || !jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: JsonObject = {};
  for (const k of Object.keys(value)) setOwn(out, k, cloneJson((value as JsonObject)[k]));
  return out as T;
}

/** The kind of a JSON value as Go's decoder names it in `cannot unmarshal X into ...`. */
export function jsonKindName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return typeof value;
  }
}

/** The Go type a decoded JSON value has upstream (`map[string]interface {}`, `int64`, ...). */
export function goValueTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  switch (typeof value) {
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return typeof value;
  }
}

/** A JSON value as Go's `%v` prints it: `map[image:x name:b]`, `[a b]`, `<nil>`. */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object') {
    const obj = value as JsonObject;
    const keys = Object.keys(obj).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(obj[k])}`).join(' ')}]`;
  }
  return String(value);
}

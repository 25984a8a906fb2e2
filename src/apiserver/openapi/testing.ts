/**
 * Helpers for the OpenAPI tests: walking a JSON document, resolving references.
 */
import type { Json } from './schemas.js';

export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `a.b.c` out of a JSON value, failing with the path when a step is missing. */
export function at(value: unknown, ...path: string[]): Json {
  let cur: unknown = value;
  for (const step of path) {
    if (!isJson(cur) || !(step in cur)) throw new Error(`no ${path.join(' → ')} (stopped at ${step})`);
    cur = cur[step];
  }
  if (!isJson(cur)) throw new Error(`${path.join(' → ')} is not an object`);
  return cur;
}

/** Every `$ref` value anywhere below `value`. */
export function allRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) allRefs(v, into);
  else if (isJson(value))
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.push(v);
      else allRefs(v, into);
    }
  return into;
}

/** Every object below `value` that has a `$ref` key. */
export function refHolders(value: unknown, into: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const v of value) refHolders(v, into);
  else if (isJson(value)) {
    if ('$ref' in value) into.push(value);
    for (const v of Object.values(value)) refHolders(v, into);
  }
  return into;
}

/** The operations of a path item, by method. */
export function operationsOf(item: Json): [string, Json][] {
  const out: [string, Json][] = [];
  for (const m of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'])
    if (isJson(item[m])) out.push([m, item[m]]);
  return out;
}

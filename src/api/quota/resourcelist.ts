/**
 * Arithmetic on resource lists (`{cpu: "500m", pods: "3"}`), the currency of ResourceQuota and
 * LimitRange: sums, masks, comparisons and upstream's `k=v,k=v` rendering for error messages.
 */
import { Quantity } from '../quantity.js';
import { isObject } from '../meta.js';

/** Resource name → quantity. Insertion order carries no meaning. */
export type ResourceList = Map<string, Quantity>;

/** A list from JSON (`{cpu: "1", memory: "1Gi"}`); entries that do not parse are left out. */
export function parseResourceList(value: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    const q = Quantity.tryParse(v);
    if (q) out.set(k, q);
  }
  return out;
}

/** The JSON form, keys sorted, quantities canonical. */
export function resourceListJson(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...list.keys()].sort()) out[k] = (list.get(k) as Quantity).toString();
  return out;
}

/** The union of both lists, summing names in both (the first list's format wins). */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    out.set(k, cur ? cur.add(v) : v);
  }
  return out;
}

/** `a - b` for every name of `a`, never below zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    let d = other ? v.sub(other) : v;
    if (d.sign() < 0) d = Quantity.fromInt(0, v.format);
    out.set(k, d);
  }
  return out;
}

/** Only the given names. */
export function maskList(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) {
    const v = list.get(n);
    if (v) out.set(n, v);
  }
  return out;
}

/** Every name of `a` whose value is greater than `b`'s (names missing from either are ignored). */
export function exceededNames(a: ResourceList, b: ResourceList): string[] {
  const out: string[] = [];
  for (const [k, limit] of b) {
    const v = a.get(k);
    if (v && v.cmp(limit) > 0) out.push(k);
  }
  return out;
}

/** Without zero entries. */
export function removeZeros(list: ResourceList): ResourceList {
  return new Map([...list].filter(([, v]) => !v.isZero()));
}

/** Names with negative values. */
export function negativeNames(list: ResourceList): string[] {
  return [...list].filter(([, v]) => v.sign() < 0).map(([k]) => k);
}

/** Same names with equal values. */
export function listsEqual(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || o.cmp(v) !== 0) return false;
  }
  return true;
}

/** For each name of `b`, the larger of both values (upstream's maxResourceList), into `a`. */
export function maxInto(a: ResourceList, b: ResourceList): void {
  for (const [k, v] of b) {
    const cur = a.get(k);
    if (!cur || v.cmp(cur) > 0) a.set(k, v);
  }
}

/** Adds `b` into `a` in place. */
export function addInto(a: ResourceList, b: ResourceList): void {
  for (const [k, v] of b) {
    const cur = a.get(k);
    a.set(k, cur ? cur.add(v) : v);
  }
}

/** Upstream's rendering in quota messages: `cpu=1,pods=2`, names sorted. */
export function prettyList(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => `${k}=${(list.get(k) as Quantity).toString()}`)
    .join(',');
}

/** Resource names sorted and comma-joined, as upstream prints a name list. */
export function prettyNames(names: Iterable<string>): string {
  return [...new Set(names)].sort().join(',');
}

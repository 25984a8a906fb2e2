/**
 * Helpers for the strategy tests of the non-core groups: a request context, path-based edits of
 * JSON objects, and running a strategy's create/update steps the way the store does.
 */
import { fieldErrorString } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Strategy, StrategyContext } from '../strategy.js';

export const testContext: StrategyContext = {
  user: { username: 'admin', groups: ['system:masters'] },
  namespace: 'default',
  now: () => new Date('2025-01-01T00:00:00Z'),
};

type Obj = Record<string, unknown>;

function walk(obj: Obj, path: string, create: boolean): { parent: Obj; key: string } | undefined {
  const parts = path.split('.');
  let cur: Obj = obj;
  for (const p of parts.slice(0, -1)) {
    const key = /^\d+$/.test(p) ? Number(p) : p;
    let next = (cur as Record<string | number, unknown>)[key];
    if (typeof next !== 'object' || next === null) {
      if (!create) return undefined;
      next = {};
      (cur as Record<string | number, unknown>)[key] = next;
    }
    cur = next as Obj;
  }
  return { parent: cur, key: parts[parts.length - 1] ?? '' };
}

/** Sets a dotted path (`spec.template.spec.containers.0.image`), creating objects on the way. */
export function set(obj: Obj, path: string, value: unknown): void {
  const w = walk(obj, path, true);
  if (w) w.parent[w.key] = value;
}

/** Reads a dotted path. */
export function get(obj: Obj, path: string): unknown {
  const w = walk(obj, path, false);
  return w ? w.parent[w.key] : undefined;
}

/** Deletes a dotted path. */
export function del(obj: Obj, path: string): void {
  const w = walk(obj, path, false);
  if (w) delete w.parent[w.key];
}

/** Defaults, prepares and validates a new object; returns the error strings. */
export function create(s: Strategy, obj: KubeObject): string[] {
  s.defaults?.(obj);
  s.prepareForCreate?.(obj, testContext);
  return s.validate(obj, testContext).map(fieldErrorString);
}

/** Defaults, prepares and validates an update; returns the error strings. */
export function update(s: Strategy, obj: KubeObject, old: KubeObject): string[] {
  s.defaults?.(obj);
  s.prepareForUpdate?.(obj, old, testContext);
  return (s.validateUpdate?.(obj, old, testContext) ?? []).map(fieldErrorString);
}

/** Prepares and validates a /status update; returns the error strings. */
export function updateStatus(s: Strategy, obj: KubeObject, old: KubeObject): string[] {
  if (!s.status) throw new Error('strategy has no status subresource');
  s.status.prepareForUpdate(obj, old, testContext);
  return s.status.validateUpdate(obj, old, testContext).map(fieldErrorString);
}

/** A deep copy. */
export function copy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

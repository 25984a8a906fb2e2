/**
 * JSON patch (RFC 6902, `application/json-patch+json`) with the behaviour of the library upstream's
 * API server uses (evanphx/json-patch v4), including its departures from the RFC that clients may
 * rely on:
 * - `replace` of a missing object member adds it; `copy` from a missing object member copies null.
 * - Array indexes may be negative (counted from the end); `-` appends for `add`.
 * - A member whose value is null counts as missing when a path runs through it.
 * - `test` of a missing (or null) member passes when the expected value is null or absent.
 * - A path's first segment is ignored (`a/b` addresses `/b`); an empty path is an error.
 * - A `null` patch is an empty patch.
 */
import type { ApiError } from '../errors.js';
import { MAX_JSON_PATCH_OPERATIONS, patchErrors } from './errors.js';
import type { JsonObject } from './json-value.js';
import { cloneJson, hasOwn, isObject, jsonEqual, jsonKindName, setOwn } from './json-value.js';

/** One operation as decoded: the members upstream reads, each exactly as sent. */
export interface JsonPatchOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  /** Whether the operation has a `value` member (a null value counts as present). */
  hasValue: boolean;
  value?: unknown;
}

/** Options for {@link applyJsonPatch}. */
export interface JsonPatchOptions {
  /**
   * Upper bound, in bytes of JSON, on what `copy` operations may add to the document in total.
   * Without a bound, a short patch of copies doubles the document again and again.
   */
  maxCopyBytes?: number;
}

const DEFAULT_MAX_COPY_BYTES = 8 * 1024 * 1024;

/**
 * Decodes a JSON patch body (already parsed from JSON) into operations. Throws a 400 ApiError for a
 * body that is not a list of objects, and a 413 for more than 10000 operations.
 */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    throw patchErrors.badRequest(
      `json: cannot unmarshal ${jsonKindName(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  const ops: JsonPatchOperation[] = [];
  for (const item of patch) {
    if (item === null) {
      ops.push({ hasValue: false });
      continue;
    }
    if (!isObject(item)) {
      throw patchErrors.badRequest(
        `json: cannot unmarshal ${jsonKindName(item)} into Go value of type jsonpatch.Operation`,
      );
    }
    const op: JsonPatchOperation = { hasValue: hasOwn(item, 'value') };
    if (hasOwn(item, 'op')) op.op = item.op;
    if (hasOwn(item, 'path')) op.path = item.path;
    if (hasOwn(item, 'from')) op.from = item.from;
    if (op.hasValue) op.value = item.value;
    ops.push(op);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) throw patchErrors.tooManyOperations(ops.length);
  return ops;
}

const OP_MEMBERS = new Set(['op', 'path', 'from', 'value']);

/**
 * What upstream's strict decoding (fieldValidation Strict or Warn) reports about a JSON patch body:
 * members an operation does not have, as `json patch unknown field "[0].vaule"`. Duplicate members
 * come from `findDuplicateFields` on the body text; pass their paths to have them worded alike.
 */
export function jsonPatchStrictIssues(patch: unknown, duplicatePaths: readonly string[] = []): string[] {
  const out: string[] = [];
  if (Array.isArray(patch)) {
    patch.forEach((item, i) => {
      if (!isObject(item)) return;
      for (const k of Object.keys(item)) {
        if (!OP_MEMBERS.has(k)) out.push(`json patch unknown field "[${i}].${k}"`);
      }
    });
  }
  for (const p of duplicatePaths) out.push(`json patch duplicate field "${p}"`);
  return out;
}

/**
 * Applies decoded operations to `doc`, which is modified in place and returned (the root may be
 * replaced only by operations on an array root). Values are copied out of the patch, so the same
 * operations can be applied again, e.g. when an update is retried after a conflict. Throws upstream's
 * 422 when an operation does not apply (the reason is on the error's `cause`); `doc` may then be
 * partly patched and must be discarded.
 */
export function applyJsonPatch(
  doc: unknown,
  ops: readonly JsonPatchOperation[],
  opts?: JsonPatchOptions,
): unknown {
  if (!isObject(doc) && !Array.isArray(doc)) throw patchErrors.rejected('Invalid JSON Document');
  const state: CopyBudget = { used: 0, max: opts?.maxCopyBytes ?? DEFAULT_MAX_COPY_BYTES };
  for (const op of ops) applyOne(doc, op, state);
  return doc;
}

interface CopyBudget {
  used: number;
  max: number;
}

type Container = JsonObject | unknown[];

function fail(message: string): ApiError {
  return patchErrors.rejected(message);
}

function applyOne(doc: Container, op: JsonPatchOperation, budget: CopyBudget): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  switch (kind) {
    case 'add': {
      const path = pathOf(op, 'path', kind);
      const { container, key } = locate(
        doc,
        path,
        `add operation does not apply: doc is missing path: "${path}"`,
      );
      add(container, key, valueOf(op), path, 'add');
      return;
    }
    case 'remove': {
      const path = pathOf(op, 'path', kind);
      const { container, key } = locate(
        doc,
        path,
        `remove operation does not apply: doc is missing path: "${path}"`,
      );
      remove(container, key, `error in remove for path: '${path}'`);
      return;
    }
    case 'replace': {
      const path = pathOf(op, 'path', kind);
      const { container, key } = locate(
        doc,
        path,
        `replace operation does not apply: doc is missing path: ${path}`,
      );
      if (Array.isArray(container)) {
        const i = arrayIndex(container, key, `replace operation does not apply: doc is missing key: ${path}`);
        container[i] = valueOf(op);
      } else {
        setOwn(container, key, valueOf(op));
      }
      return;
    }
    case 'move': {
      const from = pathOf(op, 'from', kind);
      const src = locate(doc, from, `move operation does not apply: doc is missing from path: ${from}`);
      const value = get(src.container, src.key, `error in move for path: '${src.key}'`);
      remove(src.container, src.key, `error in move for path: '${src.key}'`);
      const path = pathOf(op, 'path', kind);
      const dst = locate(
        doc,
        path,
        `move operation does not apply: doc is missing destination path: ${path}`,
      );
      add(dst.container, dst.key, value, path, 'move');
      return;
    }
    case 'copy': {
      const from = pathOf(op, 'from', kind);
      const src = locate(doc, from, `copy operation does not apply: doc is missing from path: ${from}`);
      const value = get(src.container, src.key, `error in copy for from: '${from}'`);
      const path = pathOf(op, 'path', kind);
      const dst = locate(
        doc,
        path,
        `copy operation does not apply: doc is missing destination path: ${path}`,
      );
      const text = JSON.stringify(value ?? null);
      budget.used += text.length;
      if (budget.max > 0 && budget.used > budget.max) {
        throw fail(
          `Unable to complete the copy, the accumulated size increase of copy is ${budget.used}, exceeding the limit ${budget.max}`,
        );
      }
      add(dst.container, dst.key, JSON.parse(text) as unknown, path, 'copy');
      return;
    }
    case 'test': {
      const path = pathOf(op, 'path', kind);
      const { container, key } = locate(doc, path, `test operation does not apply: is missing path: ${path}`);
      const actual = get(container, key, `error in test for path: '${path}'`);
      const failed = `testing value ${path} failed: test failed`;
      if (actual === undefined || actual === null) {
        if (!op.hasValue || op.value === null) return;
        throw fail(failed);
      }
      if (!op.hasValue || !jsonEqual(actual, op.value)) throw fail(failed);
      return;
    }
    default:
      throw fail(`Unexpected kind: ${kind}`);
  }
}

/** The operation's value, copied so the patch itself is never shared with the document. */
function valueOf(op: JsonPatchOperation): unknown {
  return op.hasValue ? cloneJson(op.value) : null;
}

function pathOf(op: JsonPatchOperation, member: 'path' | 'from', kind: string): string {
  const v = op[member];
  if (v === undefined || v === null) {
    throw fail(`${kind} operation failed to decode ${member}: missing value`);
  }
  if (typeof v !== 'string') {
    throw fail(
      `${kind} operation failed to decode ${member}: json: cannot unmarshal ${jsonKindName(v)} into Go value of type string`,
    );
  }
  return v;
}

/** `~1` is `/` and `~0` is `~`, decoded in that order (as upstream does). */
function decodeSegment(s: string): string {
  if (!s.includes('~')) return s;
  return s.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Finds the container that holds the last segment of `path`, and that segment. */
function locate(doc: Container, path: string, missing: string): { container: Container; key: string } {
  const segments = path.split('/');
  if (segments.length < 2) throw fail(missing);
  let cur: Container = doc;
  for (let s = 1; s < segments.length - 1; s++) {
    const seg = decodeSegment(segments[s] ?? '');
    let next: unknown;
    if (Array.isArray(cur)) {
      const i = parseIndex(seg);
      if (i === undefined) throw fail(missing);
      const idx = i < 0 ? i + cur.length : i;
      if (idx < 0 || idx >= cur.length) throw fail(missing);
      next = cur[idx];
    } else {
      next = hasOwn(cur, seg) ? cur[seg] : undefined;
    }
    if (!isObject(next) && !Array.isArray(next)) throw fail(missing);
    cur = next;
  }
  return { container: cur, key: decodeSegment(segments[segments.length - 1] ?? '') };
}

/** Go's strconv.Atoi: optional sign, decimal digits, within int64. */
function parseIndex(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** An existing index of `arr` named by `key` (negative counts from the end). */
function arrayIndex(arr: unknown[], key: string, message: string): number {
  const i = parseIndex(key);
  if (i === undefined) throw fail(`${message}: strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const idx = i < 0 ? i + arr.length : i;
  if (idx < 0 || idx >= arr.length)
    throw fail(`${message}: Unable to access invalid index: ${i}: invalid index referenced`);
  return idx;
}

function get(container: Container, key: string, message: string): unknown {
  if (Array.isArray(container)) return container[arrayIndex(container, key, message)];
  return hasOwn(container, key) ? container[key] : undefined;
}

function add(container: Container, key: string, value: unknown, path: string, opName: string): void {
  if (!Array.isArray(container)) {
    setOwn(container, key, value);
    return;
  }
  if (key === '-') {
    container.push(value);
    return;
  }
  const i = parseIndex(key);
  const prefix = `error in ${opName} for path: '${path}'`;
  if (i === undefined) {
    throw fail(
      `${prefix}: value was not a proper array index: '${key}': strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`,
    );
  }
  const size = container.length + 1;
  if (i >= size || i < -size)
    throw fail(`${prefix}: Unable to access invalid index: ${i}: invalid index referenced`);
  container.splice(i < 0 ? i + size : i, 0, value);
}

function remove(container: Container, key: string, message: string): void {
  if (Array.isArray(container)) {
    container.splice(arrayIndex(container, key, message), 1);
    return;
  }
  if (!hasOwn(container, key))
    throw fail(`${message}: Unable to remove nonexistent key: ${key}: missing value`);
  delete container[key];
}

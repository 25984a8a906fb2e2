/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the patch `kubectl apply`,
 * `edit`, `set image`, `label`, `annotate` and `patch` send. It is JSON merge patch plus list
 * semantics taken from the schema (`patchStrategy`, `patchMergeKey`) and directives in the patch:
 *
 * - `merge` lists of objects merge item by item on the merge key; `merge` lists of primitives are a
 *   union without duplicates; all other lists are replaced.
 * - `$patch: replace` (replace this map / list instead of merging), `$patch: delete` (in a map: make
 *   it empty; in a list item: delete the item with that merge key), `$patch: merge` in a map (plain
 *   merge).
 * - `$retainKeys: [...]`: drop every other field of the map.
 * - `$deleteFromPrimitiveList/<field>: [...]`: remove these values from a primitive list.
 * - `$setElementOrder/<field>: [...]`: the final relative order of the named items.
 * - A null value deletes the field. Fields the schema does not describe merge as JSON merge patch.
 *
 * The semantics follow upstream's strategicpatch package, with these deliberate differences: values
 * that the patch adds where the original has nothing are cleaned of directives (upstream copies them
 * raw, directives and nulls included); deleting from a primitive list the original lacks does
 * nothing; and errors that upstream reports as 500s (a list item without its merge key, an unknown
 * directive) are 400 BadRequest here, with upstream's message.
 */
import type { ApiError } from '../errors.js';
import type { DefinitionRegistry } from '../schema/registry.js';
import type { Resolved } from '../schema/resolve.js';
import { resolveDefinition, resolveSchema } from '../schema/resolve.js';
import type { Definition, ListSemantics, Schema } from '../schema/types.js';
import { patchErrors } from './errors.js';
import type { JsonObject } from './json-value.js';
import { getOwn, goFormat, goValueTypeName, hasOwn, isObject, jsonKindName, setOwn } from './json-value.js';
import type { ItemKey } from './strategic-order.js';
import { firstIndexes, normalizeOrder } from './strategic-order.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** What strategic merge patch needs to know about one field. */
interface Field extends Pick<ListSemantics, 'patchStrategy' | 'patchMergeKey'> {
  schema?: Schema;
}

interface Ctx {
  registry: DefinitionRegistry;
}

/**
 * Applies a strategic merge patch to `original` (an object of the kind `def` describes) and returns
 * the result. `original` is consumed: it is modified in place and may be returned. Nothing in the
 * result is shared with `patch`, which is left untouched, so the same patch can be applied again (as
 * when an update is retried after a conflict). Throws a 400 ApiError for a malformed patch and a 422
 * for a list of lists.
 */
export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  def: Definition,
  registry: DefinitionRegistry,
): JsonObject {
  const orig = isObject(original) ? original : {};
  if (patch === null) return orig;
  if (!isObject(patch)) {
    throw patchErrors.badRequest(
      `json: cannot unmarshal ${jsonKindName(patch)} into Go value of type map[string]interface {}`,
    );
  }
  return mergeObject(orig, patch, resolveDefinition(def), { registry }, false);
}

function bad(message: string): ApiError {
  return patchErrors.badRequest(message);
}

function noMergeKey(item: unknown, mergeKey: string): ApiError {
  return bad(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

function notAList(value: unknown): ApiError {
  return bad(`expected a []interface {}, but received a ${goValueTypeName(value)}`);
}

/** The field `key` of a value of shape `node`; undefined where nothing is known about it. */
function fieldOf(node: Resolved, key: string): Field | undefined {
  if (node.kind === 'object') return hasOwn(node.properties, key) ? node.properties[key] : undefined;
  if (node.kind === 'map') return { schema: node.values };
  return undefined;
}

function isMerge(field: Field | undefined): boolean {
  const s = field?.patchStrategy;
  return s === 'merge' || s === 'merge,retainKeys';
}

function itemsOf(field: Field | undefined): Schema | undefined {
  const s = field?.schema;
  return s?.kind === 'array' ? s.items : undefined;
}

/** The part of a `$directive/field` key after the slash, or undefined if it is not of that form. */
function directiveField(key: string, prefix: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) return undefined;
  return key.slice(slash + 1);
}

/** Merges `patch` into `orig` (modified in place); returns the merged map. */
function mergeObject(
  orig: JsonObject,
  patch: JsonObject,
  node: Resolved,
  ctx: Ctx,
  skipDirective: boolean,
): JsonObject {
  if (!skipDirective && hasOwn(patch, PATCH)) {
    const directive = patch[PATCH];
    if (directive === 'replace') return mergeObject({}, patch, node, ctx, true);
    if (directive === 'delete') return {};
    if (directive !== 'merge')
      throw bad(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }
  if (hasOwn(patch, RETAIN_KEYS)) applyRetainKeys(orig, patch);

  // $setElementOrder directives merge and order their lists first; those lists are then done.
  let done: Set<string> | undefined;
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const listKey = applySetElementOrder(orig, patch, key, node, ctx);
    if (listKey !== undefined) (done ??= new Set()).add(listKey);
  }

  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (key.charCodeAt(0) === 36 /* $ */) {
      if (key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER)) continue;
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deleteFromPrimitiveList(orig, key, value);
        continue;
      }
    }
    if (done?.has(key)) continue;
    mergeField(orig, key, value, fieldOf(node, key), ctx);
  }
  return orig;
}

function mergeField(orig: JsonObject, key: string, value: unknown, field: Field | undefined, ctx: Ctx): void {
  if (value === null) {
    if (hasOwn(orig, key)) delete orig[key];
    return;
  }
  const cur = getOwn(orig, key);
  if (isObject(value)) {
    if (isObject(cur) && field?.patchStrategy !== 'replace') {
      setOwn(orig, key, mergeObject(cur, value, resolveSchema(field?.schema, ctx.registry), ctx, false));
    } else {
      setOwn(orig, key, cleanValue(value, field, ctx));
    }
  } else if (Array.isArray(value)) {
    if (Array.isArray(cur) && isMerge(field)) setOwn(orig, key, mergeList(cur, value, field, ctx));
    else setOwn(orig, key, cleanValue(value, field, ctx));
  } else {
    setOwn(orig, key, value);
  }
}

/** A value from the patch placed where the original has nothing: copied, with directives applied. */
function cleanValue(value: unknown, field: Field | undefined, ctx: Ctx): unknown {
  if (isObject(value)) return mergeObject({}, value, resolveSchema(field?.schema, ctx.registry), ctx, false);
  if (Array.isArray(value)) return cleanList(value, field, ctx);
  return value;
}

function cleanList(list: readonly unknown[], field: Field | undefined, ctx: Ctx): unknown[] {
  const merge = isMerge(field);
  const items = itemsOf(field);
  let itemNode: Resolved | undefined;
  const out: unknown[] = [];
  for (const item of list) {
    if (isObject(item)) {
      if (merge && hasOwn(item, PATCH)) {
        // Deleting from, or replacing, a list that is not there: the marker item has nothing to do.
        checkListDirective(item);
        continue;
      }
      itemNode ??= resolveSchema(items, ctx.registry);
      out.push(mergeObject({}, item, itemNode, ctx, false));
    } else if (Array.isArray(item)) {
      out.push(cleanList(item, undefined, ctx));
    } else {
      out.push(item);
    }
  }
  return out;
}

/** Returns the `$patch` directive of a list item, rejecting those lists do not support. */
function checkListDirective(item: JsonObject): 'delete' | 'replace' {
  const d = item[PATCH];
  if (d === 'delete' || d === 'replace') return d;
  if (d === 'merge') throw bad('merging lists cannot yet be specified in the patch');
  throw bad(`unknown patch type: ${goFormat(d)} in map: ${goFormat(item)}`);
}

type ElementKind = 'object' | 'string' | 'number' | 'boolean' | 'null';

/** The one kind of element two lists share; rejects lists of lists and mixed lists like upstream. */
function elementKind(a: readonly unknown[], b: readonly unknown[]): ElementKind | undefined {
  let kind: ElementKind | undefined;
  for (const list of [a, b]) {
    for (const v of list) {
      if (Array.isArray(v)) throw patchErrors.rejected('lists of lists are not supported');
      const k: ElementKind = v === null ? 'null' : isObject(v) ? 'object' : (typeof v as ElementKind);
      if (kind === undefined) kind = k;
      else if (kind !== k) throw bad(`list element types are not identical: ${goFormat([a, b])}`);
    }
  }
  return kind;
}

/**
 * Upstream's `$setElementOrder` ordering consults the original list as Go's slice aliasing leaves it
 * after the merge: items the merge appended occupy the slots its deletions freed. This records that
 * view so the ordering can be reproduced.
 */
interface MergeTrace {
  serverOrder?: unknown[];
}

/** Merges two lists whose field has the `merge` strategy. */
function mergeList(
  orig: unknown[],
  patch: readonly unknown[],
  field: Field | undefined,
  ctx: Ctx,
  trace?: MergeTrace,
): unknown[] {
  if (orig.length === 0 && patch.length === 0) return orig;
  const kind = elementKind(orig, patch);
  if (kind !== 'object') return mergePrimitiveList(orig, patch);
  const mergeKey = field?.patchMergeKey;
  if (!mergeKey) throw bad('cannot merge lists without merge key for type struct');
  return mergeObjectList(orig, patch as readonly JsonObject[], mergeKey, itemsOf(field), ctx, trace);
}

const self: ItemKey = (v) => v;

function mergePrimitiveList(orig: readonly unknown[], patch: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const merged: unknown[] = [];
  for (const list of [orig, patch]) {
    for (const v of list) {
      if (!seen.has(v)) {
        seen.add(v);
        merged.push(v);
      }
    }
  }
  return normalizeOrder(merged, firstIndexes(patch, self), firstIndexes(orig, self), self);
}

function mergeObjectList(
  orig: readonly unknown[],
  patch: readonly JsonObject[],
  mergeKey: string,
  items: Schema | undefined,
  ctx: Ctx,
  trace: MergeTrace | undefined,
): unknown[] {
  const keyOf: ItemKey = (v) => (v as JsonObject)[mergeKey];
  // Directive items first: deletions shrink the original, a replace marker ends the merge.
  let list: unknown[] = orig.slice();
  let replace = false;
  const plain: JsonObject[] = [];
  for (const item of patch) {
    if (!hasOwn(item, PATCH)) {
      plain.push(item);
      continue;
    }
    if (checkListDirective(item) === 'replace') {
      replace = true;
      continue;
    }
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const gone = item[mergeKey];
    list = list.filter((o) => !(isObject(o) && hasOwn(o, mergeKey) && o[mergeKey] === gone));
  }
  const node = resolveSchema(items, ctx.registry);
  if (replace) {
    const out = plain.map((item) => mergeObject({}, item, node, ctx, false));
    for (const item of out) if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    return out;
  }

  for (const item of list) if (!isObject(item) || !hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
  const serverOrder = firstIndexes(list, keyOf);
  const at = new Map(serverOrder);
  for (const item of plain) {
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const k = item[mergeKey];
    const i = at.get(k);
    if (i !== undefined) {
      list[i] = mergeObject(list[i] as JsonObject, item, node, ctx, false);
    } else {
      at.set(k, list.length);
      list.push(mergeObject({}, item, node, ctx, false));
    }
  }
  if (trace !== undefined) trace.serverOrder = list.slice(0, orig.length);
  return normalizeOrder(list, firstIndexes(plain, keyOf), serverOrder, keyOf);
}

/** `$retainKeys`: every field of `orig` not in the list goes; every field the patch sets must be in it. */
function applyRetainKeys(orig: JsonObject, patch: JsonObject): void {
  const list = patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw bad('invalid patch format of retainKeys');
  const keep = new Set<unknown>(list);
  for (const key of Object.keys(patch)) {
    if (key === RETAIN_KEYS || key === PATCH || patch[key] === null) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw bad('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(orig)) if (!keep.has(key)) delete orig[key];
}

/** `$deleteFromPrimitiveList/<field>`: removes the listed values from the field's list. */
function deleteFromPrimitiveList(orig: JsonObject, key: string, value: unknown): void {
  const field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST);
  if (field === undefined) throw bad('invalid patch format of primitive list');
  if (value === null) {
    if (hasOwn(orig, field)) delete orig[field];
    return;
  }
  if (!Array.isArray(value)) throw notAList(value);
  const cur = getOwn(orig, field);
  if (!Array.isArray(cur)) return;
  const gone = new Set<unknown>(value);
  setOwn(
    orig,
    field,
    cur.filter((v) => !gone.has(v)),
  );
}

/**
 * `$setElementOrder/<field>`: merges the field's list (if the patch has one) and puts the named items
 * in the given order. Returns the field, which the caller must not merge again, or undefined when
 * neither side has the list.
 */
function applySetElementOrder(
  orig: JsonObject,
  patch: JsonObject,
  key: string,
  node: Resolved,
  ctx: Ctx,
): string | undefined {
  const order = patch[key];
  if (!Array.isArray(order)) throw notAList(order);
  const name = directiveField(key, SET_ELEMENT_ORDER);
  if (name === undefined) throw bad('invalid patch format of setElementOrder list');
  const hasOrig = hasOwn(orig, name);
  const hasPatch = hasOwn(patch, name);
  const cur = hasOrig ? orig[name] : undefined;
  const next = hasPatch ? patch[name] : undefined;
  if (hasOrig && !Array.isArray(cur)) throw notAList(cur);
  if (hasPatch && !Array.isArray(next)) throw notAList(next);
  const field = fieldOf(node, name);
  const mergeKey = field?.patchMergeKey ?? '';
  checkAgainstOrder((next as unknown[] | undefined) ?? [], order, mergeKey);

  let merged: unknown[];
  const trace: MergeTrace = {};
  if (Array.isArray(cur) && Array.isArray(next)) {
    merged = isMerge(field) ? mergeList(cur, next, field, ctx, trace) : cleanList(next, field, ctx);
  } else if (Array.isArray(next)) {
    merged = cleanList(next, field, ctx);
  } else if (Array.isArray(cur)) {
    merged = cur;
  } else {
    return undefined;
  }

  let keyOf: ItemKey = self;
  if (mergeKey !== '') {
    keyOf = (v) => (isObject(v) ? v[mergeKey] : undefined);
    for (const list of [merged, order]) {
      for (const item of list)
        if (!isObject(item) || !hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
  const serverOrder = firstIndexes(trace.serverOrder ?? (Array.isArray(cur) ? cur : []), keyOf);
  setOwn(orig, name, normalizeOrder(merged, firstIndexes(order, keyOf), serverOrder, keyOf));
  return name;
}

/**
 * Upstream's consistency check between a patch list and its `$setElementOrder` list: the patch's items
 * (other than directive items) must appear in the order list, in the same relative order.
 */
function checkAgainstOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    for (const item of patchList) {
      if (!isObject(item))
        throw bad(`expected a map[string]interface {}, but received a ${goValueTypeName(item)}`);
    }
    items = patchList.filter((item) => (item as JsonObject)[PATCH] !== 'delete');
  }
  const keyOf = (item: unknown): unknown => {
    if (mergeKey === '') return item;
    if (!isObject(item))
      throw bad(`expected a map[string]interface {}, but received a ${goValueTypeName(item)}`);
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    return item[mergeKey];
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && hasOwn(item, PATCH)) {
      p++;
      continue;
    }
    if (keyOf(item) === keyOf(order[o])) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw bad(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
    );
  }
}

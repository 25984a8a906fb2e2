/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge member by member, null
 * deletes a member, anything else (arrays included) replaces what was there. Answers like upstream's
 * handler: a patch that is null or a bare string, number or boolean is `400 Invalid JSON Patch`; a
 * patch that is an array replaces the whole document (which then fails to decode as an object).
 */
import { patchErrors } from './errors.js';
import type { JsonObject } from './json-value.js';
import { cloneJson, hasOwn, isObject, setOwn } from './json-value.js';

/**
 * Applies `patch` to `original`. An object `original` is modified in place and returned; nothing is
 * shared with `patch`, which is left untouched (so it can be applied again on a retry).
 */
export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return cloneJson(patch);
  if (!isObject(patch)) throw patchErrors.badRequest('Invalid JSON Patch');
  if (!isObject(original)) return mergeInto({}, patch);
  return mergeInto(original, patch);
}

/** RFC 7386's MergePatch for an object patch, writing into `target`. */
function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      if (hasOwn(target, key)) delete target[key];
      continue;
    }
    if (isObject(value)) {
      const cur = hasOwn(target, key) ? target[key] : undefined;
      setOwn(target, key, mergeInto(isObject(cur) ? cur : {}, value));
    } else {
      setOwn(target, key, cloneJson(value));
    }
  }
  return target;
}

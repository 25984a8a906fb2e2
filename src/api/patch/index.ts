/**
 * The three patch types of a PATCH request (server-side apply is elsewhere), behind one entry point
 * for the request handler: parse the body, apply it to the current object, and (for fieldValidation
 * Strict or Warn) list what upstream's strict decoding of the patch body reports.
 */
import { apiErrors } from '../errors.js';
import type { DefinitionRegistry } from '../schema/registry.js';
import type { Definition } from '../schema/types.js';
import { duplicateFieldMessage } from '../schema/structural.js';
import { findDuplicateFields } from '../schema/duplicates.js';
import { patchErrors } from './errors.js';
import type { JsonPatchOptions } from './json-patch.js';
import { applyJsonPatch, decodeJsonPatch, jsonPatchStrictIssues } from './json-patch.js';
import { isObject, jsonKindName } from './json-value.js';
import { applyMergePatch } from './merge-patch.js';
import { strategicMergePatch } from './strategic.js';

export { applyJsonPatch, decodeJsonPatch, jsonPatchStrictIssues } from './json-patch.js';
export type { JsonPatchOperation, JsonPatchOptions } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { strategicMergePatch } from './strategic.js';
export { MAX_JSON_PATCH_OPERATIONS, PATCH_REJECTED_MESSAGE, patchErrors } from './errors.js';

/** The Content-Types of the patch kinds handled here. */
export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

/** One of the Content-Types in {@link PATCH_CONTENT_TYPES}. */
export type PatchContentType = (typeof PATCH_CONTENT_TYPES)[keyof typeof PATCH_CONTENT_TYPES];

/** Whether a Content-Type (without parameters) is one of {@link PATCH_CONTENT_TYPES}. */
export function isPatchContentType(contentType: string): contentType is PatchContentType {
  return (
    contentType === PATCH_CONTENT_TYPES.json ||
    contentType === PATCH_CONTENT_TYPES.merge ||
    contentType === PATCH_CONTENT_TYPES.strategic
  );
}

/** The kind's schema, which strategic merge patch needs. */
export interface PatchSchema {
  definition: Definition;
  registry: DefinitionRegistry;
}

/**
 * Parses a patch body. Malformed JSON is a 400 (for a merge patch with upstream's `Invalid JSON
 * Patch`). The parsed value is never modified by {@link applyPatch}, so parse once per request.
 */
export function parsePatchBody(type: PatchContentType, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (type === PATCH_CONTENT_TYPES.merge) throw patchErrors.badRequest('Invalid JSON Patch');
    throw patchErrors.badRequest(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Applies a parsed patch of the given type to `original` and returns the patched object (or, for a
 * merge patch that is an array, that array: upstream then fails to decode it). `original` is
 * consumed (modified in place); pass a private copy. The patch is never modified or shared with the
 * result, so it can be applied again when the update is retried.
 */
export function applyPatch(
  type: PatchContentType,
  original: unknown,
  patch: unknown,
  schema?: PatchSchema,
  opts?: JsonPatchOptions,
): unknown {
  switch (type) {
    case PATCH_CONTENT_TYPES.json:
      return applyJsonPatch(original, decodeJsonPatch(patch), opts);
    case PATCH_CONTENT_TYPES.merge:
      return applyMergePatch(original, patch);
    case PATCH_CONTENT_TYPES.strategic:
      if (schema === undefined) throw new Error('strategic merge patch needs the kind schema');
      return strategicMergePatch(original, patch, schema.definition, schema.registry);
  }
}

/**
 * Parses and applies a PATCH request body in one step: for a handler that has the Content-Type
 * (without parameters) and the raw body. Other content types are a 415. `current` is consumed.
 */
export function applyPatchBody(
  contentType: string,
  current: unknown,
  body: Uint8Array | string,
  schema: PatchSchema,
  opts?: JsonPatchOptions,
): unknown {
  if (!isPatchContentType(contentType)) throw apiErrors.unsupportedMediaType(contentType);
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return applyPatch(contentType, current, parsePatchBody(contentType, text), schema, opts);
}

/**
 * What upstream's strict decoding of the patch body reports (fieldValidation Strict or Warn), as
 * messages to join into `strict decoding error: ...` or send as warnings: duplicate keys anywhere in
 * the body, and for JSON patch also members an operation does not have. Throws upstream's 400 for a
 * body of the wrong shape: a JSON patch that is not a list of operations with string `op`, `path`
 * and `from`; a merge or strategic patch that is not an object.
 */
export function patchStrictIssues(type: PatchContentType, text: string, parsed: unknown): string[] {
  const duplicates = findDuplicateFields(text);
  if (type === PATCH_CONTENT_TYPES.json) {
    if (parsed !== null && !Array.isArray(parsed)) {
      throw patchErrors.badRequest(
        `error decoding patch: json: cannot unmarshal ${jsonKindName(parsed)} into Go value of type []handlers.jsonPatchOp`,
      );
    }
    for (const op of parsed ?? []) {
      if (op === null) continue;
      if (!isObject(op)) {
        throw patchErrors.badRequest(
          `error decoding patch: json: cannot unmarshal ${jsonKindName(op)} into Go value of type handlers.jsonPatchOp`,
        );
      }
      for (const member of ['op', 'path', 'from'] as const) {
        const v = op[member];
        if (v !== undefined && v !== null && typeof v !== 'string') {
          throw patchErrors.badRequest(
            `error decoding patch: json: cannot unmarshal ${jsonKindName(v)} into Go struct field jsonPatchOp.${member} of type string`,
          );
        }
      }
    }
    return jsonPatchStrictIssues(parsed, duplicates);
  }
  if (parsed !== null && !isObject(parsed)) {
    const prefix = type === PATCH_CONTENT_TYPES.merge ? 'error decoding patch: ' : '';
    throw patchErrors.badRequest(
      `${prefix}json: cannot unmarshal ${jsonKindName(parsed)} into Go value of type map[string]interface {}`,
    );
  }
  return duplicates.map(duplicateFieldMessage);
}

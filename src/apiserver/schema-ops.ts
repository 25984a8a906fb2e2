/**
 * The schema-driven steps of the request path, bound to the server's definitions: structural checks
 * for fieldValidation, and applying JSON, merge and strategic merge patches.
 */
import { apiErrors } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import {
  applyPatchBody,
  patchStrictIssues,
  parsePatchBody,
  type PatchContentType,
} from '../api/patch/index.js';
import { checkForFieldValidation } from '../api/schema/field-validation.js';
import type { Definition } from '../api/schema/types.js';
import { definitions } from '../api/types/index.js';
import type { SchemaOps } from './handlers/context.js';
import type { ServedResource } from './served.js';

function definitionOf(served: ServedResource): Definition {
  const def = definitions.get(served.type.definition);
  if (!def) throw apiErrors.internal(new Error(`no schema for ${served.type.definition}`));
  return def;
}

export function schemaOps(): SchemaOps {
  return {
    check(served, obj, raw, mode) {
      const r = checkForFieldValidation(obj, definitionOf(served), definitions, raw, mode);
      return { unknownFields: r.unknownFields, typeErrors: r.typeErrors, duplicateFields: r.duplicateFields };
    },
    applyPatch(served, current, body, contentType) {
      return applyPatchBody(contentType, current, body, {
        definition: definitionOf(served),
        registry: definitions,
      }) as KubeObject;
    },
    patchIssues(contentType, body) {
      const text = body.toString('utf8');
      return patchStrictIssues(
        contentType as PatchContentType,
        text,
        parsePatchBody(contentType as PatchContentType, text),
      );
    },
  };
}

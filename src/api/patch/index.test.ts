import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { checkStructure, strictDecodingMessage, unknownFieldMessage } from '../schema/structural.js';
import { miniRegistry, podGvk } from '../schema/testing/mini-schema.js';
import type { Definition } from '../schema/types.js';
import {
  PATCH_CONTENT_TYPES,
  applyPatch,
  applyPatchBody,
  isPatchContentType,
  parsePatchBody,
  patchStrictIssues,
} from './index.js';

const registry = miniRegistry();
const schema = { definition: registry.forKind(podGvk) as Definition, registry };
const current = (): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'a', image: 'a:1' }] },
});

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('applyPatch', () => {
  it('applies each patch type to the same effect', () => {
    const want = { ...current(), metadata: { name: 'p', labels: { app: 'web', v: '2' } } };
    const bodies: [keyof typeof PATCH_CONTENT_TYPES, string][] = [
      ['json', '[{"op":"add","path":"/metadata/labels/v","value":"2"}]'],
      ['merge', '{"metadata":{"labels":{"v":"2"}}}'],
      ['strategic', '{"metadata":{"labels":{"v":"2"}}}'],
    ];
    for (const [name, text] of bodies) {
      const type = PATCH_CONTENT_TYPES[name];
      expect(applyPatch(type, current(), parsePatchBody(type, text), schema)).toEqual(want);
    }
  });

  it('recognises the patch content types', () => {
    expect(isPatchContentType('application/strategic-merge-patch+json')).toBe(true);
    expect(isPatchContentType('application/apply-patch+yaml')).toBe(false);
  });

  it('answers malformed bodies with 400', () => {
    expect(errorOf(() => parsePatchBody(PATCH_CONTENT_TYPES.merge, '{')).message).toBe('Invalid JSON Patch');
    expect(errorOf(() => parsePatchBody(PATCH_CONTENT_TYPES.strategic, '{')).code).toBe(400);
  });

  it('feeds strict field validation: patch-body issues plus unknown fields of the result', () => {
    const text = '{"spec":{"containers":[{"name":"a","imagee":"x"}]},"metadata":{"name":"p","name":"p"}}';
    const type = PATCH_CONTENT_TYPES.strategic;
    const parsed = parsePatchBody(type, text);
    const issues = patchStrictIssues(type, text, parsed);
    const patched = applyPatch(type, current(), parsed, schema);
    const report = checkStructure(patched, schema.definition, registry);
    expect(strictDecodingMessage([...issues, ...report.unknownFields.map(unknownFieldMessage)])).toBe(
      'strict decoding error: duplicate field "metadata.name", unknown field "spec.containers[0].imagee"',
    );
  });

  it('rejects non-object merge patches in strict mode with upstream wording', () => {
    const err = errorOf(() => patchStrictIssues(PATCH_CONTENT_TYPES.merge, '[1]', [1]));
    expect(err.code).toBe(400);
    expect(err.message).toBe(
      'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  });
});

describe('patchStrictIssues for JSON patch', () => {
  it('reports unknown and duplicate members, and rejects members of the wrong type', () => {
    const text = '[{"op":"add","op":"add","path":"/a","value":1,"vaule":2}]';
    expect(patchStrictIssues(PATCH_CONTENT_TYPES.json, text, JSON.parse(text))).toEqual([
      'json patch unknown field "[0].vaule"',
      'json patch duplicate field "[0].op"',
    ]);
    const bad = '[{"op":1,"path":"/a"}]';
    const err = errorOf(() => patchStrictIssues(PATCH_CONTENT_TYPES.json, bad, JSON.parse(bad)));
    expect(err.code).toBe(400);
    expect(err.message).toBe(
      'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string',
    );
  });
});

describe('applyPatchBody', () => {
  it('parses and applies a raw body, and refuses other content types with 415', () => {
    const out = applyPatchBody(
      'application/strategic-merge-patch+json',
      current(),
      Buffer.from('{"spec":{"containers":[{"name":"a","image":"a:2"}]}}'),
      schema,
    );
    expect(out).toMatchObject({ spec: { containers: [{ name: 'a', image: 'a:2' }] } });
    expect(errorOf(() => applyPatchBody('application/apply-patch+yaml', current(), '{}', schema)).code).toBe(
      415,
    );
  });
});

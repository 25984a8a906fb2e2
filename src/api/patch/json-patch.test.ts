import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { PATCH_REJECTED_MESSAGE } from './errors.js';
import { applyJsonPatch, decodeJsonPatch, jsonPatchStrictIssues } from './json-patch.js';

function apply(doc: unknown, patch: unknown, maxCopyBytes?: number): unknown {
  return applyJsonPatch(structuredClone(doc), decodeJsonPatch(structuredClone(patch)), { maxCopyBytes });
}

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

/** The error upstream answers an inapplicable JSON patch with; the reason stays on `cause`. */
function rejected(fn: () => unknown): string {
  const err = errorOf(fn);
  expect(err.code).toBe(422);
  expect(err.reason).toBe('Invalid');
  expect(err.message).toBe(PATCH_REJECTED_MESSAGE);
  expect(err.status.details).toEqual({});
  return String(err.cause);
}

const doc = { metadata: { name: 'x', labels: { a: '1' } }, spec: { list: ['a', 'b', 'c'] } };

describe('JSON patch operations', () => {
  it('adds, replaces and removes object members', () => {
    const out = apply(doc, [
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'replace', path: '/metadata/name', value: 'y' },
      { op: 'remove', path: '/metadata/labels/a' },
    ]);
    expect(out).toEqual({ metadata: { name: 'y', labels: { b: '2' } }, spec: { list: ['a', 'b', 'c'] } });
  });

  it('appends with "-", inserts at an index, and counts negative indexes from the end', () => {
    const out = apply(doc, [
      { op: 'add', path: '/spec/list/-', value: 'd' },
      { op: 'add', path: '/spec/list/0', value: 'z' },
      { op: 'remove', path: '/spec/list/-1' },
      { op: 'replace', path: '/spec/list/-1', value: 'C' },
    ]);
    expect((out as { spec: unknown }).spec).toEqual({ list: ['z', 'a', 'b', 'C'] });
  });

  it('adds at the end index but not beyond it', () => {
    expect(apply(doc, [{ op: 'add', path: '/spec/list/3', value: 'd' }])).toMatchObject({
      spec: { list: ['a', 'b', 'c', 'd'] },
    });
    expect(rejected(() => apply(doc, [{ op: 'add', path: '/spec/list/5', value: 'd' }]))).toContain(
      'Unable to access invalid index: 5',
    );
  });

  it('moves and copies values (copies are independent)', () => {
    const out = apply(doc, [
      { op: 'copy', from: '/metadata/labels', path: '/spec/labels' },
      { op: 'add', path: '/spec/labels/c', value: '3' },
      { op: 'move', from: '/metadata/name', path: '/spec/name' },
    ]);
    expect(out).toEqual({
      metadata: { labels: { a: '1' } },
      spec: { list: ['a', 'b', 'c'], labels: { a: '1', c: '3' }, name: 'x' },
    });
  });

  it('passes and fails test operations', () => {
    expect(apply(doc, [{ op: 'test', path: '/metadata/labels', value: { a: '1' } }])).toEqual(doc);
    expect(apply(doc, [{ op: 'test', path: '/metadata/missing', value: null }])).toEqual(doc);
    expect(rejected(() => apply(doc, [{ op: 'test', path: '/metadata/name', value: 'other' }]))).toBe(
      'testing value /metadata/name failed: test failed',
    );
    expect(
      rejected(() => apply(doc, [{ op: 'test', path: '/metadata/labels', value: { a: '1', b: '2' } }])),
    ).toContain('test failed');
  });

  it('decodes ~1 and ~0 in path segments', () => {
    const out = apply({ metadata: { annotations: {} } }, [
      { op: 'add', path: '/metadata/annotations/example.com~1a~0b', value: 'v' },
    ]);
    expect(out).toEqual({ metadata: { annotations: { 'example.com/a~b': 'v' } } });
  });

  it('replaces a missing object member by adding it, as upstream does', () => {
    expect(apply(doc, [{ op: 'replace', path: '/metadata/labels/new', value: 'n' }])).toMatchObject({
      metadata: { labels: { a: '1', new: 'n' } },
    });
  });

  it('treats a null patch as empty', () => {
    expect(apply(doc, null)).toEqual(doc);
  });
});

describe('JSON patch failures', () => {
  it('rejects a path through a missing member with 422', () => {
    expect(rejected(() => apply(doc, [{ op: 'add', path: '/spec/missing/x', value: 1 }]))).toBe(
      'add operation does not apply: doc is missing path: "/spec/missing/x"',
    );
  });

  it('rejects removing a missing member or index', () => {
    expect(rejected(() => apply(doc, [{ op: 'remove', path: '/metadata/nope' }]))).toContain(
      'Unable to remove nonexistent key: nope',
    );
    expect(rejected(() => apply(doc, [{ op: 'remove', path: '/spec/list/3' }]))).toContain('invalid index');
    expect(rejected(() => apply(doc, [{ op: 'replace', path: '/spec/list/9', value: 1 }]))).toContain(
      'replace operation does not apply',
    );
  });

  it('rejects unknown operations and missing paths', () => {
    expect(rejected(() => apply(doc, [{ op: 'frobnicate', path: '/a' }]))).toBe(
      'Unexpected kind: frobnicate',
    );
    expect(rejected(() => apply(doc, [{ path: '/a' }]))).toBe('Unexpected kind: unknown');
    expect(rejected(() => apply(doc, [{ op: 'add', value: 1 }]))).toContain('failed to decode path');
    expect(rejected(() => apply(doc, [{ op: 'add', path: '', value: 1 }]))).toContain('doc is missing path');
  });

  it('bounds what copies may add', () => {
    const big = { a: { text: 'x'.repeat(1000) } };
    const patch = Array.from({ length: 20 }, (_, i) => ({ op: 'copy', from: '/a', path: `/c${i}` }));
    expect(rejected(() => apply(big, patch, 10_000))).toContain('Unable to complete the copy');
  });

  it('rejects bodies that are not lists of operations with 400', () => {
    const notList = errorOf(() => decodeJsonPatch({ op: 'add' }));
    expect(notList.code).toBe(400);
    expect(notList.message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    expect(errorOf(() => decodeJsonPatch(['add'])).message).toBe(
      'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
    );
  });

  it('answers more than 10000 operations with 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 }));
    const err = errorOf(() => decodeJsonPatch(ops));
    expect(err.code).toBe(413);
    expect(err.message).toBe(
      'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });
});

describe('JSON patch inputs', () => {
  it('never shares values with the patch', () => {
    const ops = decodeJsonPatch([{ op: 'add', path: '/spec/obj', value: { k: 'v' } }]);
    const first = applyJsonPatch(structuredClone(doc), ops) as { spec: { obj: { k: string } } };
    first.spec.obj.k = 'changed';
    const second = applyJsonPatch(structuredClone(doc), ops) as { spec: { obj: { k: string } } };
    expect(second.spec.obj.k).toBe('v');
  });

  it('lists what strict decoding reports about a patch body', () => {
    expect(
      jsonPatchStrictIssues(
        [
          { op: 'add', path: '/a', vaule: 1 },
          { op: 'remove', path: '/b' },
        ],
        ['[1].op'],
      ),
    ).toEqual(['json patch unknown field "[0].vaule"', 'json patch duplicate field "[1].op"']);
  });
});

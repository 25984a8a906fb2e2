import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { applyMergePatch } from './merge-patch.js';

function merge(target: unknown, patch: unknown): unknown {
  const frozen = structuredClone(patch);
  const out = applyMergePatch(structuredClone(target), frozen);
  expect(frozen).toEqual(patch);
  return out;
}

describe('JSON merge patch', () => {
  // The examples of RFC 7386, appendix A (those with an object patch).
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('merges %j with %j', (target, patch, want) => {
    expect(merge(target, patch)).toEqual(want);
  });

  it('replaces a non-object document', () => {
    expect(merge(['c'], { a: 'b', n: null })).toEqual({ a: 'b' });
  });

  it('turns an array patch into the whole document (which then fails to decode)', () => {
    expect(merge({ a: 1 }, [1, null])).toEqual([1, null]);
  });

  it.each([null, 'text', 5, true])('answers the patch %j with 400 Invalid JSON Patch', (patch) => {
    let err: unknown;
    try {
      applyMergePatch({ a: 1 }, patch);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).message).toBe('Invalid JSON Patch');
  });

  it('never shares values with the patch', () => {
    const patch = { spec: { list: [{ k: 'v' }] } };
    const out = applyMergePatch({}, patch) as { spec: { list: { k: string }[] } };
    out.spec.list[0]!.k = 'changed';
    expect(patch.spec.list[0]!.k).toBe('v');
  });
});

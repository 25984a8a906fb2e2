import { describe, expect, it } from 'vitest';
import { findDuplicateFields } from './duplicates.js';

describe('findDuplicateFields', () => {
  it('finds nothing in ordinary JSON', () => {
    expect(findDuplicateFields('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}')).toEqual([]);
  });

  it('names duplicates by path, with indexes', () => {
    const text =
      '{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x"},{"image":"i","image":"j"}]}}';
    expect(findDuplicateFields(text)).toEqual(['metadata.name', 'spec.containers[1].image']);
  });

  it('handles root arrays, as JSON patch bodies are', () => {
    expect(findDuplicateFields('[{"op":"add","op":"remove"}]')).toEqual(['[0].op']);
  });

  it('reads keys through escapes and ignores braces and quotes inside strings', () => {
    expect(findDuplicateFields('{"a":"}\\"{","\\u0061":1}')).toEqual(['a']);
    expect(findDuplicateFields('{"k":"\\\\","k2":"x"}')).toEqual([]);
  });

  it('reports each repeat, in large objects too', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(findDuplicateFields(`{${keys},"k3":0,"k30":0,"k3":1}`)).toEqual(['k3', 'k30', 'k3']);
  });

  it('survives very deep nesting', () => {
    const depth = 100_000;
    const text = '{"a":'.repeat(depth) + '{"x":1,"x":2}' + '}'.repeat(depth);
    const found = findDuplicateFields(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.endsWith('a.a.x')).toBe(true);
  });
});

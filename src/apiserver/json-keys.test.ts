import { describe, expect, it } from 'vitest';
import { findDuplicateFields } from '../api/schema/duplicates.js';
import { mayHaveDuplicateKeys } from './json-keys.js';

const check = (text: string): boolean => mayHaveDuplicateKeys(text, JSON.parse(text) as unknown);

describe('mayHaveDuplicateKeys', () => {
  it('clears ordinary bodies, compact or pretty-printed', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', labels: { app: 'web' }, annotations: {} },
      data: { url: 'https://example.com:8443/x', time: '12:00', q: 'say "hi"' },
      list: [{ a: 1 }, [{ b: [] }], null, 'x:y'],
    };
    expect(check(JSON.stringify(obj))).toBe(false);
    expect(check(JSON.stringify(obj, null, 2))).toBe(false);
    expect(check('{ "a" :\n\t1 , "b"\r\n: {"c" : [ ] } }')).toBe(false);
    expect(check('[]')).toBe(false);
    expect(check('"just a string: yes"')).toBe(false);
  });

  it('flags every body with a duplicate key', () => {
    for (const text of [
      '{"a":1,"a":2}',
      '{"a" : 1, "a" : 2}',
      '{"spec":{"replicas":1,"replicas":2}}',
      '[{"x":1},{"y":{"z":1,"z":2}}]',
      '{"metadata":{"name":"a"},"metadata":{"name":"b"}}',
    ]) {
      expect(findDuplicateFields(text)).not.toEqual([]);
      expect(check(text)).toBe(true);
    }
  });

  it('may flag a body without duplicates when a string holds an escaped quote before a colon', () => {
    const text = JSON.stringify({ note: 'a": b' });
    expect(findDuplicateFields(text)).toEqual([]);
    expect(check(text)).toBe(true);
  });

  it('walks deeply nested bodies without recursion', () => {
    const depth = 100_000;
    const text = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(check(text)).toBe(false);
    expect(check(`${'['.repeat(depth)}{"a":1,"a":2}${']'.repeat(depth)}`)).toBe(true);
  });
});

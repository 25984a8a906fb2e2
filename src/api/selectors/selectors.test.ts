import { describe, expect, it } from 'vitest';
import { fromLabelSelectorObject, parseLabelSelector, SelectorParseError } from './labels.js';
import { parseFieldSelector } from './fields.js';

describe('label selectors', () => {
  it('parses and matches every operator', () => {
    const s = parseLabelSelector('app=web, tier!=db,env in (prod, staging),!canary,track,x notin (a)');
    expect(s.matches({ app: 'web', env: 'prod', track: '1' })).toBe(true);
    expect(s.matches({ app: 'web', env: 'prod', track: '1', canary: 'y' })).toBe(false);
    expect(s.matches({ app: 'web', env: 'dev', track: '1' })).toBe(false);
    expect(s.matches({ app: 'web', env: 'prod', track: '1', tier: 'db' })).toBe(false);
    expect(s.matches({ app: 'web', env: 'prod', track: '1', x: 'a' })).toBe(false);
    expect(s.toString()).toBe('app=web,tier!=db,env in (prod,staging),!canary,track,x notin (a)');
  });
  it('accepts == and empty values', () => {
    expect(parseLabelSelector('a==b').matches({ a: 'b' })).toBe(true);
    expect(parseLabelSelector('a=').matches({ a: '' })).toBe(true);
    expect(parseLabelSelector('').isEmpty()).toBe(true);
  });
  it('supports gt and lt', () => {
    expect(parseLabelSelector('n>3').matches({ n: '4' })).toBe(true);
    expect(parseLabelSelector('n<3').matches({ n: '4' })).toBe(false);
  });
  it('rejects malformed selectors with a message', () => {
    expect(() => parseLabelSelector('a b')).toThrow(SelectorParseError);
    expect(() => parseLabelSelector('a in (b')).toThrow(SelectorParseError);
    expect(() => parseLabelSelector('a=b c')).toThrow(/found 'c', expected: ',' or 'end of string'/);
    expect(() => parseLabelSelector('-bad=x')).toThrow(/name part must consist of alphanumeric/);
  });
  it('compiles metav1 selectors; null selects nothing and {} everything', () => {
    expect(fromLabelSelectorObject(null).matches({})).toBe(false);
    expect(fromLabelSelectorObject({}).matches({ a: 'b' })).toBe(true);
    const s = fromLabelSelectorObject({
      matchLabels: { a: 'b' },
      matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }],
    });
    expect(s.matches({ a: 'b' })).toBe(true);
    expect(s.matches({ a: 'b', c: 'd' })).toBe(false);
  });
});

describe('field selectors', () => {
  it('parses =, == and != with escapes', () => {
    const s = parseFieldSelector('metadata.name=web,status.phase!=Running,spec.nodeName==n\\,1');
    expect(s.matches({ 'metadata.name': 'web', 'status.phase': 'Pending', 'spec.nodeName': 'n,1' })).toBe(
      true,
    );
    expect(s.matches({ 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': 'n,1' })).toBe(
      false,
    );
    expect(s.requiresExactMatch('metadata.name')).toBe('web');
  });
  it('rejects terms without an operator', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(/invalid selector/);
  });
});

import { describe, it, expect } from 'vitest';
import { intern, internStrings, MAX_INTERNED_LENGTH } from './intern.js';

/** A string with the same value as `s` but built at run time (a distinct instance). */
function copy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

describe('internStrings', () => {
  it('leaves the object equal in value, key order included', () => {
    const text =
      '{"metadata":{"name":"web-1","uid":"u-1","labels":{"app":"web","tier":"frontend-tier"}},' +
      '"spec":{"containers":[{"name":"app","image":"registry.example.com/web:1.0","args":["a","--flag=value"]}],' +
      '"priority":0,"enableServiceLinks":true,"nodeSelector":null},"status":{"phase":"Running"}}';
    const obj = JSON.parse(text) as object;
    expect(JSON.stringify(internStrings(obj))).toBe(text);
  });

  it('makes equal short strings of two objects one instance', () => {
    const a = {
      spec: {
        image: copy('registry.example.com/web:1.0'),
        tolerations: [copy('node.kubernetes.io/not-ready')],
      },
    };
    const b = {
      spec: {
        image: copy('registry.example.com/web:1.0'),
        tolerations: [copy('node.kubernetes.io/not-ready')],
      },
    };
    internStrings(a);
    internStrings(b);
    // Same value either way; interning is observable only as the instance handed out by intern().
    expect(intern(copy('registry.example.com/web:1.0'))).toBe(a.spec.image);
    expect(b.spec.tolerations[0]).toBe('node.kubernetes.io/not-ready');
  });

  it('leaves long strings and frozen parts alone without failing', () => {
    const long = 'x'.repeat(MAX_INTERNED_LENGTH + 1);
    const frozen = Object.freeze({ key: copy('node.kubernetes.io/unreachable') });
    const obj = { a: long, spec: { tolerations: [frozen] }, b: copy('after-frozen-value') };
    expect(() => internStrings(obj)).not.toThrow();
    expect(obj.a).toBe(long);
    expect(frozen.key).toBe('node.kubernetes.io/unreachable');
  });
});

import { describe, expect, it } from 'vitest';
import { expandVars } from './expand.js';

describe('expandVars', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  const lookup = (n: string): string | undefined => vars[n];
  it('replaces defined references and keeps undefined ones', () => {
    expect(expandVars('$(A)-$(B)-$(C)', lookup)).toBe('x-y-$(C)');
  });
  it('treats $$ as an escaped dollar', () => {
    expect(expandVars('$$(A) costs $$5', lookup)).toBe('$(A) costs $5');
  });
  it('leaves an unterminated reference and a lone dollar alone', () => {
    expect(expandVars('a $(A b $', lookup)).toBe('a $(A b $');
    expect(expandVars('$x', lookup)).toBe('$x');
  });
});

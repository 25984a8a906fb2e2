import { describe, expect, it } from 'vitest';
import { canonicalIP, dashedIP, ipOfDashed, ipOfReverseName, reverseName } from './names.js';

describe('DNS name helpers', () => {
  it('formats IPv6 canonically (RFC 5952)', () => {
    expect(canonicalIP('FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(canonicalIP('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIP('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIP('::')).toBe('::');
    expect(canonicalIP('10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalIP('nope')).toBeUndefined();
  });

  it('turns addresses into reverse names and back', () => {
    expect(reverseName('10.43.0.1')).toBe('1.0.43.10.in-addr.arpa');
    const v6 = reverseName('fd00::1');
    expect(v6).toBe(`1.${'0.'.repeat(27)}0.0.d.f.ip6.arpa`);
    expect(ipOfReverseName(v6 ?? '')).toBe('fd00::1');
    expect(ipOfReverseName('1.0.43.10.in-addr.arpa')).toBe('10.43.0.1');
    expect(ipOfReverseName('0.43.10.in-addr.arpa')).toBeUndefined();
    expect(ipOfReverseName('256.0.43.10.in-addr.arpa')).toBeUndefined();
    expect(ipOfReverseName('01.0.43.10.in-addr.arpa')).toBeUndefined();
  });

  it('reads and writes dashed labels', () => {
    expect(dashedIP('10.42.0.5')).toBe('10-42-0-5');
    expect(dashedIP('fd00::5')).toBe('fd00--5');
    expect(ipOfDashed('10-42-0-5')).toBe('10.42.0.5');
    expect(ipOfDashed('fd00--5')).toBe('fd00::5');
    expect(ipOfDashed('web-0')).toBeUndefined();
    expect(ipOfDashed('1-2-3')).toBeUndefined();
  });
});

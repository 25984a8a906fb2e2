import { describe, it, expect } from 'vitest';
import { cidrFamilyOf, ipFamilyOf, isConfigMapKey, isDualStack, nonSpecialIP } from './common.js';
import { fieldErrorString } from '../../errors.js';

describe('IP parsing', () => {
  it('accepts what ParseIPSloppy accepts', () => {
    expect(ipFamilyOf('10.0.0.1')).toBe(4);
    expect(ipFamilyOf('010.000.000.001')).toBe(4);
    expect(ipFamilyOf('2001:db8::1')).toBe(6);
    expect(ipFamilyOf('::ffff:10.0.0.1')).toBe(6);
    expect(ipFamilyOf('::')).toBe(6);
    expect(ipFamilyOf('1:2:3:4:5:6:7:8')).toBe(6);
  });
  it('rejects malformed addresses', () => {
    for (const bad of ['10.0.0', '10.0.0.256', 'fe80::1%eth0', '1::2::3', '1:2:3:4:5:6:7:8:9', 'host', ''])
      expect(ipFamilyOf(bad), bad).toBeUndefined();
  });
  it('parses CIDRs and dual-stack pairs', () => {
    expect(cidrFamilyOf('10.0.0.0/8')).toBe(4);
    expect(cidrFamilyOf('2001:db8::/64')).toBe(6);
    expect(cidrFamilyOf('10.0.0.0/33')).toBeUndefined();
    expect(isDualStack(['10.0.0.1', '2001:db8::1'])).toBe(true);
    expect(isDualStack(['10.0.0.1', '10.0.0.2'])).toBe(false);
  });
  it('refuses special addresses', () => {
    expect(nonSpecialIP('0.0.0.0', 'ip').map(fieldErrorString)).toEqual([
      'ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ]);
    expect(nonSpecialIP('fe80::1', 'ip').map(fieldErrorString)).toEqual([
      'ip: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ]);
    expect(nonSpecialIP('224.0.0.5', 'ip').map(fieldErrorString)).toEqual([
      'ip: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ]);
    expect(nonSpecialIP('10.1.2.3', 'ip')).toEqual([]);
  });
});

describe('config keys', () => {
  it('follows IsConfigMapKey', () => {
    expect(isConfigMapKey('a.b-c_D')).toEqual([]);
    expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
    expect(isConfigMapKey('x'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalIp, firstIpOfCidr, ipFamily } from './ip.js';

describe('ip helpers', () => {
  it('finds the first IP of service CIDRs', () => {
    expect(firstIpOfCidr('10.43.0.0/16')).toBe('10.43.0.1');
    expect(firstIpOfCidr('10.96.0.0/12')).toBe('10.96.0.1');
    expect(firstIpOfCidr('10.43.7.9/16')).toBe('10.43.0.1');
    expect(firstIpOfCidr('fd00:43::/112')).toBe('fd00:43::1');
    expect(() => firstIpOfCidr('10.43.0.0')).toThrow(/invalid CIDR/);
    expect(() => firstIpOfCidr('nope/8')).toThrow(/invalid CIDR/);
  });

  it('canonicalises addresses', () => {
    expect(canonicalIp('FD00:0:0:0::1')).toBe('fd00::1');
    expect(canonicalIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('192.168.1.10')).toBe('192.168.1.10');
    expect(ipFamily('example.com')).toBe(0);
  });
});

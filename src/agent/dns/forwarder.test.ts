import { describe, expect, it } from 'vitest';
import {
  Forwarder,
  ForwardError,
  parseUpstream,
  upstreamsFromResolvConf,
  upstreamText,
} from './forwarder.js';

describe('DNS upstreams', () => {
  it('parses addresses with and without ports', () => {
    expect(parseUpstream('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 53 });
    expect(parseUpstream('192.0.2.1:5353')).toEqual({ host: '192.0.2.1', port: 5353 });
    expect(parseUpstream('fd00::1')).toEqual({ host: 'fd00::1', port: 53 });
    expect(parseUpstream('[fd00::1]:5353')).toEqual({ host: 'fd00::1', port: 5353 });
    expect(parseUpstream('dns://192.0.2.1:53')).toEqual({ host: '192.0.2.1', port: 53 });
    expect(() => parseUpstream('dns.example.com')).toThrow(/invalid DNS upstream "dns.example.com"/);
    expect(() => parseUpstream('192.0.2.1:99999')).toThrow(/invalid DNS upstream/);
    expect(upstreamText({ host: 'fd00::1', port: 53 })).toBe('[fd00::1]:53');
  });

  it('reads the nameservers of a resolv.conf', () => {
    const text = [
      '# generated',
      'search example.test',
      'nameserver 192.0.2.53',
      'nameserver fe80::1%eth0',
      'nameserver not-an-address',
      '  nameserver 198.51.100.53  ',
      'options ndots:2',
    ].join('\n');
    expect(upstreamsFromResolvConf(text)).toEqual([
      { host: '192.0.2.53', port: 53 },
      { host: 'fe80::1', port: 53 },
      { host: '198.51.100.53', port: 53 },
    ]);
  });

  it('fails at once without upstreams', async () => {
    const f = new Forwarder({ upstreams: [] });
    expect(f.enabled).toBe(false);
    await expect(f.forward(Buffer.alloc(20))).rejects.toBeInstanceOf(ForwardError);
  });
});

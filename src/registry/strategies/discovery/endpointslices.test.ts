import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { copy, create, get, set, update } from '../test-support.js';
import { endpointSliceStrategy as s } from './endpointslices.js';

function slice(...edits: [string, unknown][]): KubeObject {
  const o: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'n1' }],
    ports: [{ port: 80 }],
  };
  for (const [path, value] of edits) set(o, path, value);
  return o;
}

describe('EndpointSlice', () => {
  it('defaults ports and validates', () => {
    const o = slice();
    expect(create(s, o)).toEqual([]);
    expect(get(o, 'ports')).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
    expect(o.metadata?.generation).toBe(1);
  });
  it('checks addresses by type', () => {
    expect(create(s, slice(['endpoints.0.addresses', ['10.0.0.300', 'fd00::1']]))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'endpoints[0].addresses[1]: Invalid value: "fd00::1": must be an IPv4 address',
    ]);
    expect(
      create(s, slice(['addressType', 'IPv6'], ['endpoints.0.addresses', ['10.0.0.1', 'fd00::1']])),
    ).toEqual(['endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be an IPv6 address']);
    expect(
      create(s, slice(['addressType', 'FQDN'], ['endpoints.0.addresses', ['db.example.com', 'localhost']])),
    ).toEqual([
      'endpoints[0].addresses[1]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
    ]);
    expect(create(s, slice(['endpoints.0.addresses', []]))).toEqual([
      'endpoints[0].addresses: Required value: must contain at least 1 address',
    ]);
  });
  it('checks the address type, ports and hints', () => {
    const o = slice(
      ['addressType', 'IPv5'],
      [
        'ports',
        [
          { name: 'http', port: 80 },
          { name: 'http', port: 81, protocol: 'ICMP' },
        ],
      ],
      ['endpoints.0.hints', { forZones: [{ name: 'a' }, { name: 'a' }] }],
    );
    expect(create(s, o)).toEqual([
      'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
      'endpoints[0].hints.forZones[1].name: Duplicate value: "a"',
      'ports[1].name: Duplicate value: "http"',
      'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });
  it('keeps the address type immutable and bumps generation on change', () => {
    const old = slice();
    create(s, old);
    const o = copy(old);
    set(o, 'endpoints.0.addresses', ['10.0.0.2']);
    expect(update(s, o, old)).toEqual([]);
    expect(o.metadata?.generation).toBe(2);
    const same = copy(old);
    set(same, 'metadata.annotations', { a: 'b' });
    update(s, same, old);
    expect(same.metadata?.generation).toBe(1);
    const changed = copy(old);
    set(changed, 'addressType', 'IPv6');
    set(changed, 'endpoints', []);
    expect(update(s, changed, old)).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
  });
});

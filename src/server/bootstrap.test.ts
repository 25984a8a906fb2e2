import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta.js';
import type { ServedResources } from '../apiserver/served.js';
import { openSqliteServed, type SqliteServed } from '../apiserver/testing/sqlite-served.js';
import { objectKey } from '../registry/keys.js';
import { waitFor } from '../storage/testing/wait.js';
import { logger } from '../util/log.js';
import { bootstrapObjects } from './bootstrap.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';
const clock = { now: () => new Date('2026-11-29T08:00:00Z') };

describe('bootstrapObjects', () => {
  let fixture: SqliteServed;
  let served: ServedResources;

  beforeEach(async () => {
    fixture = await openSqliteServed('bootstrap', { clock, log });
    served = fixture.served;
  });

  afterEach(() => fixture.close());

  const cached = (group: string, plural: string, ns: string, name: string): KubeObject | undefined => {
    const cache = served.cache(group, plural);
    return cache?.get(objectKey(cache.prefix, ns, name))?.object;
  };

  it('creates the kubernetes Endpoints and EndpointSlice and the kube-dns Service, and keeps the address current', async () => {
    const api = { serviceIP: '10.43.0.1', address: '192.168.1.5', port: 6443 };
    const created = await bootstrapObjects(served, clock, api);
    expect(created).toEqual(
      expect.arrayContaining([
        'service/kubernetes',
        'service/kube-dns',
        'endpoints/kubernetes',
        'endpointslice/kubernetes',
      ]),
    );
    await waitFor(
      () => cached('discovery.k8s.io', 'endpointslices', 'default', 'kubernetes') !== undefined,
      () => 'the kubernetes EndpointSlice',
    );
    const slice = cached('discovery.k8s.io', 'endpointslices', 'default', 'kubernetes');
    expect(slice?.['addressType']).toBe('IPv4');
    expect(slice?.['endpoints']).toEqual([{ addresses: ['192.168.1.5'], conditions: { ready: true } }]);
    expect(slice?.['ports']).toEqual([{ name: 'https', port: 6443, protocol: 'TCP' }]);
    expect(slice?.metadata?.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    await waitFor(
      () => cached('', 'services', 'kube-system', 'kube-dns') !== undefined,
      () => 'the kube-dns Service',
    );
    const dns = cached('', 'services', 'kube-system', 'kube-dns') as
      | { spec: { clusterIP: string; ports: unknown[]; internalTrafficPolicy: string; selector?: unknown } }
      | undefined;
    expect(dns?.spec.clusterIP).toBe('10.43.0.10');
    expect(dns?.spec.internalTrafficPolicy).toBe('Local');
    expect(dns?.spec.selector).toBeUndefined();
    expect(dns?.spec.ports).toEqual([
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 10053 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 10053 },
    ]);

    // Nothing to do on a restart with the same address.
    expect(await bootstrapObjects(served, clock, api)).toEqual([]);

    // A new address (the machine's IP changed): both follow.
    const moved = await bootstrapObjects(served, clock, { ...api, address: '192.168.1.6' });
    expect(moved).toEqual(['endpoints/kubernetes (updated)', 'endpointslice/kubernetes (updated)']);
    await waitFor(
      () =>
        JSON.stringify(
          cached('discovery.k8s.io', 'endpointslices', 'default', 'kubernetes')?.['endpoints'],
        ) === JSON.stringify([{ addresses: ['192.168.1.6'], conditions: { ready: true } }]),
      () => 'the new address in the slice',
    );
    const ep = cached('', 'endpoints', 'default', 'kubernetes') as
      { subsets: { addresses: { ip: string }[] }[] } | undefined;
    expect(ep?.subsets[0]?.addresses).toEqual([{ ip: '192.168.1.6' }]);
  });
});

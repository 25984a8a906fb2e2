import { describe, expect, it } from 'vitest';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { EndpointSliceMirroringController } from './mirroring.js';
import type { SliceObject } from './reconcile.js';
import { eventually, sleep } from '../framework/testing/harness.js';
import { service, serviceBench } from './testing/harness.js';

const start = serviceBench(() => new EndpointSliceMirroringController());

function mirrored(fake: FakeClient, name: string): SliceObject[] {
  return (fake.stored(ENDPOINTSLICES) as SliceObject[]).filter(
    (s) =>
      s.metadata.labels?.['kubernetes.io/service-name'] === name &&
      s.metadata.labels['endpointslice.kubernetes.io/managed-by'] ===
        'endpointslicemirroring-controller.k8s.io',
  );
}

function endpoints(name: string, ips: string[], extra: Record<string, unknown> = {}, ns = 'ns') {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, uid: `ep-${name}`, labels: { team: 'a' }, ...extra },
    subsets: [
      {
        addresses: ips.map((ip) => ({ ip })),
        notReadyAddresses: [{ ip: '192.0.2.99' }],
        ports: [{ name: 'db', port: 5432, protocol: 'TCP' }],
      },
    ],
  };
}

describe('endpointslice mirroring controller', () => {
  it('mirrors the Endpoints of a selectorless Service, and follows them', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('db', { selector: null }));
    fake.put(ENDPOINTS, endpoints('db', ['192.0.2.1', '192.0.2.2']));
    start(fake);
    const [slice] = await eventually(
      'mirrored',
      () => mirrored(fake, 'db'),
      (s) => s.length === 1,
    );
    expect(slice?.metadata.labels).toEqual({
      team: 'a',
      'kubernetes.io/service-name': 'db',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    });
    expect(slice?.metadata.ownerReferences).toMatchObject([{ kind: 'Endpoints', name: 'db', uid: 'ep-db' }]);
    expect(slice?.addressType).toBe('IPv4');
    expect(slice?.ports).toEqual([{ name: 'db', port: 5432, protocol: 'TCP' }]);
    expect(slice?.endpoints).toEqual([
      { addresses: ['192.0.2.1'], conditions: { ready: true } },
      { addresses: ['192.0.2.2'], conditions: { ready: true } },
      { addresses: ['192.0.2.99'], conditions: { ready: false } },
    ]);

    fake.put(ENDPOINTS, endpoints('db', ['192.0.2.1']));
    await eventually(
      'one ready',
      () => mirrored(fake, 'db')[0]?.endpoints.length,
      (n) => n === 2,
    );
    expect(mirrored(fake, 'db')).toHaveLength(1);

    fake.remove(ENDPOINTS, 'ns/db');
    await eventually(
      'removed',
      () => mirrored(fake, 'db'),
      (s) => s.length === 0,
    );
  });

  it('does not mirror skip-mirror Endpoints, those of Services with a selector, or without a Service', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('kubernetes', { selector: null }, 'default'));
    fake.put(
      ENDPOINTS,
      endpoints(
        'kubernetes',
        ['192.0.2.1'],
        { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
        'default',
      ),
    );
    fake.put(SERVICES, service('web'));
    fake.put(ENDPOINTS, endpoints('web', ['192.0.2.3']));
    fake.put(ENDPOINTS, endpoints('lonely', ['192.0.2.4']));
    fake.put(SERVICES, service('marker', { selector: null }));
    fake.put(ENDPOINTS, endpoints('marker', ['192.0.2.5']));
    start(fake);
    await eventually(
      'marker',
      () => mirrored(fake, 'marker'),
      (s) => s.length === 1,
    );
    await sleep(150);
    expect(mirrored(fake, 'kubernetes')).toEqual([]);
    expect(mirrored(fake, 'web')).toEqual([]);
    expect(mirrored(fake, 'lonely')).toEqual([]);

    // A selector added later: the mirrored slices go.
    fake.put(SERVICES, service('marker', { selector: { app: 'marker' } }));
    await eventually(
      'marker unmirrored',
      () => mirrored(fake, 'marker'),
      (s) => s.length === 0,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ENDPOINTSLICES, NODES, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import type { SliceObject } from '../endpointslice/reconcile.js';
import { eventually, sleep } from '../framework/testing/harness.js';
import { node, serviceBench } from '../endpointslice/testing/harness.js';
import { kubeDnsService } from '../../server/bootstrap.js';
import { DnsEndpointsController } from './controller.js';
import { dnsServiceIP } from './dns.js';

const start = serviceBench(() => new DnsEndpointsController());

function dnsSlice(fake: FakeClient): SliceObject | undefined {
  return (fake.stored(ENDPOINTSLICES) as SliceObject[]).find((s) => s.metadata.name === 'kube-dns-nodes');
}

function withDns(): FakeClient {
  const fake = new FakeClient();
  const svc = kubeDnsService('10.43.0.10');
  fake.put(SERVICES, { ...svc, metadata: { ...svc.metadata, uid: 'dns-uid' } });
  return fake;
}

describe('dns-endpoints controller', () => {
  it('lists the Ready nodes at the DNS port, and follows nodes coming and going', async () => {
    const fake = withDns();
    fake.put(NODES, node('b', { ip: '192.168.0.2', zone: 'z1' }));
    fake.put(NODES, node('a', { ip: '192.168.0.1' }));
    fake.put(NODES, node('down', { ip: '192.168.0.3', ready: false }));
    start(fake);
    const slice = await eventually(
      'slice',
      () => dnsSlice(fake),
      (s) => s?.endpoints.length === 2,
    );
    expect(slice?.metadata.labels).toEqual({
      'k8s-app': 'kube-dns',
      'kubernetes.io/service-name': 'kube-dns',
      'endpointslice.kubernetes.io/managed-by': 'dns-endpoints.k8ts.io',
    });
    expect(slice?.metadata.namespace).toBe('kube-system');
    expect(slice?.metadata.ownerReferences).toMatchObject([
      { kind: 'Service', name: 'kube-dns', uid: 'dns-uid' },
    ]);
    expect(slice?.addressType).toBe('IPv4');
    expect(slice?.ports).toEqual([
      { name: 'dns', port: 10053, protocol: 'UDP' },
      { name: 'dns-tcp', port: 10053, protocol: 'TCP' },
    ]);
    expect(slice?.endpoints).toEqual([
      {
        addresses: ['192.168.0.1'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'a',
      },
      {
        addresses: ['192.168.0.2'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'b',
        zone: 'z1',
      },
    ]);

    fake.put(NODES, node('down', { ip: '192.168.0.3' }));
    await eventually(
      'down is up',
      () => dnsSlice(fake)?.endpoints.map((e) => e.nodeName),
      (n) => n?.length === 3,
    );
    fake.put(NODES, node('a', { ip: '192.168.0.1', ready: false }));
    fake.remove(NODES, 'b');
    await eventually(
      'only down',
      () => dnsSlice(fake)?.endpoints.map((e) => e.nodeName),
      (n) => n?.join() === 'down',
    );
  });

  it('writes nothing while the nodes only heartbeat', async () => {
    const fake = withDns();
    fake.put(NODES, node('a'));
    start(fake);
    await eventually(
      'slice',
      () => dnsSlice(fake),
      (s) => s?.endpoints.length === 1,
    );
    await sleep(150);
    const writes = (): number => fake.calls.filter((c) => /^(create|update) endpointslices/.test(c)).length;
    const before = writes();
    const n = node('a');
    fake.put(NODES, { ...n, metadata: { ...n.metadata, annotations: { beat: '1' } } });
    await sleep(300);
    expect(writes()).toBe(before);
  });

  it('does nothing without the kube-dns Service', async () => {
    const fake = new FakeClient();
    fake.put(NODES, node('a'));
    start(fake);
    await sleep(150);
    expect(fake.stored(ENDPOINTSLICES)).toEqual([]);
  });

  it('puts the DNS Service at the 10th address of the service range', () => {
    expect(dnsServiceIP('10.43.0.1')).toBe('10.43.0.10');
    expect(dnsServiceIP('10.96.0.1')).toBe('10.96.0.10');
    expect(dnsServiceIP('172.16.255.249')).toBe('172.17.0.2');
  });
});

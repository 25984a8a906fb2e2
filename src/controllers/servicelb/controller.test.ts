import { describe, expect, it } from 'vitest';
import { NODES, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import type { ServiceObject } from '../endpointslice/podutil.js';
import { eventLines, eventually, sleep } from '../framework/testing/harness.js';
import { node, service, serviceBench } from '../endpointslice/testing/harness.js';
import { ServiceLbController } from './controller.js';

const start = serviceBench(() => new ServiceLbController());

function ingress(fake: FakeClient, name: string): string[] | undefined {
  const svc = fake.stored(SERVICES).find((s) => s.metadata.name === name) as ServiceObject | undefined;
  return svc?.status?.loadBalancer?.ingress?.map((i) => `${i.ip ?? ''}/${i.ipMode ?? ''}`);
}

function lb(name: string, extra: Record<string, unknown> = {}): ReturnType<typeof service> {
  return service(name, { spec: { type: 'LoadBalancer', ...extra } });
}

describe('servicelb controller', () => {
  it('publishes the Ready nodes’ addresses, sorted, and follows the nodes', async () => {
    const fake = new FakeClient();
    fake.put(NODES, node('b', { ip: '192.168.0.10' }));
    fake.put(NODES, node('a', { ip: '192.168.0.9', externalIP: '203.0.113.5' }));
    fake.put(NODES, node('c', { ip: '192.168.0.11', ready: false }));
    fake.put(SERVICES, lb('web'));
    fake.put(SERVICES, service('plain'));
    start(fake);
    await eventually(
      'ingress',
      () => ingress(fake, 'web'),
      (i) => i?.length === 2,
    );
    expect(ingress(fake, 'web')).toEqual(['192.168.0.10/VIP', '203.0.113.5/VIP']);
    expect(ingress(fake, 'plain')).toBeUndefined();

    fake.put(NODES, node('c', { ip: '192.168.0.11' }));
    await eventually(
      'c joins',
      () => ingress(fake, 'web'),
      (i) => i?.length === 3,
    );
    expect(ingress(fake, 'web')).toEqual(['192.168.0.10/VIP', '192.168.0.11/VIP', '203.0.113.5/VIP']);
    fake.remove(NODES, 'b');
    await eventually(
      'b leaves',
      () => ingress(fake, 'web'),
      (i) => i?.length === 2,
    );

    const events = eventLines(fake);
    expect(events).toContain('EnsuredLoadBalancer: Ensured load balancer');
    expect(events).toContain('UpdatedLoadBalancer: Updated load balancer with new hosts');
  });

  it('clears the addresses when the Service stops being a LoadBalancer', async () => {
    const fake = new FakeClient();
    fake.put(NODES, node('a', { ip: '192.168.0.9' }));
    fake.put(SERVICES, lb('web'));
    start(fake);
    await eventually(
      'ingress',
      () => ingress(fake, 'web'),
      (i) => i?.length === 1,
    );
    const cur = fake.stored(SERVICES).find((s) => s.metadata.name === 'web') as ServiceObject;
    fake.put(SERVICES, { ...cur, spec: { ...cur.spec, type: 'ClusterIP' } });
    await eventually(
      'cleared',
      () => ingress(fake, 'web'),
      (i) => i === undefined,
    );
  });

  it('leaves Services with a loadBalancerClass to their implementation', async () => {
    const fake = new FakeClient();
    fake.put(NODES, node('a', { ip: '192.168.0.9' }));
    fake.put(SERVICES, lb('other', { loadBalancerClass: 'example.com/lb' }));
    fake.put(SERVICES, lb('web'));
    start(fake);
    await eventually(
      'web',
      () => ingress(fake, 'web'),
      (i) => i?.length === 1,
    );
    await sleep(150);
    expect(ingress(fake, 'other')).toBeUndefined();
  });
});

import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { describe, expect, it } from 'vitest';
import { until } from '../framework/testing/harness.js';
import { INGRESSCLASSES, INGRESSES, NODES } from '../../client/resources.js';
import { Bench } from '../nodelifecycle/testing/harness.js';
import { stopAfterEach } from '../framework/testing/harness.js';
import { IngressStatusController, ingressAddresses } from './ingressstatus.js';

const track = stopAfterEach();

function withIp(b: Bench, name: string, ip: string): void {
  const n = b.node(name);
  if (!n) throw new Error(`no node ${name}`);
  b.fake.put(NODES, {
    ...n,
    status: {
      ...n.status,
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  });
}

function addresses(b: Bench, name: string): string[] {
  const ing = b.fake.stored(INGRESSES).find((i) => i.metadata.name === name) as Ingress | undefined;
  return (ing?.status?.loadBalancer?.ingress ?? []).map((x) => x.ip ?? '');
}

describe('ingress status controller', () => {
  it('lists the InternalIPs of Ready nodes on Ingresses of class k8ts, and follows node changes', async () => {
    const b = new Bench();
    track(b);
    b.addNode('n1');
    b.addNode('n2');
    b.addNode('down', { ready: 'False' });
    withIp(b, 'n1', '192.168.1.20');
    withIp(b, 'n2', '192.168.1.10');
    withIp(b, 'down', '192.168.1.30');
    b.fake.put(INGRESSCLASSES, {
      metadata: { name: 'k8ts', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8ts.io/ingress' },
    });
    b.fake.put(INGRESSES, {
      metadata: { namespace: 'default', name: 'ours' },
      spec: { ingressClassName: 'k8ts' },
    });
    b.fake.put(INGRESSES, { metadata: { namespace: 'default', name: 'default-class' }, spec: {} });
    b.fake.put(INGRESSES, {
      metadata: { namespace: 'default', name: 'theirs' },
      spec: { ingressClassName: 'nginx' },
    });
    await b.start(new IngressStatusController());

    await until(() => expect(addresses(b, 'ours')).toEqual(['192.168.1.10', '192.168.1.20']));
    expect(addresses(b, 'default-class')).toEqual(['192.168.1.10', '192.168.1.20']);
    expect(addresses(b, 'theirs')).toEqual([]);

    b.postStatus('n2', 'False');
    await until(() => expect(addresses(b, 'ours')).toEqual(['192.168.1.20']));
    b.postStatus('n1', 'False');
    await until(() => expect(addresses(b, 'ours')).toEqual([]));
  });

  it('leaves out nodes excluded from load balancers', () => {
    const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
    expect(
      ingressAddresses([
        {
          metadata: { name: 'a' },
          status: { ...ready, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
        },
        {
          metadata: { name: 'b', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } },
          status: { ...ready, addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] },
        },
      ]),
    ).toEqual([{ ip: '10.0.0.1' }]);
  });
});

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEASES, NODES, PODS } from '../client/resources.js';
import { FakeClient } from '../client/testing/fake-client.js';
import { ManualTimers } from '../client/testing/manual-timers.js';
import type { ApiObject } from '../client/types.js';
import { HollowNodes } from './hollow.js';
import type { NodeObject } from './node.js';
import { DEFAULT_HOLLOW_OPTIONS } from './options.js';

const log = pino({ enabled: false });
const running: HollowNodes[] = [];
afterEach(() => {
  for (const h of running.splice(0)) h.stop();
});

function setup(count = 6) {
  const fake = new FakeClient();
  const timers = new ManualTimers();
  let now = Date.parse('2026-11-29T10:00:00Z');
  const clock = { now: () => new Date(now + timers.now()) };
  const hollow = new HollowNodes(
    { ...DEFAULT_HOLLOW_OPTIONS, count, zones: 3, leaseRenewMs: 600, statusReportMs: 6000 },
    { client: fake, log, clock, timers },
  );
  running.push(hollow);
  const node = (name: string) =>
    fake.stored(NODES).find((n) => n.metadata.name === name) as NodeObject | undefined;
  const pod = (name: string) =>
    fake.stored(PODS).find((p) => p.metadata.name === name) as (Pod & ApiObject) | undefined;
  const lease = (name: string) =>
    fake.stored(LEASES).find((l) => l.metadata.name === name) as (Lease & ApiObject) | undefined;
  const tick = async (ms: number) => {
    timers.advance(ms);
    await new Promise((r) => setImmediate(r));
  };
  return { fake, timers, hollow, node, pod, lease, tick, setNow: (t: number) => (now = t) };
}

function newPod(name: string, nodeName: string, extra: Partial<NonNullable<Pod['spec']>> = {}): ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName, containers: [{ name: 'app', image: 'nginx' }], ...extra },
    status: { phase: 'Pending' },
  };
}

describe('hollow nodes', () => {
  it('registers nodes across zones with Leases, and renews each Lease on its turn', async () => {
    const h = setup();
    await h.hollow.start();
    expect(h.fake.stored(NODES).map((n) => n.metadata.name)).toEqual([
      'hollow-0',
      'hollow-1',
      'hollow-2',
      'hollow-3',
      'hollow-4',
      'hollow-5',
    ]);
    expect(h.node('hollow-4')?.metadata.labels?.['topology.kubernetes.io/zone']).toBe('zone-b');
    const first = h.lease('hollow-0');
    expect(first?.metadata.namespace).toBe('kube-node-lease');
    expect(first?.spec).toMatchObject({ holderIdentity: 'hollow-0', leaseDurationSeconds: 40 });
    expect(first?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'hollow-0' });
    const renewed = h.hollow.counts.leaseRenewals;
    expect(renewed).toBe(6);
    await h.tick(100); // one slot: node 0's turn
    await vi.waitFor(() => expect(h.hollow.counts.leaseRenewals).toBe(7));
    expect(h.lease('hollow-0')?.spec?.renewTime).toBe('2026-11-29T10:00:00.100000Z');
    expect(h.lease('hollow-1')?.spec?.renewTime).toBe('2026-11-29T10:00:00.000000Z');
    for (let i = 0; i < 5; i++) await h.tick(100);
    await vi.waitFor(() => expect(h.hollow.counts.leaseRenewals).toBe(12));
  });

  it('makes bound pods Running with an IP from the podCIDR, finishes deletions, runs exits', async () => {
    const h = setup(2);
    await h.hollow.start();
    const n0 = h.node('hollow-0');
    h.fake.put(NODES, { ...n0, spec: { ...n0?.spec, podCIDR: '10.42.3.0/24' } });
    await vi.waitFor(() => expect(h.hollow.nodeInformer.get('hollow-0')?.spec?.podCIDR).toBe('10.42.3.0/24'));
    h.fake.put(PODS, newPod('web', 'hollow-0'));
    h.fake.put(PODS, newPod('elsewhere', 'other-node'));
    await vi.waitFor(() => expect(h.pod('web')?.status?.phase).toBe('Running'));
    const web = h.pod('web');
    expect(web?.status?.podIP).toBe('10.42.3.2');
    expect(web?.status?.hostIP).toBe(h.node('hollow-0')?.status?.addresses?.[0]?.address);
    expect(web?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(web?.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    expect(h.pod('elsewhere')?.status?.phase).toBe('Pending');
    // Other nodes' pods are cached as stubs only.
    expect(h.hollow.pods.informer.get('default/elsewhere')).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: expect.objectContaining({ name: 'elsewhere' }) as unknown,
      spec: { nodeName: 'other-node', containers: [] },
    });

    h.fake.put(
      PODS,
      newPod('job', 'hollow-1', { restartPolicy: 'Never', containers: [{ name: 'a', command: ['true'] }] }),
    );
    await vi.waitFor(() => expect(h.pod('job')?.status?.phase).toBe('Succeeded'));

    const current = h.pod('web');
    h.fake.put(PODS, {
      ...current,
      metadata: { ...current?.metadata, deletionTimestamp: '2026-11-29T10:01:00Z' },
    });
    await vi.waitFor(() => expect(h.pod('web')).toBeUndefined());
    await vi.waitFor(() => expect(h.hollow.pods.size).toBe(1));
    h.fake.put(PODS, newPod('web2', 'hollow-0'));
    await vi.waitFor(() => expect(h.pod('web2')?.status?.podIP).toBe('10.42.3.3'));
  });

  it('reports Ready again at once when the server marked a live node Unknown', async () => {
    const h = setup(1);
    await h.hollow.start();
    const n = h.node('hollow-0');
    const conditions = n?.status?.conditions?.map((c) =>
      c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c,
    );
    h.fake.put(NODES, { ...n, status: { ...n?.status, conditions } });
    await vi.waitFor(() =>
      expect(h.node('hollow-0')?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True'),
    );
  });

  it('stops heartbeating when stopped, and retires a node whose Node object is deleted', async () => {
    const h = setup(2);
    await h.hollow.start();
    h.fake.remove(NODES, 'hollow-1');
    h.fake.remove(LEASES, 'kube-node-lease/hollow-1');
    await vi.waitFor(() => expect(h.hollow.nodeInformer.get('hollow-1')).toBeUndefined());
    for (let i = 0; i < 6; i++) await h.tick(100);
    await vi.waitFor(() =>
      expect(h.lease('hollow-0')?.spec?.renewTime).not.toBe('2026-11-29T10:00:00.000000Z'),
    );
    expect(h.lease('hollow-1')).toBeUndefined();
    h.hollow.stop();
    const renewals = h.hollow.counts.leaseRenewals;
    for (let i = 0; i < 20; i++) await h.tick(100);
    expect(h.hollow.counts.leaseRenewals).toBe(renewals);
    expect(h.timers.waiting()).toEqual([]);
  });
});

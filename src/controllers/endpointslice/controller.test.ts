import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { EndpointSliceController } from './controller.js';
import type { SliceObject } from './reconcile.js';
import { eventLines, eventually, sleep } from '../framework/testing/harness.js';
import { node, pod, service, serviceBench } from './testing/harness.js';

const start = serviceBench(() => new EndpointSliceController());

function slicesOf(fake: FakeClient, svc: string): SliceObject[] {
  return (fake.stored(ENDPOINTSLICES) as SliceObject[]).filter(
    (s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc,
  );
}

/** `ip:ready` of every endpoint of the Service's slices, sorted. */
function endpointsOf(fake: FakeClient, svc: string): string[] {
  return slicesOf(fake, svc)
    .flatMap((s) =>
      s.endpoints.map((e) => `${e.addresses[0] ?? ''}:${e.conditions?.ready ? 'ready' : 'not-ready'}`),
    )
    .sort();
}

function writes(fake: FakeClient): string[] {
  return fake.calls.filter((c) => /^(create|update|delete) endpointslices/.test(c));
}

function fresh(): FakeClient {
  const fake = new FakeClient();
  fake.put(NODES, node('n1'));
  return fake;
}

describe('endpointslice controller', () => {
  it('publishes the selected pods and follows their readiness and deletion', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('web'));
    for (const [i, n] of ['a', 'b', 'c'].entries())
      fake.put(PODS, pod(n, { labels: { app: 'web' }, ip: `10.42.0.${i + 1}` }));
    fake.put(PODS, pod('other', { labels: { app: 'db' }, ip: '10.42.0.9' }));
    start(fake);
    await eventually(
      'three endpoints',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 3,
    );
    expect(endpointsOf(fake, 'web')).toEqual(['10.42.0.1:ready', '10.42.0.2:ready', '10.42.0.3:ready']);
    expect(slicesOf(fake, 'web')).toHaveLength(1);

    fake.put(PODS, pod('b', { labels: { app: 'web' }, ip: '10.42.0.2', ready: false }));
    await eventually(
      'b not ready',
      () => endpointsOf(fake, 'web'),
      (e) => e.includes('10.42.0.2:not-ready'),
    );
    fake.remove(PODS, 'ns/c');
    await eventually(
      'c gone',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 2,
    );
    expect(slicesOf(fake, 'web')).toHaveLength(1);
  });

  it('does not rewrite slices for pod changes that do not matter to endpoints', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('web'));
    fake.put(PODS, pod('a', { labels: { app: 'web' } }));
    start(fake);
    await eventually(
      'endpoint',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 1,
    );
    await sleep(150);
    const before = writes(fake).length;
    const p = pod('a', { labels: { app: 'web' } });
    fake.put(PODS, { ...p, metadata: { ...p.metadata, annotations: { touched: 'yes' } } });
    fake.put(SERVICES, {
      ...service('web'),
      metadata: { ...service('web').metadata, annotations: { x: 'y' } },
    });
    await sleep(300);
    expect(writes(fake).length).toBe(before);
  });

  it('serves a pod matched by several Services, and follows label changes of pods and Services', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('web', { selector: { app: 'web' } }));
    fake.put(SERVICES, service('all', { selector: { tier: 'front' } }));
    fake.put(PODS, pod('a', { labels: { app: 'web', tier: 'front' }, ip: '10.42.0.1' }));
    start(fake);
    await eventually(
      'web',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 1,
    );
    await eventually(
      'all',
      () => endpointsOf(fake, 'all'),
      (e) => e.length === 1,
    );

    fake.put(PODS, pod('a', { labels: { app: 'api', tier: 'front' }, ip: '10.42.0.1' }));
    await eventually(
      'left web',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 0,
    );
    expect(endpointsOf(fake, 'all')).toEqual(['10.42.0.1:ready']);
    // web keeps its placeholder slice.
    expect(slicesOf(fake, 'web')).toHaveLength(1);

    fake.put(SERVICES, service('web', { selector: { app: 'api' } }));
    await eventually(
      'web again',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 1,
    );
  });

  it('leaves selectorless and ExternalName Services alone, and gives a selector matching nothing a placeholder', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('manual', { selector: null }));
    fake.put(SERVICES, service('ext', { spec: { type: 'ExternalName', externalName: 'example.com' } }));
    fake.put(SERVICES, service('empty', { selector: { app: 'nothing' } }));
    fake.put(PODS, pod('a', { labels: { app: 'manual' } }));
    fake.put(PODS, pod('b', { labels: { app: 'ext' } }));
    start(fake);
    await eventually(
      'placeholder',
      () => slicesOf(fake, 'empty'),
      (s) => s.length === 1,
    );
    expect(slicesOf(fake, 'empty')[0]?.endpoints).toEqual([]);
    await sleep(150);
    expect(slicesOf(fake, 'manual')).toEqual([]);
    expect(slicesOf(fake, 'ext')).toEqual([]);
  });

  it('puts the headless label on the slices of headless Services, with pod hostnames', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('db', { spec: { clusterIP: 'None', clusterIPs: ['None'] } }));
    fake.put(PODS, pod('db-0', { labels: { app: 'db' }, spec: { hostname: 'db-0', subdomain: 'db' } }));
    start(fake);
    const [slice] = await eventually(
      'slice',
      () => slicesOf(fake, 'db'),
      (s) => s[0]?.endpoints.length === 1,
    );
    expect(slice?.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    expect(slice?.endpoints[0]?.hostname).toBe('db-0');
  });

  it('records FailedToUpdateEndpointSlices when a write fails, and retries', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('web'));
    fake.put(PODS, pod('a', { labels: { app: 'web' } }));
    fake.failNext('create', new ApiError(500, 'InternalError', 'etcd is down'));
    start(fake);
    await eventually(
      'slice after retry',
      () => endpointsOf(fake, 'web'),
      (e) => e.length === 1,
    );
    const events = eventLines(fake);
    expect(events).toContain(
      'FailedToUpdateEndpointSlices: Error updating Endpoint Slices for Service ns/web: etcd is down',
    );
    expect(slicesOf(fake, 'web')).toHaveLength(1);
  });

  it('restores a managed slice someone else deleted', async () => {
    const fake = fresh();
    fake.put(SERVICES, service('web'));
    fake.put(PODS, pod('a', { labels: { app: 'web' } }));
    start(fake);
    const [slice] = await eventually(
      'slice',
      () => slicesOf(fake, 'web'),
      (s) => s.length === 1,
    );
    fake.remove(ENDPOINTSLICES, `ns/${slice?.metadata.name ?? ''}`);
    await eventually(
      'recreated',
      () => slicesOf(fake, 'web'),
      (s) => s.length === 1 && s[0]?.metadata.name !== slice?.metadata.name,
    );
  });

  it('fills in the zone of the node', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('web'));
    fake.put(PODS, pod('a', { labels: { app: 'web' }, node: 'nz' }));
    start(fake);
    await sleep(150);
    expect(endpointsOf(fake, 'web')).toEqual([]);
    fake.put(NODES, node('nz', { zone: 'zone-b' }));
    const [slice] = await eventually(
      'slice',
      () => slicesOf(fake, 'web'),
      (s) => s[0]?.endpoints.length === 1,
    );
    expect(slice?.endpoints[0]?.zone).toBe('zone-b');
  });
});

import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS, NODES, PODS, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import type { ApiObject } from '../../client/types.js';
import { ApiError } from '../../api/errors.js';
import { eventLines, eventually, sleep } from '../framework/testing/harness.js';
import { node, pod, service, serviceBench } from '../endpointslice/testing/harness.js';
import { EndpointsController } from './controller.js';

const start = serviceBench(() => new EndpointsController());

function endpointsOf(fake: FakeClient, key: string): (Endpoints & ApiObject) | undefined {
  return fake.stored(ENDPOINTS).find((e) => `${e.metadata.namespace}/${e.metadata.name}` === key) as
    (Endpoints & ApiObject) | undefined;
}

function ready(ep: Endpoints | undefined): string[] {
  return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
}

function writes(fake: FakeClient): string[] {
  return fake.calls.filter((c) => /^(create|update|delete) endpoints /.test(c));
}

describe('endpoints controller', () => {
  it('keeps the Endpoints of a Service with its labels, and deletes it with the Service', async () => {
    const fake = new FakeClient();
    fake.put(NODES, node('n1'));
    fake.put(SERVICES, service('web', { labels: { team: 'a' } }));
    fake.put(PODS, pod('a', { ip: '10.42.0.1', labels: { app: 'web' } }));
    fake.put(PODS, pod('b', { ip: '10.42.0.2', labels: { app: 'web' } }));
    start(fake);
    const ep = await eventually(
      'endpoints',
      () => endpointsOf(fake, 'ns/web'),
      (e) => ready(e).length === 2,
    );
    expect(ep?.metadata.labels).toEqual({ team: 'a' });
    expect(ep?.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);

    fake.put(PODS, pod('b', { ip: '10.42.0.2', labels: { app: 'web' }, ready: false }));
    await eventually(
      'b not ready',
      () => endpointsOf(fake, 'ns/web'),
      (e) => ready(e).length === 1,
    );
    expect(endpointsOf(fake, 'ns/web')?.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip)).toEqual([
      '10.42.0.2',
    ]);

    await sleep(150);
    const before = writes(fake).length;
    const a = pod('a', { ip: '10.42.0.1', labels: { app: 'web' } });
    fake.put(PODS, { ...a, metadata: { ...a.metadata, annotations: { x: 'y' } } });
    await sleep(300);
    expect(writes(fake).length).toBe(before);

    fake.remove(SERVICES, 'ns/web');
    await eventually(
      'deleted',
      () => endpointsOf(fake, 'ns/web'),
      (e) => e === undefined,
    );
  });

  it('leaves selectorless Services and default/kubernetes alone; removes Endpoints of Services gone', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('manual', { selector: null }));
    fake.put(ENDPOINTS, {
      metadata: { name: 'manual', namespace: 'ns' },
      subsets: [{ addresses: [{ ip: '192.0.2.1' }] }],
    });
    fake.put(SERVICES, service('kubernetes', { selector: null }, 'default'));
    fake.put(ENDPOINTS, { metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [] });
    fake.put(ENDPOINTS, { metadata: { name: 'orphan', namespace: 'ns' }, subsets: [] });
    fake.put(
      SERVICES,
      service('empty', { selector: { app: 'none' }, spec: { clusterIP: 'None', clusterIPs: ['None'] } }),
    );
    start(fake);
    const empty = await eventually(
      'empty',
      () => endpointsOf(fake, 'ns/empty'),
      (e) => e !== undefined,
    );
    expect(empty?.subsets).toEqual([]);
    expect(empty?.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    await eventually(
      'orphan removed',
      () => endpointsOf(fake, 'ns/orphan'),
      (e) => e === undefined,
    );
    expect(ready(endpointsOf(fake, 'ns/manual'))).toEqual(['192.0.2.1']);
    expect(endpointsOf(fake, 'default/kubernetes')).toBeDefined();
  });

  it('records FailedToCreateEndpoint when the create fails, and retries', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('web'));
    fake.failNext('create', new ApiError(500, 'InternalError', 'disk full'));
    start(fake);
    await eventually(
      'created',
      () => endpointsOf(fake, 'ns/web'),
      (e) => e !== undefined,
    );
    const events = eventLines(fake);
    expect(events).toContain(
      'FailedToCreateEndpoint: Failed to create endpoint for service ns/web: disk full',
    );
  });
});

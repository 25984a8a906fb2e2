import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta.js';
import { DEPLOYMENTS, PODS, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { ControllerHarness, eventually, stopAfterEach } from '../framework/testing/harness.js';
import type { ResourceRef } from '../../client/types.js';
import { refOfResource, ResourceQuotaController } from './resourcequota.js';

const QUOTAS = refOfResource('', 'resourcequotas') as ResourceRef;
const NOW = new Date('2025-01-01T00:00:00Z');
const track = stopAfterEach();

function start(client: FakeClient): void {
  track(new ControllerHarness({ fake: client, time: NOW.getTime() })).runManaged([
    new ResourceQuotaController(),
  ]);
}

function quota(name: string, hard: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns' }, spec: { hard, ...spec } };
}

function pod(name: string, cpu?: string, extra: Record<string, unknown> = {}, ns = 'ns'): KubeObject {
  const resources = cpu ? { requests: { cpu }, limits: { cpu } } : {};
  return { metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', resources }] }, ...extra };
}

function statusOf(client: FakeClient, name: string): unknown {
  return client.stored(QUOTAS).find((q) => q.metadata.name === name)?.['status'];
}

describe('ResourceQuota controller', () => {
  it('publishes hard and the usage of live pods in the namespace', async () => {
    const client = new FakeClient();
    client.put(PODS, pod('a', '250m'));
    client.put(PODS, pod('b', '500m'));
    client.put(PODS, pod('done', '1', { status: { phase: 'Succeeded' } }));
    client.put(PODS, pod('elsewhere', '1', {}, 'other'));
    client.put(
      QUOTAS,
      quota('compute', { pods: '10', 'requests.cpu': '2', 'limits.cpu': '4', 'count/pods': '20' }),
    );
    start(client);
    const status = await eventually(
      'quota status',
      () => statusOf(client, 'compute'),
      (s) => s !== undefined,
    );
    expect(status).toEqual({
      hard: { 'count/pods': '20', 'limits.cpu': '4', pods: '10', 'requests.cpu': '2' },
      used: { 'count/pods': '3', 'limits.cpu': '750m', pods: '2', 'requests.cpu': '750m' },
    });
  });

  it('frees quota when a pod is deleted or finishes', async () => {
    const client = new FakeClient();
    client.put(PODS, pod('a', '1'));
    client.put(PODS, pod('b', '1'));
    client.put(QUOTAS, quota('q', { pods: '5' }));
    start(client);
    const used = (): unknown => (statusOf(client, 'q') as { used?: unknown } | undefined)?.used;
    await eventually('two pods counted', used, (u) => JSON.stringify(u) === '{"pods":"2"}');
    client.remove(PODS, 'ns/a');
    await eventually('one pod after a delete', used, (u) => JSON.stringify(u) === '{"pods":"1"}');
    client.put(PODS, pod('b', '1', { status: { phase: 'Failed' } }));
    await eventually('none after it failed', used, (u) => JSON.stringify(u) === '{"pods":"0"}');
  });

  it('counts only the pods in its scopes', async () => {
    const client = new FakeClient();
    client.put(PODS, pod('besteffort'));
    client.put(PODS, pod('burstable', '100m'));
    client.put(
      PODS,
      pod('deadline', undefined, { spec: { containers: [{ name: 'c' }], activeDeadlineSeconds: 30 } }),
    );
    client.put(QUOTAS, quota('be', { pods: '9' }, { scopes: ['BestEffort', 'NotTerminating'] }));
    start(client);
    await eventually(
      'scoped usage',
      () => statusOf(client, 'be'),
      (s) => JSON.stringify((s as { used?: unknown } | undefined)?.used) === '{"pods":"1"}',
    );
  });

  it('counts other kinds by count/<resource>.<group> and services by type', async () => {
    const client = new FakeClient();
    client.put(DEPLOYMENTS, { metadata: { name: 'd1', namespace: 'ns' }, spec: {} });
    client.put(DEPLOYMENTS, { metadata: { name: 'd2', namespace: 'ns' }, spec: {} });
    client.put(SERVICES, {
      metadata: { name: 's', namespace: 'ns' },
      spec: { type: 'NodePort', ports: [{ port: 1 }, { port: 2 }] },
    });
    client.put(
      QUOTAS,
      quota('objects', {
        'count/deployments.apps': '5',
        services: '3',
        'services.nodeports': '4',
        'count/widgets.example.com': '1',
      }),
    );
    start(client);
    const status = await eventually(
      'object counts',
      () => statusOf(client, 'objects'),
      (s) => s !== undefined,
    );
    expect((status as { used: unknown }).used).toEqual({
      'count/deployments.apps': '2',
      'count/widgets.example.com': '0',
      services: '1',
      'services.nodeports': '2',
    });
    client.remove(DEPLOYMENTS, 'ns/d1');
    await eventually(
      'a deleted deployment frees its count',
      () => (statusOf(client, 'objects') as { used: Record<string, string> }).used['count/deployments.apps'],
      (v) => v === '1',
    );
  });

  it('recomputes when the spec changes', async () => {
    const client = new FakeClient();
    client.put(PODS, pod('a', '1'));
    client.put(QUOTAS, quota('q', { pods: '5' }));
    start(client);
    await eventually(
      'first status',
      () => statusOf(client, 'q'),
      (s) => s !== undefined,
    );
    const cur = client.stored(QUOTAS)[0] as KubeObject;
    client.put(QUOTAS, { ...cur, spec: { hard: { pods: '5', 'requests.cpu': '3' } } });
    await eventually(
      'status after the spec change',
      () => statusOf(client, 'q'),
      (s) =>
        JSON.stringify(s) ===
        JSON.stringify({
          hard: { pods: '5', 'requests.cpu': '3' },
          used: { pods: '1', 'requests.cpu': '1' },
        }),
    );
  });
});

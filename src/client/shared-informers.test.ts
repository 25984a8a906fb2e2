import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ENDPOINTSLICES, PODS, SERVICES } from './resources.js';
import { collectionKey, createSharedInformers, type SharedInformers } from './shared-informers.js';
import { slimEndpointSlice, slimService, withoutManagedFields } from './slim.js';
import { FakeClient } from './testing/fake-client.js';
import { ManualTimers } from './testing/manual-timers.js';
import type { ApiObject, Informer } from './types.js';

async function until(what: string, cond: () => boolean, seen: () => unknown = () => ''): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never saw ${what}; state: ${JSON.stringify(seen())}`);
}

const managed = [
  { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
];

const service = (name: string, port = 80): ApiObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    labels: { app: name },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":"b"}' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u' }],
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: managed,
  },
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.43.0.5',
    clusterIPs: ['10.43.0.5'],
    ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }],
    sessionAffinity: 'ClientIP',
    externalIPs: ['192.0.2.1'],
  },
  status: { loadBalancer: { ingress: [{ ip: '192.0.2.9' }] } },
});

const slice = (name: string, svc: string, ready = true): ApiObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name,
    namespace: 'ns',
    labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'x' },
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:01Z', other: 'y' },
    managedFields: managed,
  },
  addressType: 'IPv4',
  endpoints: [
    {
      addresses: ['10.42.0.7'],
      hostname: 'h',
      nodeName: 'n1',
      conditions: { ready, serving: true, terminating: false },
    },
  ],
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

const nameOf = (o: ApiObject): string => o.metadata.name ?? '?';

const running: SharedInformers[] = [];
afterEach(() => {
  for (const f of running.splice(0)) f.stop();
});

function factory(fake: FakeClient): SharedInformers {
  const f = createSharedInformers(fake, {
    logger: pino({ enabled: false }),
    transforms: {
      [collectionKey(SERVICES)]: slimService,
      [collectionKey(ENDPOINTSLICES)]: slimEndpointSlice,
      [collectionKey(PODS)]: withoutManagedFields,
    },
    informerOptions: { timers: new ManualTimers(), watchTimeoutSeconds: 300 },
  });
  running.push(f);
  return f;
}

/** Records the events a part sees. */
function recorder(inf: Informer): string[] {
  const events: string[] = [];
  inf.addHandlers({
    add: (o) => events.push(`add ${nameOf(o)}`),
    update: (a, b) => events.push(`update ${nameOf(a)} ${String(b.metadata.resourceVersion)}`),
    delete: (o) => events.push(`delete ${nameOf(o)}`),
  });
  return events;
}

describe('shared informers', () => {
  it('watch each collection once and hand adds, updates and deletes to every part', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('a'));
    const f = factory(fake);
    const parts = [f.informer(SERVICES), f.informer(SERVICES), f.informer(SERVICES)];
    const seen = parts.map(recorder);
    const ctl = new AbortController();
    for (const p of parts) p.start(ctl.signal);
    await f.waitForSync();
    await until('one watch', () => fake.openWatches === 1);
    expect(f.size).toBe(1);
    expect(fake.calls.filter((c) => c.startsWith('list'))).toHaveLength(1);
    for (const s of seen) expect(s).toEqual(['add a']);

    fake.put(SERVICES, service('b'));
    fake.put(SERVICES, service('a', 81));
    fake.remove(SERVICES, 'ns/b');
    await until('three events each', () => seen.every((s) => s.length === 4));
    for (const s of seen) expect(s).toEqual(['add a', 'add b', 'update a 3', 'delete b']);
    // Every part reads the same cached object.
    expect(parts[0]?.get('ns/a')).toBe(parts[2]?.get('ns/a'));
    expect(fake.openWatches).toBe(1);
    ctl.abort();
  });

  it('keeps the union of what the agent parts read, and drops the rest', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('a'));
    fake.put(ENDPOINTSLICES, slice('a-1', 'a'));
    const f = factory(fake);
    const svcs = f.informer(SERVICES);
    const slices = f.informer(ENDPOINTSLICES);
    f.start();
    await f.waitForSync();
    const svc = svcs.get('ns/a');
    expect(svc).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'a', namespace: 'ns', uid: 'uid-a', resourceVersion: '1', labels: { app: 'a' } },
      spec: service('a')['spec'],
      status: service('a')['status'],
    });
    const s = slices.get('ns/a-1');
    expect(s?.metadata).toEqual({
      name: 'a-1',
      namespace: 'ns',
      uid: expect.any(String),
      resourceVersion: '2',
      labels: slice('a-1', 'a').metadata.labels,
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:01Z' },
    });
    expect(s?.['endpoints']).toEqual(slice('a-1', 'a')['endpoints']);
    expect(s?.['ports']).toEqual(slice('a-1', 'a')['ports']);
    expect(s?.['addressType']).toBe('IPv4');
  });

  it('gives selections informers of their own, and indexes private to each part', async () => {
    const fake = new FakeClient();
    fake.put(ENDPOINTSLICES, slice('a-1', 'a'));
    fake.put(ENDPOINTSLICES, slice('b-1', 'b'));
    const f = factory(fake);
    const one = f.informer(ENDPOINTSLICES);
    const two = f.informer(ENDPOINTSLICES);
    const byService = (o: ApiObject): string[] => [o.metadata.labels?.['kubernetes.io/service-name'] ?? ''];
    one.addIndex('service', byService);
    two.addIndex('service', () => ['same']);
    f.informer(PODS, { fieldSelector: 'spec.nodeName=n1' });
    f.informer(PODS, { fieldSelector: 'spec.nodeName=n1' });
    expect(f.size).toBe(2);
    f.start();
    await f.waitForSync();
    expect(one.byIndex('service', 'b').map(nameOf)).toEqual(['b-1']);
    expect(two.byIndex('service', 'same').map(nameOf).sort()).toEqual(['a-1', 'b-1']);
  });

  it('stops a part that stops, keeps the cache for the others, and stops everything on stop', async () => {
    const fake = new FakeClient();
    const f = factory(fake);
    const stays = f.informer(SERVICES);
    const leaves = f.informer(SERVICES);
    const stayed = recorder(stays);
    const left = recorder(leaves);
    const a = new AbortController();
    const b = new AbortController();
    stays.start(a.signal);
    leaves.start(b.signal);
    await f.waitForSync();
    await until('the watch', () => fake.openWatches === 1);
    b.abort();
    fake.put(SERVICES, service('x'));
    await until('the event', () => stayed.length === 1);
    expect(stayed).toEqual(['add x']);
    expect(left).toEqual([]);
    expect(leaves.get('ns/x')).toBeDefined();

    // A part started late is replayed the cache.
    const late = f.informer(SERVICES);
    expect(recorder(late)).toEqual(['add x']);

    f.stop();
    await until('no watch', () => fake.openWatches === 0);
    fake.put(SERVICES, service('y'));
    await new Promise((r) => setImmediate(r));
    expect(stayed).toEqual(['add x']);
  });

  it('runs the transform once per object, however many parts read it', async () => {
    const fake = new FakeClient();
    fake.put(SERVICES, service('a'));
    let calls = 0;
    const f = createSharedInformers(fake, {
      logger: pino({ enabled: false }),
      transforms: {
        services: (o) => {
          calls++;
          return slimService(o);
        },
      },
      informerOptions: { timers: new ManualTimers(), watchTimeoutSeconds: 300 },
    });
    running.push(f);
    const parts = [f.informer(SERVICES), f.informer(SERVICES), f.informer(SERVICES)];
    const ctl = new AbortController();
    for (const p of parts) p.start(ctl.signal);
    await Promise.all(parts.map((p) => p.waitForSync()));
    expect(calls).toBe(1);
    ctl.abort();
  });
});

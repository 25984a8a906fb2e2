/**
 * Issue 2 acceptance with the official JavaScript client, @kubernetes/client-node: list, watch and an
 * informer see adds, updates and deletes; an informer that resumes from a compacted resourceVersion
 * gets 410 Gone, relists, and ends up matching the server (on etcd, compacted with etcdctl; on
 * SQLite, by the server's own compactor with a short `--compaction-interval`).
 */
import { CoreV1Api, KubeConfig, Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../../src/storage/testing/etcd.js';
import { jsonOf } from '../support/api.js';
import { burst } from '../support/burst.js';
import { etcdCompact, etcdRevision } from '../support/etcdctl.js';
import { configMap, uniqueName } from '../support/manifests.js';
import { create, createNamespace, remove } from '../support/objects.js';
import { pollUntil, waitFor } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

/** More events than the server's watch cache keeps per resource (2048), so old revisions leave it. */
const CHURN = 2200;

function kubeConfig(server: TestServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  return kc;
}

function nameOf(obj: unknown): string {
  return (obj as V1ConfigMap).metadata?.name ?? '?';
}

/** Every namespace also holds the `kube-root-ca.crt` ConfigMap the root CA publisher adds; these tests track their own. */
function ours(obj: unknown): boolean {
  return nameOf(obj) !== 'kube-root-ca.crt';
}

interface WatchEventLine {
  type: string;
  object: { code?: number; reason?: string; metadata?: { name?: string } };
}

/** A raw watch from `rv` that the server ends after a second; returns the events it sent. */
async function rawWatch(server: TestServer, path: string, rv: string): Promise<WatchEventLine[]> {
  const res = await server.admin.request('GET', `${path}?watch=1&resourceVersion=${rv}&timeoutSeconds=1`);
  if (res.status !== 200) return [{ type: `HTTP ${res.status}`, object: jsonOf(res) }];
  return res.body
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as WatchEventLine);
}

/** Creates `count` small ConfigMaps in `ns`, 32 at a time. */
async function churn(server: TestServer, ns: string, count: number): Promise<void> {
  const r = await burst(
    (i) => server.admin.request('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, `churn-${i}`)),
    { count, inFlight: 32 },
  );
  expect(
    r.acked.size,
    `churn failures: ${[...r.refused.values(), ...r.failed.values()].slice(0, 3).join('; ')}`,
  ).toBe(count);
}

describe('list, watch and informer (SQLite)', () => {
  let server: TestServer;
  let kc: KubeConfig;
  let api: CoreV1Api;
  const ns = uniqueName('client-node');
  const path = `/api/v1/namespaces/${ns}/configmaps`;

  beforeAll(async () => {
    server = await startServer();
    kc = kubeConfig(server);
    api = kc.makeApiClient(CoreV1Api);
    await createNamespace(server, ns);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('lists', async () => {
    await api.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, 'listed-1') as V1ConfigMap });
    await api.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, 'listed-2') as V1ConfigMap });
    const list = await api.listNamespacedConfigMap({ namespace: ns });
    expect(list.items.filter(ours).map((i) => i.metadata?.name)).toEqual(['listed-1', 'listed-2']);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    const one = await api.readNamespacedConfigMap({ namespace: ns, name: 'listed-1' });
    expect(one.data).toEqual({ key: 'value' });
  });

  it('watches adds, updates and deletes', async () => {
    const events: string[] = [];
    let ended: unknown = 'running';
    const start = await api.listNamespacedConfigMap({ namespace: ns });
    const controller = await new Watch(kc).watch(
      path,
      { resourceVersion: start.metadata?.resourceVersion },
      (phase: string, obj: unknown) => {
        if (ours(obj)) events.push(`${phase} ${nameOf(obj)}`);
      },
      (err: unknown) => (ended = err),
    );
    try {
      await api.createNamespacedConfigMap({ namespace: ns, body: configMap(ns, 'watched') as V1ConfigMap });
      await api.replaceNamespacedConfigMap({
        namespace: ns,
        name: 'watched',
        body: configMap(ns, 'watched', { key: 'changed' }) as V1ConfigMap,
      });
      await api.deleteNamespacedConfigMap({ namespace: ns, name: 'watched' });
      await waitFor(
        'ADDED, MODIFIED and DELETED of the watched ConfigMap',
        () => events.length >= 3,
        () => ({ events, ended }),
      );
      expect(events).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
    } finally {
      controller.abort();
    }
  });

  it('an informer sees adds, updates and deletes', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const informer = makeInformer(kc, path, () => api.listNamespacedConfigMap({ namespace: ns }));
    informer.on('add', (o) => ours(o) && seen.push(`add ${nameOf(o)}`));
    informer.on('update', (o) => ours(o) && seen.push(`update ${nameOf(o)}`));
    informer.on('delete', (o) => ours(o) && seen.push(`delete ${nameOf(o)}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await waitFor(
        'the initial list',
        () => seen.length >= 2,
        () => ({ seen, errors }),
      );
      expect(seen).toEqual(['add listed-1', 'add listed-2']);
      seen.length = 0;
      await create(server, configMap(ns, 'informed'));
      await api.replaceNamespacedConfigMap({
        namespace: ns,
        name: 'listed-1',
        body: configMap(ns, 'listed-1', { key: 'v2' }) as V1ConfigMap,
      });
      await remove(server, `${path}/listed-2`);
      await waitFor(
        'three informer events',
        () => seen.length >= 3,
        () => ({ seen, errors }),
      );
      expect(seen).toEqual(['add informed', 'update listed-1', 'delete listed-2']);
      expect(informer.list().filter(ours).map(nameOf).sort()).toEqual(['informed', 'listed-1']);
      expect(informer.get('listed-1', ns)?.data).toEqual({ key: 'v2' });
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });
});

/**
 * Runs an informer, stops it, changes objects and pushes its resourceVersion out of the server's
 * history (`compact`), then restarts it: it must relist after 410 Gone and match the server.
 */
async function informerRecoversFromCompaction(
  server: TestServer,
  compact: (oldRv: string, path: string) => Promise<void>,
): Promise<void> {
  const ns = await createNamespace(server, uniqueName('informer-410'));
  const churnNs = await createNamespace(server, uniqueName('churn'));
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const kc = kubeConfig(server);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, path, () => api.listNamespacedConfigMap({ namespace: ns }));
  const seen: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (o) => ours(o) && seen.push(`add ${nameOf(o)}`));
  informer.on('update', (o) => ours(o) && seen.push(`update ${nameOf(o)}`));
  informer.on('delete', (o) => ours(o) && seen.push(`delete ${nameOf(o)}`));
  informer.on('error', (e) => errors.push(e));

  await create(server, configMap(ns, 'a'));
  await informer.start();
  try {
    await waitFor(
      'the informer to list a',
      () => seen.includes('add a'),
      () => ({ seen, errors }),
    );
    await informer.stop();
    const oldRv = (informer as unknown as { latestResourceVersion(): string }).latestResourceVersion();
    expect(oldRv).toMatch(/^\d+$/);

    // While the informer is away: a new object, a deleted one, and enough churn to age its rv out.
    await create(server, configMap(ns, 'c'));
    await remove(server, `${path}/a`);
    await churn(server, churnNs, CHURN);
    await compact(oldRv, path);
    const events = await pollUntil(
      `a watch from resourceVersion ${oldRv} to be answered 410 Gone`,
      () => rawWatch(server, path, oldRv),
      (evs) => evs.some((e) => e.type === 'ERROR' && e.object.code === 410),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(events.find((e) => e.type === 'ERROR')?.object).toMatchObject({ code: 410, reason: 'Expired' });

    seen.length = 0;
    await informer.start();
    await waitFor(
      'the informer to relist (add c, delete a)',
      () => seen.includes('add c') && seen.includes('delete a'),
      () => ({ seen, errors }),
    );
    expect(informer.list().filter(ours).map(nameOf)).toEqual(['c']);
    // And it keeps watching after the relist.
    await create(server, configMap(ns, 'd'));
    await waitFor(
      'the informer to see d',
      () => seen.includes('add d'),
      () => ({ seen, errors }),
    );
    expect(informer.list().filter(ours).map(nameOf).sort()).toEqual(['c', 'd']);
  } finally {
    await informer.stop();
  }
}

describe('informer recovery from compaction (etcd, compacted with etcdctl)', () => {
  let etcd: TestEtcd;
  let server: TestServer;

  beforeAll(async () => {
    etcd = await startEtcd();
    server = await startServer({ etcd });
  });

  afterAll(async () => {
    await server?.stop();
    await etcd?.stop();
  });

  it('relists after 410 Gone and matches the server', async () => {
    await informerRecoversFromCompaction(server, async () => {
      await etcdCompact(etcd, await etcdRevision(etcd));
    });
  });
});

describe('informer recovery from compaction (SQLite, --compaction-interval=1s)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ args: ['--compaction-interval', '1s'] });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('relists after 410 Gone and matches the server', async () => {
    // The server compacts by itself every second; the poll for 410 waits for it.
    await informerRecoversFromCompaction(server, async () => undefined);
  });
});

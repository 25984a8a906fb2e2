import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { AdmissionChain, type AdmissionAttributes } from '../../apiserver/admission/types.js';
import type { HandlerDeps } from '../../apiserver/handlers/context.js';
import { schemaOps } from '../../apiserver/schema-ops.js';
import { ServedResources } from '../../apiserver/served.js';
import { CONFIGMAPS, NAMESPACES, PDBS, PODS, type ApiObject } from '../../client/index.js';
import { SqliteBackend } from '../../storage/sqlite/sqlite.js';
import { waitFor } from '../../storage/testing/wait.js';
import { logger } from '../../util/log.js';
import { LocalClient } from './client.js';
import { CacheInformerFactory } from './informers.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';
const clock = { now: () => new Date('2026-11-29T08:00:00Z') };
const USER = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };

describe('in-process client and informers', () => {
  let dir: string;
  let backend: SqliteBackend;
  let deps: HandlerDeps;
  let client: LocalClient;
  const admitted: AdmissionAttributes[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-local-'));
    backend = new SqliteBackend({ path: join(dir, 'state.db'), synchronous: 'NORMAL', logger: log });
    await backend.start();
    const served = new ServedResources({ backend, clock, log, virtuals: {}, printerFor: () => undefined });
    await served.caches.start();
    admitted.length = 0;
    deps = {
      served,
      admission: new AdmissionChain([
        {
          name: 'Record',
          validate: (a) => {
            admitted.push(a);
            if (a.object?.metadata?.labels?.['refuse'] === 'yes')
              throw new ApiError(403, 'Forbidden', 'refused by the test');
          },
        },
      ]),
      clock,
      log,
      schema: schemaOps(),
    };
    client = new LocalClient(deps, USER);
    await client
      .resource(NAMESPACES)
      .create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
  });

  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pod = (name: string, labels: Record<string, string> = {}): ApiObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });

  it('creates with defaults and admission, and hands out copies', async () => {
    const pods = client.resource(PODS, 'ns');
    const created = await pods.create(pod('a'));
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.namespace).toBe('ns');
    expect((created['spec'] as { restartPolicy?: string }).restartPolicy).toBe('Always');
    expect(admitted.some((a) => a.operation === 'CREATE' && a.name === 'a' && a.user === USER)).toBe(true);
    created.metadata.labels = { changed: 'locally' };
    const again = await pods.get('a');
    expect(again.metadata.labels).toEqual({});
    await expect(pods.create(pod('b', { refuse: 'yes' }))).rejects.toMatchObject({ code: 403 });
    await expect(pods.create(pod('Bad_Name'))).rejects.toMatchObject({ code: 422 });
    await expect(pods.get('missing')).rejects.toMatchObject({ code: 404 });
  });

  it('updates, patches status, binds and deletes', async () => {
    const pods = client.resource(PODS, 'ns');
    const created = await pods.create(pod('a'));
    created.metadata.labels = { app: 'web' };
    const updated = await pods.update(created);
    expect(updated.metadata.labels).toEqual({ app: 'web' });
    const stale = { ...created, metadata: { ...created.metadata, labels: { app: 'x' } } };
    await expect(pods.update(stale)).rejects.toMatchObject({ code: 409 });
    const patched = await pods.patch(
      'a',
      'merge',
      { status: { phase: 'Running' } },
      { subresource: 'status' },
    );
    expect((patched['status'] as { phase?: string }).phase).toBe('Running');
    await pods.createSubresource('a', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'a' },
      target: { kind: 'Node', name: 'n1' },
    });
    expect(((await pods.get('a'))['spec'] as { nodeName?: string }).nodeName).toBe('n1');
    await expect(
      pods.createSubresource('a', 'binding', { metadata: { name: 'a' }, target: { name: 'n2' } }),
    ).rejects.toMatchObject({ code: 409 });
    const terminating = await pods.delete('a');
    expect((terminating as ApiObject).metadata.deletionTimestamp).toBeTruthy();
    const gone = await pods.delete('a', { gracePeriodSeconds: 0 });
    expect(gone).toMatchObject({ kind: 'Status', status: 'Success' });
    await expect(pods.get('a')).rejects.toMatchObject({ code: 404 });
  });

  it('creates in the namespace of the object through an all-namespaces client', async () => {
    const created = await client.resource(CONFIGMAPS).create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'ns' },
      data: { a: '1' },
    });
    expect(created.metadata.namespace).toBe('ns');
    const list = await client.resource(CONFIGMAPS).list({ fieldSelector: 'metadata.name=c' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['c']);
  });

  it('informers replay the cache, follow changes and keep indexes', async () => {
    const pods = client.resource(PODS, 'ns');
    await pods.create(pod('a', { app: 'web' }));
    const factory = new CacheInformerFactory(deps);
    const inf = factory.informer(PODS);
    inf.addIndex('app', (o) => [o.metadata.labels?.['app'] ?? '']);
    const seen: string[] = [];
    inf.addHandlers({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (_a, b) => seen.push(`update ${b.metadata.name} ${b.metadata.labels?.['app'] ?? ''}`),
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    const abort = new AbortController();
    factory.start(abort.signal);
    await factory.waitForSync(abort.signal);
    expect(seen).toEqual(['add a']);
    expect(inf.get('ns/a')?.metadata.name).toBe('a');
    await pods.create(pod('b', { app: 'web' }));
    await pods.patch('a', 'merge', { metadata: { labels: { app: 'db' } } });
    await pods.delete('b', { gracePeriodSeconds: 0 });
    await waitFor(
      () => seen.includes('delete b'),
      () => seen.join(', '),
    );
    expect(seen).toEqual(['add a', 'add b', 'update a db', 'delete b']);
    expect(inf.byIndex('app', 'db').map((o) => o.metadata.name)).toEqual(['a']);
    expect(inf.byIndex('app', 'web')).toEqual([]);
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['a']);
    abort.abort();
  });

  it('evicts through pods/eviction, honouring a PodDisruptionBudget', async () => {
    const pods = client.resource(PODS, 'ns');
    for (const name of ['a', 'b']) {
      await pods.create({
        ...pod(name, { app: 'web' }),
        spec: {
          nodeName: 'n',
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'c', image: 'busybox' }],
        },
      });
      const cur = await pods.get(name);
      await pods.updateStatus({
        ...cur,
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    const pdbs = client.resource(PDBS, 'ns');
    const pdb = await pdbs.create({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    });
    await pdbs.updateStatus({
      ...pdb,
      status: {
        observedGeneration: 1,
        disruptionsAllowed: 1,
        currentHealthy: 2,
        desiredHealthy: 1,
        expectedPods: 2,
      },
    });
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'a' } };
    expect(await pods.createSubresource('a', 'eviction', eviction)).toMatchObject({ status: 'Success' });
    await expect(pods.get('a')).rejects.toMatchObject({ code: 404 });
    await expect(
      pods.createSubresource('b', 'eviction', { ...eviction, metadata: { name: 'b' } }),
    ).rejects.toMatchObject({ code: 429, reason: 'TooManyRequests' });
    expect(admitted.some((a) => a.subresource === 'eviction' && a.name === 'a')).toBe(true);
  });
});

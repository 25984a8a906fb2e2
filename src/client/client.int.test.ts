/**
 * The client and informers against a real `k8ts server` (built: run `npm run build` first): every
 * verb, errors as `ApiError`, watch, informers, recovery from a server restart and from compaction.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ApiError } from '../api/errors.js';
import { pod, uniqueName } from '../../test/support/manifests.js';
import { pollUntil, waitFor } from '../../test/support/poll.js';
import { startServer, type TestServer } from '../../test/support/server.js';
import { clientFromKubeconfig } from './http.js';
import { createInformer } from './informer.js';
import { loadKubeconfig } from './kubeconfig.js';
import { CONFIGMAPS, NAMESPACES, PODS } from './resources.js';
import { GatedClient } from './testing/gated-client.js';
import type { ApiObject, Client, Informer, WatchEvent } from './types.js';

const quiet = pino({ enabled: false });

function cm(ns: string, name: string, data: Record<string, string> = { key: 'value' }): ApiObject {
  return { metadata: { name, namespace: ns }, data };
}

const nameOf = (o: ApiObject): string => o.metadata.name ?? '?';

/** Every namespace holds the root CA ConfigMap (kube-root-ca.crt); the tests watch their own objects. */
const NOT_ROOT_CA = 'metadata.name!=kube-root-ca.crt';

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

async function namespace(client: Client, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await client.resource(NAMESPACES).create({ metadata: { name } });
  return name;
}

/** Records informer events as `add a`, `update a`, `delete a`. */
function record(informer: Informer): string[] {
  const seen: string[] = [];
  informer.addHandlers({
    add: (o) => seen.push(`add ${nameOf(o)}`),
    update: (_old, o) => seen.push(`update ${nameOf(o)}`),
    delete: (o) => seen.push(`delete ${nameOf(o)}`),
  });
  return seen;
}

describe('client against a real server', () => {
  let server: TestServer;
  let client: Client;
  let ns: string;
  const tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-client-tokens-'));
  const tokenFile = path.join(tokenDir, 'tokens.csv');
  fs.writeFileSync(tokenFile, 'token-of-ann,ann,uid-ann,"system:masters"\n');

  beforeAll(async () => {
    // No scheduler: it would write the node-less pods' PodScheduled condition while the status tests
    // update them from the resourceVersion they created.
    server = await startServer({ args: ['--token-auth-file', tokenFile, '--controllers', '*,-scheduler'] });
    client = clientFromKubeconfig(server.kubeconfig, { component: 'client-int-test' });
    ns = await namespace(client, 'client');
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
    fs.rmSync(tokenDir, { recursive: true, force: true });
  });

  it('authenticates with a bearer token from a kubeconfig (CA and token as files beside it)', async () => {
    const dir = fs.mkdtempSync(path.join(server.workDir, 'token-kubeconfig-'));
    const admin = loadKubeconfig(server.kubeconfig);
    fs.writeFileSync(path.join(dir, 'ca.crt'), admin.ca ?? '');
    fs.writeFileSync(path.join(dir, 'token'), 'token-of-ann\n');
    const kubeconfig = (user: Record<string, string>): string => {
      const file = path.join(dir, `config-${Object.keys(user).join('-')}`);
      fs.writeFileSync(
        file,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          'current-context': 'ann',
          clusters: [{ name: 'k8ts', cluster: { server: server.url, 'certificate-authority': 'ca.crt' } }],
          users: [{ name: 'ann', user }],
          contexts: [{ name: 'ann', context: { cluster: 'k8ts', user: 'ann' } }],
        }),
      );
      return file;
    };
    const viaFile = clientFromKubeconfig(kubeconfig({ tokenFile: 'token' }));
    const inline = clientFromKubeconfig(kubeconfig({ token: 'wrong' }));
    try {
      const list = await viaFile.resource(NAMESPACES).list();
      expect(list.items.map(nameOf)).toContain('default');
      const denied = await rejection(inline.resource(NAMESPACES).list());
      expect([denied.code, denied.reason]).toEqual([401, 'Unauthorized']);
    } finally {
      viaFile.close();
      inline.close();
    }
  });

  it('creates, gets, lists, updates, patches and deletes', async () => {
    const cms = client.resource(CONFIGMAPS, ns);
    const created = await cms.create(cm(ns, 'one'));
    expect(created).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'one', namespace: ns },
    });
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    await cms.create(cm(ns, 'two'), { fieldManager: 'tester' });
    expect((await cms.get('one'))['data']).toEqual({ key: 'value' });

    // Every namespace also holds the root CA ConfigMap: leave it out.
    const mine = { fieldSelector: NOT_ROOT_CA };
    const list = await cms.list(mine);
    expect(list.items.map(nameOf)).toEqual(['one', 'two']);
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    const page = await cms.list({ ...mine, limit: 1 });
    expect(page.items.map(nameOf)).toEqual(['one']);
    expect(
      (await cms.list({ ...mine, limit: 1, continue: page.metadata.continue })).items.map(nameOf),
    ).toEqual(['two']);

    const updated = await cms.update({ ...created, data: { key: 'v2' } });
    expect(updated['data']).toEqual({ key: 'v2' });
    const stale = await rejection(cms.update({ ...created, data: { key: 'v3' } }));
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect(stale.message).toMatch(/the object has been modified/);

    const merged = await cms.patch('one', 'merge', { data: { merged: 'yes' } });
    expect(merged['data']).toEqual({ key: 'v2', merged: 'yes' });
    const strategic = await cms.patch('one', 'strategic', { metadata: { labels: { tier: 'a' } } });
    expect(strategic.metadata.labels).toEqual({ tier: 'a' });
    const jsonPatched = await cms.patch('one', 'json', [{ op: 'remove', path: '/data/merged' }]);
    expect(jsonPatched['data']).toEqual({ key: 'v2' });

    await cms.delete('one');
    expect((await rejection(cms.get('one'))).code).toBe(404);
  });

  it('answers errors as ApiError rebuilt from the server Status', async () => {
    const cms = client.resource(CONFIGMAPS, ns);
    const missing = await rejection(cms.get('nope'));
    expect([missing.code, missing.reason, missing.message]).toEqual([
      404,
      'NotFound',
      'configmaps "nope" not found',
    ]);
    await cms.create(cm(ns, 'dup'));
    const dup = await rejection(cms.create(cm(ns, 'dup')));
    expect([dup.code, dup.reason, dup.message]).toEqual([
      409,
      'AlreadyExists',
      'configmaps "dup" already exists',
    ]);
    const invalid = await rejection(cms.create(cm(ns, 'Bad_Name')));
    expect([invalid.code, invalid.reason]).toEqual([422, 'Invalid']);
    expect(invalid.status.details?.causes?.[0]?.field).toBe('metadata.name');
    const strict = await rejection(
      cms.create({ ...cm(ns, 'strict'), unknownField: 1 } as ApiObject, { fieldValidation: 'Strict' }),
    );
    expect([strict.code, strict.reason]).toEqual([400, 'BadRequest']);
    expect(strict.message).toMatch(/unknownField/);
  });

  it('dry-runs writes', async () => {
    const cms = client.resource(CONFIGMAPS, ns);
    const dry = await cms.create(cm(ns, 'dry'), { dryRun: true });
    expect(dry.metadata.name).toBe('dry');
    expect((await rejection(cms.get('dry'))).code).toBe(404);
  });

  it('updates and patches status through the status subresource', async () => {
    const pods = client.resource(PODS, ns);
    const created = await pods.create(pod(ns, 'status') as ApiObject);
    const withStatus = await pods.updateStatus({
      ...created,
      status: { ...(created['status'] as object), message: 'updated' },
    });
    expect((withStatus['status'] as { message?: string }).message).toBe('updated');
    const patched = await pods.patch(
      'status',
      'merge',
      { status: { reason: 'Patched' } },
      { subresource: 'status' },
    );
    expect(patched['status']).toMatchObject({ message: 'updated', reason: 'Patched' });
    // The main endpoint ignores status changes.
    const ignored = await pods.patch('status', 'merge', { status: { reason: 'Ignored' } });
    expect((ignored['status'] as { reason?: string }).reason).toBe('Patched');
  });

  it('posts to a subresource: eviction', async () => {
    const pods = client.resource(PODS, ns);
    await pods.create(pod(ns, 'evicted') as ApiObject);
    const answer = await pods.createSubresource('evicted', 'eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'evicted', namespace: ns },
    });
    expect(answer).toMatchObject({ kind: 'Status', status: 'Success' });
    // Deleted (or terminating, with a deletionTimestamp).
    const gone = await pods.get('evicted').then(
      (p) => p.metadata.deletionTimestamp !== undefined,
      (e: unknown) => e instanceof ApiError && e.code === 404,
    );
    expect(gone).toBe(true);
  });

  it('posts to a subresource: binding sets the node and PodScheduled', async () => {
    const pods = client.resource(PODS, ns);
    await pods.create(pod(ns, 'web') as ApiObject);
    const binding = await pods.createSubresource('web', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    });
    expect(binding).toMatchObject({ kind: 'Status', status: 'Success' });
    const bound = await pods.get('web');
    expect((bound['spec'] as { nodeName?: string }).nodeName).toBe('node-1');
    const conditions = (bound['status'] as { conditions?: { type: string; status: string }[] }).conditions;
    expect(conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    // A second binding is refused: the pod is already bound.
    await expect(
      pods.createSubresource('web', 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'web' },
        target: { apiVersion: 'v1', kind: 'Node', name: 'node-2' },
      }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('watches adds, updates and deletes, and ends on abort', async () => {
    const wns = await namespace(client, 'watch');
    const cms = client.resource(CONFIGMAPS, wns);
    const start = await cms.list();
    const ctl = new AbortController();
    const events: string[] = [];
    const done = (async () => {
      for await (const ev of cms.watch({
        resourceVersion: start.metadata.resourceVersion,
        signal: ctl.signal,
      })) {
        events.push(`${ev.type} ${nameOf(ev.object)}`);
      }
    })();
    const a = await cms.create(cm(wns, 'a'));
    await cms.update({ ...a, data: { key: 'changed' } });
    await cms.delete('a');
    await waitFor(
      'ADDED, MODIFIED and DELETED',
      () => events.length >= 3,
      () => events,
    );
    ctl.abort();
    await done;
    expect(events).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
  });

  it('ends a watch when the server times it out', async () => {
    const wns = await namespace(client, 'watch-timeout');
    const cms = client.resource(CONFIGMAPS, wns);
    const start = await cms.list();
    const events: WatchEvent[] = [];
    const t0 = Date.now();
    for await (const ev of cms.watch({ resourceVersion: start.metadata.resourceVersion, timeoutSeconds: 1 }))
      events.push(ev);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(events.filter((e) => e.type !== 'BOOKMARK')).toEqual([]);
  });

  it('feeds an informer: sync, adds, updates, deletes and an index', async () => {
    const ins = await namespace(client, 'informer');
    const cms = client.resource(CONFIGMAPS, ins);
    await cms.create({
      ...cm(ins, 'listed'),
      metadata: { name: 'listed', namespace: ins, labels: { team: 'x' } },
    });
    const informer = createInformer(client, CONFIGMAPS, {
      namespace: ins,
      logger: quiet,
      pageSize: 1,
      fieldSelector: NOT_ROOT_CA,
    });
    informer.addIndex('team', (o) => (o.metadata.labels?.['team'] ? [o.metadata.labels['team']] : []));
    const seen = record(informer);
    const ctl = new AbortController();
    informer.start(ctl.signal);
    try {
      await informer.waitForSync(AbortSignal.timeout(20_000));
      expect(seen).toEqual(['add listed']);
      await cms.create({
        ...cm(ins, 'new'),
        metadata: { name: 'new', namespace: ins, labels: { team: 'x' } },
      });
      const listed = await cms.get('listed');
      await cms.update({ ...listed, data: { key: 'v2' } });
      await cms.delete('new');
      await waitFor(
        'add, update and delete',
        () => seen.length >= 4,
        () => seen,
      );
      expect(seen).toEqual(['add listed', 'add new', 'update listed', 'delete new']);
      expect(informer.list().map(nameOf)).toEqual(['listed']);
      expect(informer.get(`${ins}/listed`)?.['data']).toEqual({ key: 'v2' });
      expect(informer.byIndex('team', 'x').map(nameOf)).toEqual(['listed']);
      expect(Number(informer.lastSyncResourceVersion())).toBeGreaterThan(0);
    } finally {
      ctl.abort();
    }
  });
});

describe('informer recovery (SQLite, --compaction-interval=1s)', () => {
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startServer({ args: ['--compaction-interval', '1s'] });
    client = clientFromKubeconfig(server.kubeconfig, { component: 'client-int-test', timeoutMs: 10_000 });
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it('keeps watching across a server restart', async () => {
    const ns = await namespace(client, 'restart');
    const informer = createInformer(client, CONFIGMAPS, {
      fieldSelector: NOT_ROOT_CA,
      namespace: ns,
      logger: quiet,
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    const seen = record(informer);
    const ctl = new AbortController();
    informer.start(ctl.signal);
    try {
      await informer.waitForSync(AbortSignal.timeout(20_000));
      await server.kill();
      await server.start();
      await client.resource(CONFIGMAPS, ns).create(cm(ns, 'after-restart'));
      await waitFor(
        'the informer to see an object created after the restart',
        () => seen.includes('add after-restart'),
        () => seen,
      );
    } finally {
      ctl.abort();
    }
  });

  it('relists after its resourceVersion was compacted away (410) and keeps watching', async () => {
    const ns = await namespace(client, 'compact');
    const churnNs = await namespace(client, 'churn');
    const cms = client.resource(CONFIGMAPS, ns);
    await cms.create(cm(ns, 'a'));
    await cms.create(cm(ns, 'b'));
    const gated = new GatedClient(client);
    const informer = createInformer(gated, CONFIGMAPS, {
      fieldSelector: NOT_ROOT_CA,
      namespace: ns,
      logger: quiet,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const seen = record(informer);
    const ctl = new AbortController();
    informer.start(ctl.signal);
    try {
      await informer.waitForSync(AbortSignal.timeout(20_000));
      expect(seen).toEqual(['add a', 'add b']);
      // Cut the informer off the server, then change things and push its resourceVersion out of
      // the server's history: more writes than the watch cache keeps, and the compactor's pass.
      gated.hold();
      gated.breakWatches();
      const oldRv = informer.lastSyncResourceVersion();
      await cms.create(cm(ns, 'c'));
      await cms.delete('a');
      const b = await cms.get('b');
      await cms.update({ ...b, data: { key: 'v2' } });
      await churn(client, churnNs, 2200);
      const path = `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${oldRv}&timeoutSeconds=1`;
      await pollUntil(
        `a watch from resourceVersion ${oldRv} to be answered 410`,
        async () => (await client.raw('GET', path)).body.toString(),
        (body) => body.includes('"code":410'),
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      seen.length = 0;
      gated.letThrough();
      await waitFor(
        'the informer to relist',
        () => seen.length >= 3,
        () => seen,
        { timeoutMs: 30_000 },
      );
      expect(seen).toEqual(['delete a', 'update b', 'add c']);
      expect(informer.list().map(nameOf).sort()).toEqual(['b', 'c']);
      await cms.create(cm(ns, 'd'));
      await waitFor(
        'the informer to see d',
        () => seen.includes('add d'),
        () => seen,
      );
      expect(informer.list().map(nameOf).sort()).toEqual(['b', 'c', 'd']);
    } finally {
      ctl.abort();
    }
  });
});

/** Creates `count` ConfigMaps in `ns`, 32 at a time. */
async function churn(client: Client, ns: string, count: number): Promise<void> {
  const cms = client.resource(CONFIGMAPS, ns);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await cms.create(cm(ns, `churn-${next++}`));
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/**
 * Issue 2 acceptance on a real etcd: the core scenario (create, get, list with a selector, watch,
 * delete) with kubectl 1.32 and 1.27 against a server whose state lives in etcd (and not in a local
 * SQLite file), checked from etcd's side with etcdctl.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../../src/storage/testing/etcd.js';
import { etcdctl } from '../support/etcdctl.js';
import { KUBECTL_VERSIONS, kubectl, kubectlOk, kubectlStream } from '../support/kubectl.js';
import { configMap, deployment, uniqueName, writeFile, yamlStream } from '../support/manifests.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { firstColumn, headerOf } from '../support/table.js';

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

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  const ns = uniqueName(`etcd-${version.replace('.', '')}`);
  const k = (...args: string[]): Promise<string> => kubectlOk(server, args, { version });

  it('creates objects with apply', async () => {
    const labelled = configMap(ns, 'c1');
    (labelled['metadata'] as Record<string, unknown>)['labels'] = { tier: 'front' };
    const file = writeFile(
      server,
      `etcd-${version}.yaml`,
      yamlStream([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        labelled,
        configMap(ns, 'c2'),
        deployment(ns, 'api', 1),
      ]),
    );
    expect(await k('apply', '-f', file)).toBe(
      `namespace/${ns} created\nconfigmap/c1 created\nconfigmap/c2 created\ndeployment.apps/api created\n`,
    );
  });

  it('stores them in etcd, not in a local database', async () => {
    const keys = (await etcdctl(etcd, ['get', '--prefix', '--keys-only', `/registry/configmaps/${ns}/`]))
      .toString()
      .split('\n')
      .filter(Boolean);
    // The root CA publisher's kube-root-ca.crt is there too (in etcd as well), but on its own schedule.
    expect(keys.filter((key) => !key.endsWith('/kube-root-ca.crt'))).toEqual([
      `/registry/configmaps/${ns}/c1`,
      `/registry/configmaps/${ns}/c2`,
    ]);
    const dbDir = path.join(server.dataDir, 'db');
    expect(fs.existsSync(dbDir) ? fs.readdirSync(dbDir) : []).toEqual([]);
  });

  it('gets, lists and selects', async () => {
    const table = await k('-n', ns, 'get', 'configmaps');
    expect(headerOf(table)).toEqual(['NAME', 'DATA', 'AGE']);
    expect(firstColumn(table).filter((name) => name !== 'kube-root-ca.crt')).toEqual(['c1', 'c2']);
    expect(await k('-n', ns, 'get', 'configmaps', '-l', 'tier=front', '-o', 'name')).toBe('configmap/c1\n');
    expect(await k('-n', ns, 'get', 'deployment', 'api', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    expect(await k('get', 'namespace', ns, '-o', 'jsonpath={.status.phase}')).toBe('Active');
  });

  it('watches a change made meanwhile', async () => {
    const watch = kubectlStream(server, ['-n', ns, 'get', 'configmaps', '--watch', '--output-watch-events'], {
      version,
    });
    try {
      await watch.waitFor(/ADDED\s+c2\s/);
      await k('-n', ns, 'label', 'configmap', 'c2', 'seen=yes');
      await watch.waitFor(/MODIFIED\s+c2\s/);
      await k('-n', ns, 'delete', 'configmap', 'c2');
      await watch.waitFor(/DELETED\s+c2\s/);
    } finally {
      await watch.kill();
    }
  });

  it('deletes, down to the namespace', async () => {
    expect(await k('-n', ns, 'delete', 'configmap', 'c1')).toBe('configmap "c1" deleted\n');
    const gone = await kubectl(server, ['-n', ns, 'get', 'configmap', 'c1'], { version });
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): configmaps "c1" not found');
    await k('delete', 'namespace', ns, '--timeout=60s');
    await pollUntil(
      `etcd to hold nothing of namespace ${ns}`,
      async () => (await etcdctl(etcd, ['get', '--prefix', '--keys-only', '/registry/'])).toString(),
      (keys) => !keys.split('\n').some((key) => key.includes(`/${ns}/`) || key.endsWith(`/${ns}`)),
    );
  });
});

/**
 * Two servers on one etcd (sharing the cluster's certificates): only the holder of the Lease
 * kube-system/kube-controller-manager runs the controllers; when it dies (kill -9, no release) the
 * other takes the Lease over after its duration and the controllers work again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPkiPaths } from '../../src/pki/cluster.js';
import { startEtcd, type TestEtcd } from '../../src/storage/testing/etcd.js';
import { kubectlOk } from '../support/kubectl.js';
import { uniqueName } from '../support/manifests.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

let etcd: TestEtcd;
let a: TestServer;
let b: TestServer;

/** A log line of the controller manager (not of the scheduler, elected on its own Lease). */
const logged = (s: TestServer, msg: string): boolean =>
  s
    .log()
    .split('\n')
    .some((l) => l.includes('"component":"kube-controller-manager"') && l.includes(`"msg":"${msg}"`));
const leads = (s: TestServer): boolean => logged(s, 'became leader');
const ranControllers = (s: TestServer): boolean => logged(s, 'starting controller');

interface Lease {
  spec?: { holderIdentity?: string; leaseTransitions?: number };
}

async function lease(s: TestServer): Promise<Lease> {
  const out = await kubectlOk(s, [
    'get',
    'lease',
    '-n',
    'kube-system',
    'kube-controller-manager',
    '-o',
    'json',
  ]);
  return JSON.parse(out) as Lease;
}

beforeAll(async () => {
  etcd = await startEtcd();
  a = await startServer({ etcd, args: ['--secrets-encryption', 'false'] });
  b = await startServer({
    etcd,
    args: ['--secrets-encryption', 'false'],
    // One cluster: the second server uses the first one's certificate authorities.
    prepare: (dataDir) => {
      const from = clusterPkiPaths(a.dataDir);
      const to = clusterPkiPaths(dataDir);
      fs.mkdirSync(to.dir, { recursive: true, mode: 0o700 });
      for (const f of ['serverCaCert', 'serverCaKey', 'clientCaCert', 'clientCaKey'] as const)
        fs.copyFileSync(from[f], path.join(to.dir, path.basename(from[f])));
    },
  });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await etcd?.stop();
});

describe('leader election on etcd', () => {
  let leader: TestServer;
  let follower: TestServer;

  it('exactly one server holds the lease and runs the controllers', async () => {
    await pollUntil('one server to become leader', () => leads(a) || leads(b), Boolean, {
      timeoutMs: 30_000,
    });
    leader = leads(a) ? a : b;
    follower = leader === a ? b : a;
    expect(leads(follower)).toBe(false);
    expect(ranControllers(leader)).toBe(true);
    expect(ranControllers(follower)).toBe(false);
    const held = await lease(follower);
    expect(held.spec?.holderIdentity).toMatch(/_[0-9a-f-]{36}$/);
  });

  it('the other server takes over when the leader is killed, and the controllers work again', async () => {
    const before = await lease(follower);
    await leader.kill();
    await pollUntil('the follower to take the lease over', () => leads(follower), Boolean, {
      timeoutMs: 40_000,
      intervalMs: 200,
    });
    const after = await lease(follower);
    expect(after.spec?.holderIdentity).not.toBe(before.spec?.holderIdentity);
    expect(after.spec?.leaseTransitions).toBe((before.spec?.leaseTransitions ?? 0) + 1);
    // The service account controller runs only on the leader: a new namespace gets its `default`.
    const ns = uniqueName('le');
    await kubectlOk(follower, ['create', 'namespace', ns]);
    await pollUntil(
      'the default service account in the new namespace',
      () => kubectlOk(follower, ['get', 'serviceaccounts', '-n', ns, '-o', 'name']),
      (out) => out.includes('serviceaccount/default'),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  }, 90_000);
});

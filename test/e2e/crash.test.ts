/**
 * Issue 2 acceptance, crash safety: a burst of 500 ConfigMap creates (32 in flight, HTTPS, admin
 * client certificate), the server killed with SIGKILL in the middle, restarted on the same data:
 * every create that was answered 201 is there. On the embedded SQLite and on etcd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../../src/storage/testing/etcd.js';
import { burst } from '../support/burst.js';
import { configMap, uniqueName } from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

const TOTAL = 500;
const IN_FLIGHT = 32;
/** Kill once this many creates were acknowledged. */
const KILL_AFTER = 150;

async function crashDuringBurst(server: TestServer): Promise<void> {
  const ns = await createNamespace(server, uniqueName('crash'));
  let killing: Promise<void> | undefined;
  const result = await burst(
    (i) =>
      server.admin.request(
        'POST',
        `/api/v1/namespaces/${ns}/configmaps`,
        configMap(ns, `cm-${i}`, { i: String(i) }),
        {
          timeoutMs: 10_000,
        },
      ),
    {
      count: TOTAL,
      inFlight: IN_FLIGHT,
      onAck: (n) => {
        if (n >= KILL_AFTER && !killing) killing = server.kill();
      },
    },
  );
  expect(killing, 'the server was never killed: fewer acknowledgements than expected').toBeDefined();
  await killing;
  // The kill came mid-burst: some creates never got an answer.
  expect(result.acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
  expect(result.acked.size).toBeLessThan(TOTAL);
  expect([...result.refused.values()], 'HTTP answers other than 201').toEqual([]);

  await server.start();
  const list = await getPath<{ items: { metadata: { name: string }; data: { i: string } }[] }>(
    server,
    `/api/v1/namespaces/${ns}/configmaps`,
  );
  const present = new Map((list?.items ?? []).map((cm) => [cm.metadata.name, cm.data.i]));
  const lost = [...result.acked].filter((i) => present.get(`cm-${i}`) !== String(i));
  expect(lost, `acknowledged creates missing after the restart (${present.size} present)`).toEqual([]);
  // The restarted server takes writes again.
  await create(server, configMap(ns, 'after-restart'));
}

describe('SQLite', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('keeps every acknowledged create across kill -9', async () => {
    await crashDuringBurst(server);
  });
});

describe('etcd', () => {
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

  it('keeps every acknowledged create across kill -9', async () => {
    await crashDuringBurst(server);
  });
});

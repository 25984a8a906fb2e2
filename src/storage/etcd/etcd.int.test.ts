import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CompactedError, KeyExistsError } from '../backend.js';
import { describeBackendConformance } from '../conformance.js';
import { startEtcd, freePort, type TestEtcd } from '../testing/etcd.js';
import { makeTestPki } from '../testing/tls.js';
import { recordWatch } from '../testing/wait.js';
import { componentLogger } from '../../util/log.js';
import { EtcdClient } from './client.js';
import { EtcdBackend, type EtcdBackendOptions } from './etcd.js';

let etcd: Promise<TestEtcd> | undefined;
let cases = 0;

/** One etcd for the whole file; every backend gets its own key prefix on it. */
function sharedEtcd(): Promise<TestEtcd> {
  etcd ??= startEtcd();
  return etcd;
}

afterAll(async () => {
  if (etcd) await (await etcd).stop();
});

async function openBackend(extra: Partial<EtcdBackendOptions> = {}): Promise<EtcdBackend> {
  const server = await sharedEtcd();
  const backend = new EtcdBackend({
    endpoints: server.endpoint,
    keyPrefix: `/k8ts-test-${process.pid}-${++cases}`,
    ...extra,
  });
  await backend.start();
  return backend;
}

describeBackendConformance('etcd', async () => {
  const backend = await openBackend();
  return { backend, cleanup: () => backend.close() };
});

describe('etcd backend', () => {
  it('fails to start with a clear message when etcd is unreachable', async () => {
    const port = await freePort();
    const backend = new EtcdBackend({ endpoints: `http://127.0.0.1:${port}`, requestTimeoutMs: 2000 });
    await expect(backend.start()).rejects.toThrow(`cannot reach etcd at http://127.0.0.1:${port}`);
  });

  it('keeps working when one of several endpoints is down', async () => {
    const server = await sharedEtcd();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const backend = await openBackend({ endpoints: `${dead},${server.endpoint}` });
    try {
      for (let i = 0; i < 30; i++) await backend.create(`/registry/pods/default/p${i}`, Buffer.from('x'));
      expect((await backend.count('/registry/pods/')).count).toBe(30);
    } finally {
      await backend.close();
    }
  });

  it('keeps its keys under keyPrefix, apart from other prefixes', async () => {
    const one = await openBackend();
    const two = await openBackend();
    try {
      await one.create('/registry/pods/default/a', Buffer.from('one'));
      await two.create('/registry/pods/default/a', Buffer.from('two'));
      expect((await one.get('/registry/pods/default/a')).kv?.value.toString()).toBe('one');
      expect((await two.list('/registry/')).kvs.map((kv) => kv.key)).toEqual(['/registry/pods/default/a']);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('reports a compaction done by another server through compact_rev_key', async () => {
    const server = await sharedEtcd();
    const prefix = `/k8ts-shared-${process.pid}`;
    const writer = new EtcdBackend({ endpoints: server.endpoint, keyPrefix: prefix });
    const reader = new EtcdBackend({ endpoints: server.endpoint, keyPrefix: prefix });
    await writer.start();
    await reader.start();
    try {
      const a = await writer.create('/registry/pods/default/a', Buffer.from('1'));
      const a2 = await writer.update(a.key, Buffer.from('2'), a.modRevision);
      await writer.compact(a2.modRevision);
      expect(await reader.compactRevision()).toBe(a2.modRevision);
      const err = await reader.get(a.key, a.modRevision).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CompactedError);
      const rec = recordWatch(reader, '/registry/pods/', a.modRevision);
      expect(await rec.waitForError()).toBeInstanceOf(CompactedError);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('talks to etcd over TLS with a client certificate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-etcd-tls-'));
    const pki = await makeTestPki(dir);
    const server = await startEtcd({
      tls: {
        caFile: pki.caFile,
        certFile: pki.serverCertFile,
        keyFile: pki.serverKeyFile,
        clientCertFile: pki.clientCertFile,
        clientKeyFile: pki.clientKeyFile,
      },
    });
    const backend = new EtcdBackend({
      endpoints: server.endpoint,
      tls: { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile },
    });
    try {
      expect(server.endpoint).toMatch(/^https:/);
      await backend.start();
      const kv = await backend.create('/registry/secrets/default/s', Buffer.from('over tls'));
      const rec = recordWatch(backend, '/registry/secrets/', kv.modRevision - 1);
      expect((await rec.waitForEvents(1))[0]?.kv).toEqual(kv);
      rec.watcher.cancel();

      // Without a client certificate etcd refuses the connection.
      const anonymous = new EtcdBackend({
        endpoints: server.endpoint,
        tls: { caFile: pki.caFile },
        requestTimeoutMs: 3000,
      });
      await expect(anonymous.start()).rejects.toThrow(/cannot reach etcd/);
    } finally {
      await backend.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the Maintenance Status of the member it talks to', async () => {
    const server = await sharedEtcd();
    const client = new EtcdClient({ endpoints: [server.endpoint], logger: componentLogger('etcd-test') });
    try {
      const status = await client.status();
      expect(status.version).toMatch(/^3\.\d+\.\d+/);
      expect(status.leader).toBeGreaterThan(0);
      expect(status.revision).toBeGreaterThan(0);
      expect(status.dbSize).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it("lists and replays answers far larger than gRPC's 4 MiB default", async () => {
    const backend = await openBackend();
    try {
      const start = await backend.currentRevision();
      const big = Buffer.alloc(256 * 1024, 'v');
      for (let i = 0; i < 40; i++)
        await backend.create(`/registry/secrets/default/s${String(i).padStart(2, '0')}`, big);
      const all = await backend.list('/registry/secrets/');
      expect(all.kvs).toHaveLength(40);
      expect(all.kvs.every((kv) => kv.value.equals(big))).toBe(true);
      const rec = recordWatch(backend, '/registry/secrets/', start);
      const events = await rec.waitForEvents(40);
      expect(events.map((e) => e.kv.key)).toEqual(all.kvs.map((kv) => kv.key));
      expect(events.every((e) => e.kv.value.equals(big))).toBe(true);
      rec.watcher.cancel();
    } finally {
      await backend.close();
    }
  });

  it('never repeats a create across an etcd crash, and keeps every acknowledged one', async () => {
    const server = await startEtcd();
    const backend = new EtcdBackend({ endpoints: server.endpoint, requestTimeoutMs: 3000 });
    try {
      await backend.start();
      const acknowledged: string[] = [];
      const failures: unknown[] = [];
      let running = true;
      let seq = 0;
      const worker = async (): Promise<void> => {
        while (running) {
          const key = `/registry/configmaps/default/c${seq++}`;
          try {
            await backend.create(key, Buffer.from('x'));
            acknowledged.push(key);
          } catch (err) {
            failures.push(err);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };
      const workers = Array.from({ length: 16 }, () => worker());
      while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(server.pid, 'SIGKILL');
      await server.restart();
      const after = acknowledged.length;
      while (acknowledged.length < after + 200) await new Promise((resolve) => setTimeout(resolve, 10));
      running = false;
      await Promise.all(workers);
      // A create repeated after it had committed would fail with "already exists" for its own key.
      expect(failures.filter((e) => e instanceof KeyExistsError)).toEqual([]);
      const stored = new Set((await backend.list('/registry/configmaps/')).kvs.map((kv) => kv.key));
      expect(acknowledged.filter((k) => !stored.has(k))).toEqual([]);
    } finally {
      await backend.close();
      await server.stop();
    }
  });

  it('resumes watches without gaps or repeats when etcd restarts', async () => {
    const server = await startEtcd();
    const backend = new EtcdBackend({ endpoints: server.endpoint });
    try {
      await backend.start();
      const start = await backend.currentRevision();
      const rec = recordWatch(backend, '/registry/pods/', start);
      const revs: number[] = [];
      for (let i = 0; i < 10; i++)
        revs.push((await backend.create(`/registry/pods/default/a${i}`, Buffer.from('x'))).modRevision);
      await rec.waitForEvents(10);
      await server.restart();
      for (let i = 0; i < 10; i++) {
        for (let attempt = 0; ; attempt++) {
          try {
            revs.push((await backend.create(`/registry/pods/default/b${i}`, Buffer.from('y'))).modRevision);
            break;
          } catch (err) {
            // The client reconnects on its own; a write racing the restart may fail once.
            if (attempt > 20) throw err;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
      await rec.waitForEvents(20, 20_000);
      expect(rec.events.map((e) => e.kv.modRevision)).toEqual(revs);
      expect(rec.errors).toEqual([]);
      rec.watcher.cancel();
    } finally {
      await backend.close();
      await server.stop();
    }
  });
  it('a watch without prevKv sees every create, update and delete in order, without previous values', async () => {
    const backend = await openBackend();
    try {
      const start = await backend.currentRevision();
      const lean = recordWatch(backend, '/registry/configmaps/', start, { prevKv: false });
      const full = recordWatch(backend, '/registry/configmaps/', start);
      const a1 = await backend.create('/registry/configmaps/default/a', Buffer.from('a1'));
      const a2 = await backend.update('/registry/configmaps/default/a', Buffer.from('a2'), a1.modRevision);
      const b1 = await backend.create('/registry/configmaps/default/b', Buffer.from('b1'));
      const del = await backend.delete('/registry/configmaps/default/a', a2.modRevision);
      const wanted = [
        ['put', '/registry/configmaps/default/a', a1.modRevision],
        ['put', '/registry/configmaps/default/a', a2.modRevision],
        ['put', '/registry/configmaps/default/b', b1.modRevision],
        ['delete', '/registry/configmaps/default/a', del.revision],
      ];
      const events = await lean.waitForEvents(4);
      expect(events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual(wanted);
      expect(events.map((e) => e.prevKv)).toEqual([undefined, undefined, undefined, undefined]);
      expect(events.slice(0, 3).map((e) => e.kv.value.toString())).toEqual(['a1', 'a2', 'b1']);
      expect(events[1]?.kv.createRevision).toBe(a1.modRevision);
      // The default still carries previous values, for watchers that do not keep them.
      const withPrev = await full.waitForEvents(4);
      expect(withPrev.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual(wanted);
      expect(withPrev[1]?.prevKv).toEqual(a1);
      expect(withPrev[3]?.prevKv).toEqual(a2);
      expect(withPrev[3]?.kv.value.toString()).toBe('a2');
      lean.watcher.cancel();
      full.watcher.cancel();
    } finally {
      await backend.close();
    }
  });
});

/**
 * Issue 2 acceptance, encryption at rest: a Secret's value (a distinctive random string) appears in
 * no file of the SQLite data dir (database, -wal, -shm), nor in etcd's files or in what `etcdctl get`
 * returns, neither as plain text nor base64-encoded; a ConfigMap value written alongside is found
 * there, so the scan can see stored data at all. The Secret still reads back through the API.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../../src/storage/testing/etcd.js';
import { etcdctl } from '../support/etcdctl.js';
import { kubectlOk } from '../support/kubectl.js';
import { configMap, uniqueName } from '../support/manifests.js';
import { create, createNamespace } from '../support/objects.js';
import { startServer, type TestServer } from '../support/server.js';

/** Every regular file under `dir`. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** The files under `dir` that contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const bytes = Buffer.from(needle);
  return filesUnder(dir).filter((f) => fs.readFileSync(f).includes(bytes));
}

/** The forms a value takes when stored unencrypted. */
function forms(value: string): string[] {
  return [value, Buffer.from(value).toString('base64')];
}

interface Planted {
  ns: string;
  secretValue: string;
  configValue: string;
}

/** Stores a Secret and a ConfigMap with random values and checks the Secret reads back. */
async function plant(server: TestServer): Promise<Planted> {
  const ns = await createNamespace(server, uniqueName('at-rest'));
  const secretValue = `k8ts-secret-${crypto.randomBytes(16).toString('hex')}`;
  const configValue = `k8ts-config-${crypto.randomBytes(16).toString('hex')}`;
  await create(server, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-password', namespace: ns },
    type: 'Opaque',
    stringData: { password: secretValue },
  });
  await create(server, configMap(ns, 'plain', { value: configValue }));
  const read = await kubectlOk(server, [
    '-n',
    ns,
    'get',
    'secret',
    'db-password',
    '-o',
    'jsonpath={.data.password}',
  ]);
  expect(Buffer.from(read, 'base64').toString()).toBe(secretValue);
  return { ns, secretValue, configValue };
}

describe('SQLite', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('no file of the data dir holds the Secret value', async () => {
    const p = await plant(server);
    const dbFiles = filesUnder(server.dataDir).map((f) => path.relative(server.dataDir, f));
    expect(dbFiles.some((f) => f.endsWith('.db'))).toBe(true);
    // The scan sees stored data: the ConfigMap value is there (db or WAL).
    expect(filesContaining(server.dataDir, p.configValue)).not.toEqual([]);
    for (const form of forms(p.secretValue)) expect(filesContaining(server.dataDir, form), form).toEqual([]);
    // Also once the server has stopped and SQLite has checkpointed its WAL into the database.
    await server.shutdown();
    for (const form of forms(p.secretValue)) expect(filesContaining(server.dataDir, form), form).toEqual([]);
    await server.start();
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

  it("neither etcd's files nor etcdctl get show the Secret value", async () => {
    const p = await plant(server);
    const secrets = await etcdctl(etcd, ['get', '--prefix', '/registry/secrets/']);
    expect(secrets.includes(Buffer.from(`/registry/secrets/${p.ns}/db-password`))).toBe(true);
    for (const form of forms(p.secretValue)) expect(secrets.includes(Buffer.from(form)), form).toBe(false);
    const configs = await etcdctl(etcd, ['get', '--prefix', `/registry/configmaps/${p.ns}/`]);
    expect(configs.includes(Buffer.from(p.configValue))).toBe(true);

    expect(filesContaining(etcd.dataDir, p.configValue)).not.toEqual([]);
    for (const form of forms(p.secretValue)) expect(filesContaining(etcd.dataDir, form), form).toEqual([]);
    // Nothing in the k8ts data dir either (it keeps only certificates and keys with etcd).
    for (const form of forms(p.secretValue)) expect(filesContaining(server.dataDir, form), form).toEqual([]);
  });
});

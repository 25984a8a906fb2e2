import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import {
  AesGcmTransformer,
  encryptionKeyFile,
  identityTransformer,
  loadOrCreateEncryptionKeys,
  reencryptPrefix,
  removeOldEncryptionKeys,
  rotateEncryptionKey,
  type EncryptionKey,
} from './encryption.js';
import { SqliteBackend } from './sqlite/sqlite.js';

const key = (name: string): EncryptionKey => ({ name, secret: crypto.randomBytes(32) });
const SECRET_KEY = '/registry/secrets/default/db';

describe('AesGcmTransformer', () => {
  const k1 = key('key1');
  const t = new AesGcmTransformer([k1]);

  it('round-trips values in upstream aesgcm form, with a fresh nonce each time', () => {
    const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
    const stored = t.toStorage(plain, SECRET_KEY);
    expect(stored.subarray(0, 23).toString()).toBe('k8s:enc:aesgcm:v1:key1:');
    expect(stored.length).toBe(23 + 12 + plain.length + 16);
    expect(stored.includes(Buffer.from('password'))).toBe(false);
    expect(t.fromStorage(stored, SECRET_KEY)).toEqual({ value: plain, stale: false });
    expect(t.toStorage(plain, SECRET_KEY).equals(stored)).toBe(false);
    const empty = t.toStorage(Buffer.alloc(0), SECRET_KEY);
    expect(t.fromStorage(empty, SECRET_KEY).value.length).toBe(0);
  });

  it('detects a changed tag, ciphertext or nonce', () => {
    const stored = t.toStorage(Buffer.from('top secret'), SECRET_KEY);
    for (const at of [stored.length - 1, stored.length - 20, 23 + 2]) {
      const bad = Buffer.from(stored);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      expect(() => t.fromStorage(bad, SECRET_KEY)).toThrow(/was altered or belongs to another key/);
    }
    expect(() => t.fromStorage(stored.subarray(0, 30), SECRET_KEY)).toThrow(/truncated/);
  });

  it('refuses a value moved under another storage key', () => {
    const stored = t.toStorage(Buffer.from('top secret'), SECRET_KEY);
    expect(() => t.fromStorage(stored, '/registry/secrets/default/other')).toThrow(
      'cannot decrypt /registry/secrets/default/other with key key1',
    );
  });

  it('reads plaintext as stale, so encryption can be switched on for existing data', () => {
    const plain = Buffer.from('{"kind":"Secret"}');
    expect(t.fromStorage(plain, SECRET_KEY)).toEqual({ value: plain, stale: true });
  });

  it('decrypts with every key, encrypts with the first, and reports old-key values stale', () => {
    const k2 = key('key2');
    const old = t.toStorage(Buffer.from('v'), SECRET_KEY);
    const rotated = new AesGcmTransformer([k2, k1]);
    expect(rotated.fromStorage(old, SECRET_KEY)).toEqual({ value: Buffer.from('v'), stale: true });
    const fresh = rotated.toStorage(Buffer.from('v'), SECRET_KEY);
    expect(fresh.subarray(0, 23).toString()).toBe('k8s:enc:aesgcm:v1:key2:');
    expect(rotated.fromStorage(fresh, SECRET_KEY).stale).toBe(false);
    expect(() => t.fromStorage(fresh, SECRET_KEY)).toThrow('encryption key "key2" is not configured');
  });

  it('refuses values of providers it does not have, and bad keys', () => {
    expect(() => t.fromStorage(Buffer.from('k8s:enc:kms:v2:foo:xxxx'), SECRET_KEY)).toThrow(
      /provider k8ts does not have \(k8s:enc:kms:v2\)/,
    );
    expect(() => new AesGcmTransformer([])).toThrow(/at least one key/);
    expect(() => new AesGcmTransformer([{ name: 'short', secret: Buffer.alloc(16) }])).toThrow(/32 bytes/);
    expect(() => new AesGcmTransformer([key('a:b')])).toThrow(/invalid encryption key name/);
    expect(() => new AesGcmTransformer([k1, k1])).toThrow(/duplicate/);
  });

  it('identity passes plaintext through and refuses ciphertext', () => {
    expect(identityTransformer.fromStorage(Buffer.from('x'), SECRET_KEY)).toEqual({
      value: Buffer.from('x'),
      stale: false,
    });
    const stored = t.toStorage(Buffer.from('v'), SECRET_KEY);
    expect(() => identityTransformer.fromStorage(stored, SECRET_KEY)).toThrow(/encryption is not configured/);
  });
});

describe('encryption keys and rotation', () => {
  let dataDir: string;
  let backend: SqliteBackend;
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-enc-'));
    backend = new SqliteBackend({ path: path.join(dataDir, 'db', 'state.db') });
    await backend.start();
  });
  afterEach(async () => {
    await backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a private key file once and reads the same keys back', () => {
    const keys = loadOrCreateEncryptionKeys(dataDir);
    const file = encryptionKeyFile(dataDir);
    expect(file).toBe(path.join(dataDir, 'cred', 'encryption-keys.json'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.secret.length).toBe(32);
    expect(loadOrCreateEncryptionKeys(dataDir)).toEqual(keys);
  });

  it('explains a broken key file', () => {
    const file = encryptionKeyFile(dataDir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"keys": [');
    expect(() => loadOrCreateEncryptionKeys(dataDir)).toThrow(/is not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ keys: [{ name: 'k', secret: 'c2hvcnQ=' }] }));
    expect(() => loadOrCreateEncryptionKeys(dataDir)).toThrow(/must be 32 bytes/);
  });

  it('rotates: new primary, re-encrypt stale secrets (plaintext too), drop old keys', async () => {
    const t1 = new AesGcmTransformer(loadOrCreateEncryptionKeys(dataDir));
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const n of names) {
      const k = `/registry/secrets/default/${n}`;
      await backend.create(k, t1.toStorage(Buffer.from(`secret-${n}`), k));
    }
    // Written before encryption was switched on.
    await backend.create('/registry/secrets/default/plain', Buffer.from('secret-plain'));
    await backend.create('/registry/configmaps/default/cm', Buffer.from('not a secret'));

    const rotated = rotateEncryptionKey(dataDir);
    expect(rotated.map((k) => k.name)).toEqual(['key2', 'key1']);
    const t2 = new AesGcmTransformer(rotated);
    const res = await reencryptPrefix(backend, t2, '/registry/secrets/', { pageSize: 2 });
    expect(res).toEqual({ scanned: 6, rewritten: 6 });
    expect(await reencryptPrefix(backend, t2, '/registry/secrets/')).toEqual({ scanned: 6, rewritten: 0 });

    const remaining = removeOldEncryptionKeys(dataDir);
    expect(remaining.map((k) => k.name)).toEqual(['key2']);
    const t3 = new AesGcmTransformer(loadOrCreateEncryptionKeys(dataDir));
    for (const kv of (await backend.list('/registry/secrets/')).kvs) {
      const { value, stale } = t3.fromStorage(kv.value, kv.key);
      expect(stale).toBe(false);
      expect(value.toString()).toBe(`secret-${kv.key.split('/').pop()}`);
    }
    expect((await backend.get('/registry/configmaps/default/cm')).kv?.value.toString()).toBe('not a secret');
    expect(rotateEncryptionKey(dataDir).map((k) => k.name)).toEqual(['key3', 'key2']);
  });

  it('re-encryption retries when a writer changes the value underneath it', async () => {
    const t1 = new AesGcmTransformer([key('key1')]);
    const k = '/registry/secrets/default/busy';
    const first = await backend.create(k, Buffer.from('v1'));
    let raced = false;
    const update: Backend['update'] = async (key, value, expected) => {
      if (!raced) {
        raced = true;
        await backend.update(k, Buffer.from('v2 from another writer'), first.modRevision);
      }
      return backend.update(key, value, expected);
    };
    const racing = new Proxy<Backend>(backend, {
      get(target, prop) {
        if (prop === 'update') return update;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
      },
    });
    expect(await reencryptPrefix(racing, t1, '/registry/secrets/')).toEqual({ scanned: 1, rewritten: 1 });
    const { kv } = await backend.get(k);
    if (!kv) throw new Error('secret vanished');
    expect(t1.fromStorage(kv.value, k)).toEqual({
      value: Buffer.from('v2 from another writer'),
      stale: false,
    });
  });
});

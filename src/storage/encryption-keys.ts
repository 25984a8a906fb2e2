/**
 * The encryption key file, `DATA/cred/encryption-keys.json` (mode 0600 in a 0700 directory):
 *
 * ```json
 * { "keys": [ { "name": "key2", "secret": "<base64 of 32 bytes>" }, { "name": "key1", "secret": "…" } ] }
 * ```
 *
 * The first key is the primary (it encrypts); every listed key decrypts. Rotation is: add a new
 * primary ({@link rotateEncryptionKey}), restart or reload, rewrite stale values (reencryptPrefix),
 * then drop the old keys ({@link removeOldEncryptionKeys}). Writes are atomic (temp file, fsync,
 * rename), so a crash never leaves a half-written key file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One named AES-256 key. */
export interface EncryptionKey {
  name: string;
  /** 32 random bytes. */
  secret: Buffer;
}

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Checks a key's name and length; throws a message naming the key. */
export function validateEncryptionKey(k: EncryptionKey): void {
  if (!KEY_NAME.test(k.name)) {
    throw new Error(`invalid encryption key name ${JSON.stringify(k.name)}: use 1-64 of [A-Za-z0-9._-]`);
  }
  if (k.secret.length !== 32) {
    throw new Error(`encryption key ${k.name} must be 32 bytes for AES-256, not ${k.secret.length}`);
  }
}

/** Where the key file lives under the data directory. */
export function encryptionKeyFile(dataDir: string): string {
  return path.join(dataDir, 'cred', 'encryption-keys.json');
}

interface KeyFile {
  keys: Array<{ name: string; secret: string }>;
}

function parse(file: string, text: string): EncryptionKey[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`encryption key file ${file} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const keys = (data as Partial<KeyFile> | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new Error(`encryption key file ${file} has no keys (want {"keys":[{"name":…,"secret":…}]})`);
  }
  const out: EncryptionKey[] = [];
  const seen = new Set<string>();
  for (const [i, k] of keys.entries()) {
    const entry = k as Partial<{ name: unknown; secret: unknown }> | null;
    if (typeof entry?.name !== 'string' || typeof entry.secret !== 'string') {
      throw new Error(`encryption key file ${file}: keys[${i}] needs a string name and secret`);
    }
    const key: EncryptionKey = { name: entry.name, secret: Buffer.from(entry.secret, 'base64') };
    try {
      validateEncryptionKey(key);
    } catch (err) {
      throw new Error(`encryption key file ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (seen.has(key.name)) throw new Error(`encryption key file ${file}: duplicate key name ${key.name}`);
    seen.add(key.name);
    out.push(key);
  }
  return out;
}

function write(file: string, keys: EncryptionKey[]): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const body: KeyFile = { keys: keys.map((k) => ({ name: k.name, secret: k.secret.toString('base64') })) };
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, JSON.stringify(body, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

function newKey(existing: EncryptionKey[]): EncryptionKey {
  let n = existing.length + 1;
  for (const k of existing) {
    const m = /^key(\d+)$/.exec(k.name);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return { name: `key${n}`, secret: crypto.randomBytes(32) };
}

/** Reads the key file, creating it with one random key if it does not exist. Primary key first. */
export function loadOrCreateEncryptionKeys(dataDir: string): EncryptionKey[] {
  const file = encryptionKeyFile(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const keys = [newKey([])];
    write(file, keys);
    return keys;
  }
  // Keep the secrets private even if someone loosened the mode.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return parse(file, text);
}

/** Adds a new random primary key in front of the existing ones and returns the new list. */
export function rotateEncryptionKey(dataDir: string): EncryptionKey[] {
  const keys = loadOrCreateEncryptionKeys(dataDir);
  const next = [newKey(keys), ...keys];
  write(encryptionKeyFile(dataDir), next);
  return next;
}

/** Keeps only the primary key (after every value was rewritten under it) and returns it. */
export function removeOldEncryptionKeys(dataDir: string): EncryptionKey[] {
  const keys = loadOrCreateEncryptionKeys(dataDir);
  const primary = keys.slice(0, 1);
  if (keys.length > 1) write(encryptionKeyFile(dataDir), primary);
  return primary;
}

/**
 * Encryption at rest for stored values (Secrets, and anything else the server chooses).
 *
 * Stored form, as upstream's aesgcm provider writes it: `k8s:enc:aesgcm:v1:<keyName>:` followed by
 * a 12-byte random nonce, the AES-256-GCM ciphertext and the 16-byte tag. The storage key (e.g.
 * `/registry/secrets/default/db`) is the authenticated data, so a value copied under another key
 * fails to decrypt. Values without the `k8s:enc:` prefix are read as plaintext and reported stale,
 * which lets encryption be switched on for a store that already holds data; a value under a key that
 * is not the primary one is also stale. {@link reencryptPrefix} rewrites stale values.
 *
 * Key file handling lives in ./encryption-keys.ts and the rewrite loop in ./reencrypt.ts; both are
 * re-exported here.
 */
import crypto from 'node:crypto';
import { validateEncryptionKey, type EncryptionKey } from './encryption-keys.js';

export {
  encryptionKeyFile,
  loadOrCreateEncryptionKeys,
  removeOldEncryptionKeys,
  rotateEncryptionKey,
  validateEncryptionKey,
  type EncryptionKey,
} from './encryption-keys.js';
export { reencryptPrefix, type ReencryptResult } from './reencrypt.js';

/** Turns values into their stored form and back. `key` is the storage key of the value. */
export interface Transformer {
  toStorage(plain: Buffer, key: string): Buffer;
  /** `stale`: the value should be rewritten (plaintext, or not under the primary key). */
  fromStorage(stored: Buffer, key: string): { value: Buffer; stale: boolean };
}

/** Marks every encrypted value, whatever the provider. */
export const ENCRYPTED_PREFIX = 'k8s:enc:';
/** The AES-GCM provider's prefix; the key name and a colon follow it. */
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const encryptedPrefix = Buffer.from(ENCRYPTED_PREFIX);
const aesgcmPrefix = Buffer.from(AESGCM_PREFIX);

/** AES-256-GCM with several keys: the first encrypts, all decrypt. */
export class AesGcmTransformer implements Transformer {
  private readonly primary: EncryptionKey;
  private readonly primaryPrefix: Buffer;
  private readonly byName = new Map<string, Buffer>();

  constructor(keys: EncryptionKey[]) {
    const first = keys[0];
    if (!first) throw new Error('AES-GCM encryption needs at least one key');
    for (const k of keys) {
      validateEncryptionKey(k);
      if (this.byName.has(k.name)) throw new Error(`duplicate encryption key name ${k.name}`);
      this.byName.set(k.name, k.secret);
    }
    this.primary = first;
    this.primaryPrefix = Buffer.from(`${AESGCM_PREFIX}${first.name}:`);
  }

  toStorage(plain: Buffer, key: string): Buffer {
    const nonce = crypto.randomBytes(NONCE_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.primary.secret, nonce, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(key));
    const body = cipher.update(plain);
    const tail = cipher.final();
    return Buffer.concat([this.primaryPrefix, nonce, body, tail, cipher.getAuthTag()]);
  }

  fromStorage(stored: Buffer, key: string): { value: Buffer; stale: boolean } {
    if (!startsWith(stored, encryptedPrefix)) return { value: stored, stale: true };
    if (!startsWith(stored, aesgcmPrefix)) {
      throw new Error(
        `cannot decrypt ${key}: it was encrypted by a provider k8ts does not have (${providerOf(stored)})`,
      );
    }
    const nameEnd = stored.indexOf(0x3a /* : */, aesgcmPrefix.length);
    if (nameEnd < 0) throw new Error(`cannot decrypt ${key}: malformed encrypted value`);
    const name = stored.subarray(aesgcmPrefix.length, nameEnd).toString();
    const secret = this.byName.get(name);
    if (!secret)
      throw new Error(`cannot decrypt ${key}: encryption key ${JSON.stringify(name)} is not configured`);
    const data = stored.subarray(nameEnd + 1);
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new Error(`cannot decrypt ${key}: value is truncated`);
    const nonce = data.subarray(0, NONCE_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = crypto.createDecipheriv('aes-256-gcm', secret, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(key));
    decipher.setAuthTag(tag);
    let value: Buffer;
    try {
      value = Buffer.concat([
        decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (err) {
      throw new Error(
        `cannot decrypt ${key} with key ${name}: the value was altered or belongs to another key`,
        { cause: err },
      );
    }
    return { value, stale: name !== this.primary.name };
  }
}

/** No encryption: values are stored as given. Refuses encrypted values rather than returning ciphertext. */
export const identityTransformer: Transformer = {
  toStorage: (plain) => plain,
  fromStorage(stored, key) {
    if (startsWith(stored, encryptedPrefix)) {
      throw new Error(
        `cannot read ${key}: it is encrypted (${providerOf(stored)}) but encryption is not configured`,
      );
    }
    return { value: stored, stale: false };
  },
};

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** `k8s:enc:kms:v2` style label of an encrypted value, for messages. */
function providerOf(stored: Buffer): string {
  const head = stored.subarray(0, 64).toString('latin1');
  const parts = head.split(':');
  return parts.slice(0, 4).join(':');
}

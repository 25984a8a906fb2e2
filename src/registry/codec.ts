/**
 * How objects become stored values and back: JSON without metadata.resourceVersion (the store's
 * revision is the resourceVersion), optionally encrypted by a transformer (Secrets).
 */
import type { StoredObject } from '../api/meta.js';
import type { KeyValue } from '../storage/backend.js';

/** Encrypts stored values; the storage key is bound in as authenticated data. */
export interface ValueTransformer {
  toStorage(plain: Buffer, key: string): Buffer;
  fromStorage(stored: Buffer, key: string): { value: Buffer; stale: boolean };
}

export class Codec {
  constructor(private readonly transformer?: ValueTransformer) {}

  /** The stored bytes of an object (its resourceVersion is not stored). */
  encode(key: string, obj: StoredObject): Buffer {
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    const plain = Buffer.from(JSON.stringify({ ...obj, metadata: meta }));
    return this.transformer ? this.transformer.toStorage(plain, key) : plain;
  }

  /** The object a stored value holds, with resourceVersion set from its revision. */
  decode(kv: KeyValue): StoredObject {
    const plain = this.transformer ? this.transformer.fromStorage(kv.value, kv.key).value : kv.value;
    const obj = JSON.parse(plain.toString('utf8')) as StoredObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    return obj;
  }
}

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
  /**
   * Objects this process just encoded, by their stored bytes: when the store's watch hands the same
   * bytes back (the SQLite backend does, in-process), decoding is skipped and the written object is
   * adopted. Such objects are shared with the cache from then on and must not be mutated.
   */
  private readonly written = new WeakMap<Buffer, StoredObject>();
  /** The same, by key, for backends whose watch delivers copies of the bytes (etcd). */
  private readonly writtenByKey = new Map<string, { bytes: Buffer; obj: StoredObject }>();

  constructor(private readonly transformer?: ValueTransformer) {}

  /** The stored bytes of an object (its resourceVersion is not stored). */
  encode(key: string, obj: StoredObject): Buffer {
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    const plain = Buffer.from(JSON.stringify({ ...obj, metadata: meta }));
    const stored = this.transformer ? this.transformer.toStorage(plain, key) : plain;
    this.written.set(stored, obj);
    // Bounded: entries of writes that failed are dropped wholesale now and then.
    if (this.writtenByKey.size > 4096) this.writtenByKey.clear();
    this.writtenByKey.set(key, { bytes: stored, obj });
    return stored;
  }

  /** The object a stored value holds, with resourceVersion set from its revision. */
  decode(kv: KeyValue): StoredObject {
    let own = this.written.get(kv.value);
    if (own) this.written.delete(kv.value);
    else {
      const byKey = this.writtenByKey.get(kv.key);
      if (byKey && byKey.bytes.equals(kv.value)) own = byKey.obj;
    }
    if (own) {
      this.writtenByKey.delete(kv.key);
      own.metadata.resourceVersion = String(kv.modRevision);
      return own;
    }
    const plain = this.transformer ? this.transformer.fromStorage(kv.value, kv.key).value : kv.value;
    const obj = JSON.parse(plain.toString('utf8')) as StoredObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    return obj;
  }
}

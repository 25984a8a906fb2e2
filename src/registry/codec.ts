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

/**
 * The stored JSON text of an object and where its resourceVersion goes: the object's own JSON (what
 * `JSON.stringify(obj)` gives once resourceVersion is set) is the text with the member
 * `"resourceVersion":…` inserted at `at`, after a comma when `comma` is `'before'`, followed by one
 * when it is `'after'` (resourceVersion is the first of several metadata members), or alone.
 */
interface Encoding {
  text: string;
  at: number;
  comma: 'before' | 'after' | 'none';
}

/** Encodings kept for {@link Codec.json}: enough for every write of a large group commit. */
const RECENT_ENCODINGS = 1024;

/** Member names as JSON strings, cached (an object's top-level names are few and fixed by its kind). */
const quotedNames = new Map<string, string>();
function quoted(name: string): string {
  let q = quotedNames.get(name);
  if (q === undefined) {
    q = JSON.stringify(name);
    if (quotedNames.size < 1000) quotedNames.set(name, q);
  }
  return q;
}

/**
 * `JSON.stringify` of a stored object without metadata.resourceVersion, built member by member so
 * that the place of resourceVersion in the text is known: the same text as stringifying a copy
 * without it (members in the same order, `undefined` members left out).
 */
function encodeText(obj: StoredObject): Encoding {
  const top = obj as unknown as Record<string, unknown>;
  const meta = obj.metadata as unknown as Record<string, unknown>;
  const hasRv = Object.prototype.hasOwnProperty.call(meta, 'resourceVersion');
  let text = '{';
  let at = -1;
  let comma: Encoding['comma'] = 'none';
  let members = 0;
  for (const k of Object.keys(top)) {
    let v: string | undefined;
    let rvAt = -1;
    if (k === 'metadata' && hasRv) {
      // An update: the client's resourceVersion keeps its place among the other members.
      let before = 0;
      v = '{';
      for (const m of Object.keys(meta)) {
        if (m === 'resourceVersion') {
          rvAt = v.length;
          continue;
        }
        const mv = JSON.stringify(meta[m]);
        if (mv === undefined) continue;
        if (rvAt < 0) before++;
        v += `${v.length > 1 ? ',' : ''}${quoted(m)}:${mv}`;
      }
      comma = before > 0 ? 'before' : v.length > rvAt ? 'after' : 'none';
      v += '}';
    } else {
      v = JSON.stringify(top[k]);
      if (v === undefined) continue;
      if (k === 'metadata') {
        // A create: resourceVersion will be the last member once the write has its revision.
        rvAt = v.length - 1;
        comma = v.length > 2 ? 'before' : 'none';
      }
    }
    text += `${members > 0 ? ',' : ''}${quoted(k)}:`;
    if (rvAt >= 0) at = text.length + rvAt;
    text += v;
    members++;
  }
  return { text: `${text}}`, at, comma };
}

export class Codec {
  /**
   * Objects this process just encoded, by key: when the store's watch hands the same bytes back for
   * that key (the SQLite backend hands back the very Buffer, in-process; etcd a copy), decoding is
   * skipped and the written object is adopted. Such objects are shared with the cache from then on
   * and must not be mutated.
   */
  private readonly writtenByKey = new Map<string, { bytes: Buffer; obj: StoredObject }>();
  /**
   * The encodings of the objects written last (insertion order, bounded), so that the answer to a
   * write and the watch cache's JSON of the written object reuse the stored text instead of
   * serialising the object again. Written objects are not mutated after their write (the store
   * returns them and the cache adopts them), so the text stays theirs.
   */
  private readonly recent = new Map<StoredObject, Encoding>();

  constructor(private readonly transformer?: ValueTransformer) {}

  /** The stored bytes of an object (its resourceVersion is not stored). */
  encode(key: string, obj: StoredObject): Buffer {
    const enc = encodeText(obj);
    const plain = Buffer.from(enc.text);
    const stored = this.transformer ? this.transformer.toStorage(plain, key) : plain;
    // Bounded: entries of writes that failed are dropped wholesale now and then.
    if (this.writtenByKey.size > 4096) this.writtenByKey.clear();
    this.writtenByKey.set(key, { bytes: stored, obj });
    this.recent.delete(obj);
    this.recent.set(obj, enc);
    if (this.recent.size > RECENT_ENCODINGS) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
    return stored;
  }

  /**
   * `JSON.stringify(obj)` for an object this codec encoded lately and that has its resourceVersion,
   * spliced from the stored text; undefined when the encoding is no longer at hand.
   */
  json(obj: StoredObject): string | undefined {
    const enc = this.recent.get(obj);
    const rv = obj.metadata.resourceVersion;
    if (enc === undefined || enc.at < 0 || rv === undefined) return undefined;
    const member = `"resourceVersion":${JSON.stringify(rv)}`;
    const insert = enc.comma === 'before' ? `,${member}` : enc.comma === 'after' ? `${member},` : member;
    return enc.text.slice(0, enc.at) + insert + enc.text.slice(enc.at);
  }

  /** The object a stored value holds, with resourceVersion set from its revision. */
  decode(kv: KeyValue): StoredObject {
    const mine = this.writtenByKey.get(kv.key);
    if (mine !== undefined && (mine.bytes === kv.value || mine.bytes.equals(kv.value))) {
      this.writtenByKey.delete(kv.key);
      const own = mine.obj;
      own.metadata.resourceVersion = String(kv.modRevision);
      return own;
    }
    const plain = this.transformer ? this.transformer.fromStorage(kv.value, kv.key).value : kv.value;
    const obj = JSON.parse(plain.toString('utf8')) as StoredObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    return obj;
  }
}

import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../api/meta.js';
import { Codec, type ValueTransformer } from './codec.js';

const KEY = '/registry/configmaps/default/a';

function withoutRv(obj: StoredObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

function configMap(metadata: Record<string, unknown>, extra: Record<string, unknown> = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    data: { 'a.txt': 'x'.repeat(40), quote: 'say "hi"\n\u00e9\u4e2d', empty: '' },
    ...extra,
  } as StoredObject;
}

describe('Codec', () => {
  it('stores the JSON of the object without its resourceVersion', () => {
    const codec = new Codec();
    const obj = configMap({ name: 'a', namespace: 'default', resourceVersion: '7', uid: 'u' });
    expect(codec.encode(KEY, obj).toString('utf8')).toBe(withoutRv(obj));
  });

  it('answers JSON.stringify of a written object from the stored text, wherever resourceVersion sits', () => {
    const shapes: Record<string, unknown>[] = [
      // A create: no resourceVersion until the write; it becomes the last member.
      { name: 'a', namespace: 'default', uid: 'u', creationTimestamp: '2026-11-29T07:30:00Z' },
      // Updates: the client's resourceVersion keeps its place.
      { resourceVersion: '3', name: 'a', namespace: 'default' },
      { name: 'a', resourceVersion: '3', labels: { app: 'web' }, annotations: { n: 'é "q"' } },
      { name: 'a', namespace: 'default', resourceVersion: '3' },
      { resourceVersion: '3' },
      {},
      { name: 'a', skipped: undefined, resourceVersion: undefined, generation: 2 },
    ];
    for (const metadata of shapes) {
      const codec = new Codec();
      const obj = configMap(metadata, { immutable: undefined, binaryData: { b: 'AAE=' } });
      const stored = codec.encode(KEY, obj);
      expect(stored.toString('utf8')).toBe(withoutRv(obj));
      obj.metadata.resourceVersion = '42';
      expect(codec.json(obj)).toBe(JSON.stringify(obj));
    }
  });

  it('keeps the text through the watch adopting the written object', () => {
    const codec = new Codec();
    const obj = configMap({ name: 'a', namespace: 'default' });
    const value = codec.encode(KEY, obj);
    const adopted = codec.decode({ key: KEY, value, createRevision: 9, modRevision: 9 });
    expect(adopted).toBe(obj);
    expect(codec.json(adopted)).toBe(JSON.stringify(obj));
    expect(JSON.parse(codec.json(adopted) ?? '')).toMatchObject({ metadata: { resourceVersion: '9' } });
  });

  it('knows nothing of objects it did not write, nor before their resourceVersion is set', () => {
    const codec = new Codec();
    const obj = configMap({ name: 'a' });
    expect(codec.json(obj)).toBeUndefined();
    codec.encode(KEY, obj);
    expect(codec.json(obj)).toBeUndefined();
    // Read back under another key, the same bytes are not this write's: decoded afresh.
    const decoded = codec.decode({
      key: `${KEY}-other`,
      value: Buffer.from(withoutRv(obj)),
      createRevision: 3,
      modRevision: 3,
    });
    expect(decoded).not.toBe(obj);
    expect(codec.json(decoded)).toBeUndefined();
  });

  it('forgets old encodings after many later writes', () => {
    const codec = new Codec();
    const first = configMap({ name: 'first' });
    codec.encode(KEY, first);
    first.metadata.resourceVersion = '1';
    for (let i = 0; i < 1100; i++) codec.encode(`${KEY}${i}`, configMap({ name: `n${i}` }));
    expect(codec.json(first)).toBeUndefined();
  });

  it('works the same when stored values are encrypted', () => {
    const flip = (b: Buffer): Buffer => Buffer.from(b.map((x) => x ^ 0x5a));
    const transformer: ValueTransformer = {
      toStorage: (plain) => flip(plain),
      fromStorage: (stored) => ({ value: flip(stored), stale: false }),
    };
    const codec = new Codec(transformer);
    const obj = configMap({ name: 'a', namespace: 'default' });
    const stored = codec.encode(KEY, obj);
    expect(flip(stored).toString('utf8')).toBe(withoutRv(obj));
    obj.metadata.resourceVersion = '5';
    expect(codec.json(obj)).toBe(JSON.stringify(obj));
  });
});

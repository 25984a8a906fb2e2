import { describe, expect, it } from 'vitest';
import { CONTROLLERREVISIONS } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { RevisionHistory } from './history.js';
import { canonicalJSON, fnv32, fnv32a, hashString, safeEncode } from './json.js';
import {
  equalRevision,
  hashRevisionData,
  newRevision,
  nextRevision,
  revisionName,
  sortRevisions,
  templateOfRevision,
  templatePatch,
  type Revision,
} from './revision.js';

const owner = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
};

describe('canonical JSON', () => {
  it('sorts keys at every level and escapes as Go does', () => {
    expect(canonicalJSON({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJSON({ cmd: 'a<b && c>d' })).toBe('{"cmd":"a\\u003cb \\u0026\\u0026 c\\u003ed"}');
    expect(canonicalJSON({ x: undefined, y: true })).toBe('{"y":true}');
  });
});

describe('hashes', () => {
  it('computes FNV-1 and FNV-1a like Go', () => {
    expect(fnv32('')).toBe(0x811c9dc5);
    expect(fnv32('a')).toBe(0x050c5d7e);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });

  it('spells hashes with the safe alphabet', () => {
    expect(safeEncode('0123456789')).toBe('456789bcdf');
    expect(hashString(733928534)).toBe('c77f6d978');
  });

  it('hashes revision data independently of key order, perturbed by the collision count', () => {
    expect(hashRevisionData({ a: 1, b: 2 })).toBe(hashRevisionData({ b: 2, a: 1 }));
    expect(hashRevisionData({ a: 1 }, 0)).not.toBe(hashRevisionData({ a: 1 }, 1));
  });
});

describe('revisions', () => {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  };

  it('stores the template as a replacing patch and reads it back', () => {
    const data = templatePatch(template);
    expect(data).toEqual({
      spec: {
        template: {
          $patch: 'replace',
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'i', resources: {} }] },
        },
      },
    });
    expect(templateOfRevision({ data })).toEqual({
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'i', resources: {} }] },
    });
    expect(templateOfRevision({ data: 'nonsense' })).toBeUndefined();
  });

  it('names, labels and owns a new revision', () => {
    const rev = newRevision(owner, { app: 'web' }, templatePatch(template), 3, 0, { note: 'x' });
    const hash = hashRevisionData(rev.data, 0);
    expect(rev.metadata).toEqual({
      name: `web-${hash}`,
      namespace: 'default',
      labels: { app: 'web', 'controller.kubernetes.io/hash': hash },
      annotations: { note: 'x' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'web',
          uid: 'u1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(rev.revision).toBe(3);
    expect(revisionName('x'.repeat(300), 'abc')).toBe(`${'x'.repeat(223)}-abc`);
  });

  it('sorts by number, compares data, and numbers the next one', () => {
    const r = (name: string, revision: number, data: unknown): Revision => ({
      metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' },
      revision,
      data: data as Revision['data'],
    });
    const list = [r('c', 3, { a: 1 }), r('a', 1, { b: 1 }), r('b', 2, { a: 1 })];
    expect(sortRevisions(list).map((x) => x.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(equalRevision(list[0] as Revision, list[2] as Revision)).toBe(true);
    expect(nextRevision(list)).toBe(4);
    expect(nextRevision([])).toBe(1);
  });
});

describe('RevisionHistory', () => {
  it('returns the existing revision for the same data and moves to another name on a hash collision', async () => {
    const fake = new FakeClient();
    const history = new RevisionHistory(fake);
    const rev = newRevision(owner, { app: 'web' }, { spec: { template: { x: 1 } } }, 1, 0);
    const first = await history.create('web', rev, 0);
    expect(first.collisionCount).toBe(0);
    const again = await history.create('web', rev, 0);
    expect(again.revision.metadata.uid).toBe(first.revision.metadata.uid);

    // Another revision squatting on the name with different data.
    const other = newRevision(owner, { app: 'web' }, { spec: { template: { x: 2 } } }, 2, 0);
    other.metadata.name = rev.metadata.name;
    fake.put(CONTROLLERREVISIONS, { ...other, metadata: { ...other.metadata, namespace: 'other-ns' } });
    const clash = structuredClone(rev);
    clash.metadata.namespace = 'other-ns';
    const moved = await history.create('web', clash, 0);
    expect(moved.collisionCount).toBe(1);
    expect(moved.revision.metadata.name).toBe(`web-${hashRevisionData(rev.data, 1)}`);
    expect(moved.revision.metadata.labels?.['controller.kubernetes.io/hash']).toBe(
      hashRevisionData(rev.data, 1),
    );

    const renumbered = await history.renumber(first.revision, 5);
    expect(renumbered.revision).toBe(5);
    await history.delete(renumbered);
    await history.delete(renumbered);
    expect(fake.stored(CONTROLLERREVISIONS).map((r) => r.metadata.namespace)).toEqual([
      'other-ns',
      'other-ns',
    ]);
  });
});

describe('revision data bytes', () => {
  it('are written with sorted keys, as kubectl encodes the live template it compares them with', () => {
    const data = templatePatch({
      spec: { containers: [{ name: 'c', image: 'i' }] },
      metadata: { labels: { z: '1', a: '2' } },
    });
    expect(JSON.stringify(data)).toBe(canonicalJSON(data));
    expect(JSON.stringify(data)).toBe(
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"a":"2","z":"1"}},"spec":{"containers":[{"image":"i","name":"c","resources":{}}]}}}}',
    );
  });
});

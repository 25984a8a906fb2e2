import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import { openSqliteServed, type SqliteServed } from '../../apiserver/testing/sqlite-served.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import { logger } from '../../util/log.js';
import { GarbageCollector } from './gc.js';

let fixture: SqliteServed;
let served: ServedResources;
const now = new Date('2026-11-29T08:00:00Z');
const clock = { now: () => now };
const log = logger.child({});
log.level = 'silent';
const ctx: StrategyContext = {
  user: { username: 'admin', groups: ['system:masters'] },
  namespace: 'default',
  now: () => now,
};

function store(plural: string, group = '', version = 'v1'): Store {
  const s = served.get(group, version, plural)?.store;
  if (!s) throw new Error(`no store for ${plural}`);
  return s;
}

/** Creates `obj` with the kind's defaults applied, as the API layer would. */
function create(plural: string, group: string, obj: StoredObject): Promise<StoredObject> {
  served.get(group, 'v1', plural)?.strategy.defaults?.(obj);
  return store(plural, group).create(obj, ctx, { dryRun: false });
}

async function pods(): Promise<string[]> {
  const cache = served.cache('', 'pods');
  return [...(cache?.values() ?? [])].map((c) => c.name).sort();
}

beforeEach(async () => {
  fixture = await openSqliteServed('gc', { clock, log });
  served = fixture.served;
  await store('namespaces').create(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as StoredObject,
    { ...ctx, namespace: '' },
    { dryRun: false },
  );
});

afterEach(() => fixture.close());

function pod(name: string, owner: { name: string; uid: string }): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.name, uid: owner.uid, controller: true },
      ],
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  } as unknown as StoredObject;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
}

describe('garbage collector', () => {
  it('keeps dependents whose owner exists when it starts over existing objects (pods before ReplicaSets)', async () => {
    const rs = await create('replicasets', 'apps', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    } as unknown as StoredObject);
    const owner = { name: 'web', uid: rs.metadata.uid ?? '' };
    await create('pods', '', pod('kept', owner));
    await create('pods', '', pod('orphan', { name: 'gone', uid: 'no-such-uid' }));

    const gc = new GarbageCollector(served, clock, log);
    gc.start();
    try {
      await settle();
      expect(await pods()).toEqual(['kept']);
    } finally {
      gc.stop();
    }
  });
});

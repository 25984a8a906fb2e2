import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import type { StoredObject } from '../api/meta.js';
import { FieldSelector } from '../api/selectors/fields.js';
import { LabelSelector, parseLabelSelector } from '../api/selectors/labels.js';
import { ServedResources } from '../apiserver/served.js';
import { SqliteBackend } from '../storage/sqlite/sqlite.js';
import { logger } from '../util/log.js';
import type { CacheEvent } from './cache/types.js';
import type { ListOptions } from './list-options.js';
import type { Store } from './store.js';
import type { StrategyContext } from './strategy.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';

let dir: string;
let backend: SqliteBackend;
let served: ServedResources;
const now = new Date('2026-11-29T08:00:00Z');
const clock = { now: () => now };

function ctx(namespace = 'default'): StrategyContext {
  return { user: { username: 'admin', groups: ['system:masters'] }, namespace, now: () => now };
}

function store(plural: string, group = '', version = 'v1'): Store {
  const s = served.get(group, version, plural)?.store;
  if (!s) throw new Error(`no store for ${plural}`);
  return s;
}

function configMap(
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = { a: '1' },
): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels },
    data,
  } as StoredObject;
}

const listAll: ListOptions = {
  labelSelector: LabelSelector.everything(),
  fieldSelector: FieldSelector.everything(),
  resourceVersion: '',
  resourceVersionMatch: '',
  limit: 0,
  continueToken: '',
};

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-store-'));
  backend = new SqliteBackend({ path: join(dir, 'state.db'), synchronous: 'NORMAL' });
  await backend.start();
  served = new ServedResources({ backend, clock, log, virtuals: {}, printerFor: () => undefined });
  await served.caches.start();
  await store('namespaces').create(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    ctx(''),
    { dryRun: false },
  );
});

afterEach(async () => {
  served.caches.stop();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('generic store', () => {
  it('creates with server-set metadata and refuses duplicates', async () => {
    const cm = await store('configmaps').create(configMap('a'), ctx(), { dryRun: false });
    expect(cm.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata.creationTimestamp).toBe('2026-11-29T08:00:00Z');
    expect(Number(cm.metadata.resourceVersion)).toBeGreaterThan(0);
    const err = await apiError(store('configmaps').create(configMap('a'), ctx(), { dryRun: false }));
    expect(err.code).toBe(409);
    expect(err.status.message).toBe('configmaps "a" already exists');
  });

  it('generates names and validates them', async () => {
    const cm = await store('configmaps').create(
      { ...configMap(''), metadata: { generateName: 'web-', namespace: 'default' } } as StoredObject,
      ctx(),
      { dryRun: false },
    );
    expect(cm.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const err = await apiError(store('configmaps').create(configMap('Bad_Name'), ctx(), { dryRun: false }));
    expect(err.code).toBe(422);
    expect(err.status.message).toContain(
      'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    );
    expect(err.status.details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('dry-run stores nothing', async () => {
    await store('configmaps').create(configMap('dry'), ctx(), { dryRun: true });
    const err = await apiError(store('configmaps').get('default', 'dry'));
    expect(err.code).toBe(404);
  });

  it('rejects a stale update with 409 and accepts a fresh one', async () => {
    const cm = await store('configmaps').create(configMap('a'), ctx(), { dryRun: false });
    const first = await store('configmaps').update('a', { ...cm, data: { a: '2' } }, ctx(), {
      dryRun: false,
      subresource: '',
    });
    expect(first.object.metadata.resourceVersion).not.toBe(cm.metadata.resourceVersion);
    const err = await apiError(
      store('configmaps').update('a', { ...cm, data: { a: '3' } }, ctx(), { dryRun: false, subresource: '' }),
    );
    expect(err.code).toBe(409);
    expect(err.status.message).toBe(
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('writes nothing for a no-op update', async () => {
    const cm = await store('configmaps').create(configMap('a'), ctx(), { dryRun: false });
    const res = await store('configmaps').update('a', structuredClone(cm), ctx(), {
      dryRun: false,
      subresource: '',
    });
    expect(res.object.metadata.resourceVersion).toBe(cm.metadata.resourceVersion);
  });

  it('bumps generation on spec changes only and keeps status out of the main resource', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
      status: { replicas: 9 },
    } as unknown as StoredObject;
    served.get('apps', 'v1', 'deployments')?.strategy.defaults?.(dep);
    const created = await store('deployments', 'apps').create(dep, ctx(), { dryRun: false });
    expect(created.metadata.generation).toBe(1);
    expect(created['status']).toEqual({});
    const labelled = await store('deployments', 'apps').mutate(
      'web',
      ctx(),
      { dryRun: false, subresource: '' },
      (d) => {
        d.metadata.labels = { x: 'y' };
        return d;
      },
    );
    expect(labelled.metadata.generation).toBe(1);
    const scaled = await store('deployments', 'apps').mutate(
      'web',
      ctx(),
      { dryRun: false, subresource: '' },
      (d) => {
        (d['spec'] as { replicas: number }).replicas = 3;
        d['status'] = { replicas: 5 };
        return d;
      },
    );
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled['status']).toEqual({});
    const status = await store('deployments', 'apps').mutate(
      'web',
      ctx(),
      { dryRun: false, subresource: 'status' },
      (d) => {
        d['status'] = { replicas: 3 };
        (d['spec'] as { replicas: number }).replicas = 100;
        return d;
      },
    );
    expect(status['status']).toEqual({ replicas: 3 });
    expect((status['spec'] as { replicas: number }).replicas).toBe(3);
  });

  it('keeps objects with finalizers until the last one is removed', async () => {
    await store('configmaps').create(
      {
        ...configMap('f'),
        metadata: { name: 'f', namespace: 'default', finalizers: ['example.com/hold'] },
      } as StoredObject,
      ctx(),
      { dryRun: false },
    );
    const res = await store('configmaps').delete('f', ctx(), { dryRun: false });
    expect(res.deleted).toBe(false);
    expect(res.object.metadata.deletionTimestamp).toBe('2026-11-29T08:00:00Z');
    const err = await apiError(
      store('configmaps').mutate('f', ctx(), { dryRun: false, subresource: '' }, (o) => {
        o.metadata.finalizers = ['example.com/hold', 'example.com/new'];
        return o;
      }),
    );
    expect(err.status.message).toContain('no new finalizers can be added if the object is being deleted');
    await store('configmaps').mutate('f', ctx(), { dryRun: false, subresource: '' }, (o) => {
      delete o.metadata.finalizers;
      return o;
    });
    expect((await apiError(store('configmaps').get('default', 'f'))).code).toBe(404);
  });

  it('checks delete preconditions against the stored object', async () => {
    const cm = await store('configmaps').create(configMap('p'), ctx(), { dryRun: false });
    const err = await apiError(
      store('configmaps').delete('p', ctx(), { dryRun: false, preconditions: { uid: 'other' } }),
    );
    expect(err.code).toBe(409);
    expect(err.status.message).toContain(
      `Precondition failed: UID in precondition: other, UID in object meta: ${cm.metadata.uid ?? ''}`,
    );
    const ok = await store('configmaps').delete('p', ctx(), {
      dryRun: false,
      preconditions: { uid: cm.metadata.uid },
    });
    expect(ok.deleted).toBe(true);
  });
});

describe('lists and watches from the cache', () => {
  it('paginates in key order with a consistent continue token and remaining count', async () => {
    for (let i = 0; i < 7; i++)
      await store('configmaps').create(configMap(`cm-${i}`), ctx(), { dryRun: false });
    const first = await store('configmaps').list('default', { ...listAll, limit: 3 });
    expect(first.items.map((o) => o.name)).toEqual(['cm-0', 'cm-1', 'cm-2']);
    expect(first.remainingItemCount).toBe(4);
    // A change after the first page must not show up in the later pages (same snapshot).
    await store('configmaps').create(configMap('cm-9'), ctx(), { dryRun: false });
    await store('configmaps').delete('cm-5', ctx(), { dryRun: false });
    const second = await store('configmaps').list('default', {
      ...listAll,
      limit: 3,
      continueToken: first.continueToken ?? '',
    });
    expect(second.items.map((o) => o.name)).toEqual(['cm-3', 'cm-4', 'cm-5']);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    const third = await store('configmaps').list('default', {
      ...listAll,
      limit: 3,
      continueToken: second.continueToken ?? '',
    });
    expect(third.items.map((o) => o.name)).toEqual(['cm-6']);
    expect(third.continueToken).toBeUndefined();
  });

  it('answers 410 Expired for a continue token older than the compacted history', async () => {
    for (let i = 0; i < 4; i++)
      await store('configmaps').create(configMap(`cm-${i}`), ctx(), { dryRun: false });
    const first = await store('configmaps').list('default', { ...listAll, limit: 2 });
    await store('configmaps').delete('cm-3', ctx(), { dryRun: false });
    await backend.compact(await backend.currentRevision());
    const err = await apiError(
      store('configmaps').list('default', { ...listAll, limit: 2, continueToken: first.continueToken ?? '' }),
    );
    expect(err.code).toBe(410);
    expect(err.reason).toBe('Expired');
  });

  it('filters by labels and fields', async () => {
    await store('configmaps').create(configMap('a', { app: 'web' }), ctx(), { dryRun: false });
    await store('configmaps').create(configMap('b', { app: 'db' }), ctx(), { dryRun: false });
    const res = await store('configmaps').list('default', {
      ...listAll,
      labelSelector: parseLabelSelector('app in (web)'),
    });
    expect(res.items.map((o) => o.name)).toEqual(['a']);
    const byName = await store('configmaps').list('', {
      ...listAll,
      fieldSelector: new FieldSelector([{ field: 'metadata.name', operator: '=', value: 'b' }]),
    });
    expect(byName.items.map((o) => o.name)).toEqual(['b']);
  });

  it('watches from a revision with selector transitions as ADDED/DELETED', async () => {
    const a = await store('configmaps').create(configMap('a', { app: 'web' }), ctx(), { dryRun: false });
    const events: CacheEvent[] = [];
    const w = await store('configmaps').watch(
      'default',
      {
        labelSelector: parseLabelSelector('app=web'),
        fieldSelector: FieldSelector.everything(),
        resourceVersion: a.metadata.resourceVersion ?? '',
        resourceVersionMatch: '',
        sendInitialEvents: undefined,
        allowWatchBookmarks: false,
      },
      { deliver: (ev) => (events.push(ev), true), close: () => undefined },
    );
    await store('configmaps').mutate(
      'a',
      ctx(),
      { dryRun: false, subresource: '' },
      (o) => ((o.metadata.labels = { app: 'db' }), o),
    );
    await store('configmaps').mutate(
      'a',
      ctx(),
      { dryRun: false, subresource: '' },
      (o) => ((o.metadata.labels = { app: 'web' }), o),
    );
    await store('configmaps').create(configMap('b', { app: 'web' }), ctx(), { dryRun: false });
    await store('configmaps').delete('b', ctx(), { dryRun: false });
    await served.caches.waitFresh();
    w.stop();
    expect(events.map((e) => `${e.type} ${e.object.name}`)).toEqual([
      'DELETED a',
      'ADDED a',
      'ADDED b',
      'DELETED b',
    ]);
  });

  it('replays a watch older than the cache window from the store', async () => {
    const first = await store('configmaps').create(configMap('x'), ctx(), { dryRun: false });
    // Push the event window past the first revision.
    for (let i = 0; i < 2100; i++) {
      await store('configmaps').mutate(
        'x',
        ctx(),
        { dryRun: false, subresource: '' },
        (o) => ((o['data'] = { n: String(i) }), o),
      );
    }
    const events: CacheEvent[] = [];
    const w = await store('configmaps').watch(
      'default',
      {
        labelSelector: LabelSelector.everything(),
        fieldSelector: FieldSelector.everything(),
        resourceVersion: first.metadata.resourceVersion ?? '',
        resourceVersionMatch: '',
        sendInitialEvents: undefined,
        allowWatchBookmarks: false,
      },
      { deliver: (ev) => (events.push(ev), true), close: () => undefined },
    );
    const deadline = Date.now() + 5000;
    while (events.length < 2100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    w.stop();
    expect(events.length).toBe(2100);
    expect(events[0]?.type).toBe('MODIFIED');
    expect((events[2099]?.object.object['data'] as { n: string }).n).toBe('2099');
  });
});

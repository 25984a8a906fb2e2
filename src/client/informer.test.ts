import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, apiErrors } from '../api/errors.js';
import { createInformer, type InformerOptions } from './informer.js';
import { CONFIGMAPS, NODES } from './resources.js';
import { FakeClient } from './testing/fake-client.js';
import { ManualTimers } from './testing/manual-timers.js';
import type { ApiObject, Informer } from './types.js';

/** Lets the informer's promise chains run; fails (bounded) when `cond` never holds. */
async function until(what: string, cond: () => boolean, seen: () => unknown = () => ''): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never saw ${what}; state: ${JSON.stringify(seen())}`);
}

const cm = (
  name: string,
  data: Record<string, string> = { k: 'v' },
  labels: Record<string, string> = {},
): ApiObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', labels },
  data,
});

const nameOf = (o: ApiObject): string => o.metadata.name ?? '?';

interface Harness {
  fake: FakeClient;
  timers: ManualTimers;
  informer: Informer;
  events: string[];
  ctl: AbortController;
}

const running: AbortController[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.abort();
});

function harness(opts: InformerOptions = {}, seed: ApiObject[] = []): Harness {
  const fake = new FakeClient();
  for (const o of seed) fake.put(CONFIGMAPS, o);
  const timers = new ManualTimers();
  const informer = createInformer(fake, CONFIGMAPS, {
    namespace: 'ns',
    timers,
    watchTimeoutSeconds: 300,
    logger: pino({ enabled: false }),
    ...opts,
  });
  const events: string[] = [];
  informer.addHandlers({
    add: (o) => events.push(`add ${nameOf(o)}`),
    update: (a, b) =>
      events.push(`update ${nameOf(a)} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    delete: (o) => events.push(`delete ${nameOf(o)}`),
  });
  const ctl = new AbortController();
  running.push(ctl);
  return { fake, timers, informer, events, ctl };
}

async function started(h: Harness): Promise<void> {
  h.informer.start(h.ctl.signal);
  await h.informer.waitForSync();
  await until(
    'the watch to open',
    () => h.fake.openWatches === 1,
    () => h.fake.calls,
  );
}

describe('informer', () => {
  it('lists, then watches adds, updates and deletes in order', async () => {
    const h = harness({}, [cm('a'), cm('b')]);
    expect(h.informer.hasSynced()).toBe(false);
    await started(h);
    expect(h.informer.hasSynced()).toBe(true);
    expect(h.events).toEqual(['add a', 'add b']);
    expect(h.informer.lastSyncResourceVersion()).toBe('2');
    expect(h.fake.calls).toEqual(['list configmaps ns=ns limit=500', 'watch configmaps ns=ns rv=2']);
    // List items arrive without type meta; the cache gives them the collection's.
    expect(h.informer.get('ns/a')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v' } });

    h.events.length = 0;
    h.fake.put(CONFIGMAPS, cm('c'));
    h.fake.put(CONFIGMAPS, cm('a', { k: 'v2' }));
    h.fake.remove(CONFIGMAPS, 'ns/b');
    await until(
      'three events',
      () => h.events.length === 3,
      () => h.events,
    );
    expect(h.events).toEqual(['add c', 'update a 1->4', 'delete b']);
    expect(h.informer.list().map(nameOf).sort()).toEqual(['a', 'c']);
    expect(h.informer.get('ns/a')?.['data']).toEqual({ k: 'v2' });
    expect(h.informer.get('ns/b')).toBeUndefined();
    expect(h.informer.lastSyncResourceVersion()).toBe('5');
  });

  it('runs handlers in registration order, replays the cache to late handlers, and unregisters', async () => {
    const h = harness({}, [cm('a')]);
    const order: string[] = [];
    h.informer.addHandlers({ add: (o) => order.push(`first ${nameOf(o)}`) });
    h.informer.addHandlers({
      add: () => {
        throw new Error('a handler that throws does not stop the others');
      },
    });
    const off = h.informer.addHandlers({ add: (o) => order.push(`third ${nameOf(o)}`) });
    await started(h);
    expect(order).toEqual(['first a', 'third a']);
    const late: string[] = [];
    h.informer.addHandlers({ add: (o) => late.push(nameOf(o)) });
    expect(late).toEqual(['a']);
    off();
    h.fake.put(CONFIGMAPS, cm('b'));
    await until('add b', () => late.includes('b'));
    expect(order).toEqual(['first a', 'third a', 'first b']);
  });

  it('lists in pages and takes the resourceVersion of the last page', async () => {
    const h = harness({ pageSize: 2 }, [cm('a'), cm('b'), cm('c'), cm('d'), cm('e')]);
    await started(h);
    expect(h.fake.calls).toEqual([
      'list configmaps ns=ns limit=2',
      'list configmaps ns=ns limit=2 continue=2',
      'list configmaps ns=ns limit=2 continue=4',
      'watch configmaps ns=ns rv=5',
    ]);
    expect(h.events).toEqual(['add a', 'add b', 'add c', 'add d', 'add e']);
  });

  it('falls back to one whole LIST when a continue token expired', async () => {
    const h = harness({ pageSize: 1 }, [cm('a'), cm('b')]);
    h.fake.failNext('list', apiErrors.expired('The provided continue parameter is too old'), 1);
    await started(h);
    expect(h.fake.calls).toEqual([
      'list configmaps ns=ns limit=1',
      'list configmaps ns=ns limit=1 continue=1',
      'list configmaps ns=ns',
      'watch configmaps ns=ns rv=2',
    ]);
    expect(h.events).toEqual(['add a', 'add b']);
  });

  it('re-watches from the last resourceVersion after a broken stream, with growing, capped backoff', async () => {
    const h = harness({ backoff: { initialMs: 100, maxMs: 350 } }, [cm('a')]);
    await started(h);
    h.fake.put(CONFIGMAPS, cm('b'));
    await until('add b', () => h.events.includes('add b'));
    for (let i = 0; i < 3; i++) h.fake.failNext('watch', new Error('connection refused'));
    h.fake.breakWatches();
    for (let i = 0; i < 4; i++) {
      await until(
        `backoff ${i + 1}`,
        () => h.timers.waiting().length === 1,
        () => h.timers.requested,
      );
      h.timers.fireNext();
    }
    expect(h.timers.requested).toEqual([100, 200, 350, 350]);
    await until('the watch to open again', () => h.fake.openWatches === 1);
    // Changes made while the informer was away arrive from the watch (history), no relist.
    h.fake.put(CONFIGMAPS, cm('c'));
    await until(
      'add c',
      () => h.events.includes('add c'),
      () => h.events,
    );
    expect(h.fake.calls.filter((c) => c.startsWith('list'))).toHaveLength(1);
    expect(h.fake.calls.filter((c) => c.startsWith('watch'))).toEqual([
      'watch configmaps ns=ns rv=1',
      ...Array.from({ length: 4 }, () => 'watch configmaps ns=ns rv=2'),
    ]);
    expect(h.events).toEqual(['add a', 'add b', 'add c']);
  });

  it('re-watches at once when the server ends a watch cleanly, and resets the backoff after events', async () => {
    const h = harness({ backoff: { initialMs: 100 } }, [cm('a')]);
    await started(h);
    h.timers.advance(5000); // the watch ran for a while
    h.fake.endWatches();
    await until('a second watch', () => h.fake.calls.filter((c) => c.startsWith('watch')).length === 2);
    expect(h.timers.waiting()).toEqual([]);
    // A watch the server ends at once without events counts as a failure (no hot loop).
    h.fake.endWatches();
    await until('a backoff', () => h.timers.waiting().length === 1);
    expect(h.timers.waiting()).toEqual([100]);
  });

  it('relists after a 410 ERROR event: delete for gone, update for changed, add for new', async () => {
    const h = harness({}, [cm('keep'), cm('change'), cm('gone')]);
    await started(h);
    // While the watch is down the objects change and the history is compacted away.
    h.fake.breakWatches();
    await until('a backoff', () => h.timers.waiting().length === 1);
    h.fake.put(CONFIGMAPS, cm('change', { k: 'v2' }));
    h.fake.remove(CONFIGMAPS, 'ns/gone');
    h.fake.put(CONFIGMAPS, cm('new'));
    h.fake.compact();
    h.events.length = 0;
    const keep = h.informer.get('ns/keep');
    h.timers.fireNext();
    await until(
      'the relist events',
      () => h.events.length === 3,
      () => ({ events: h.events, calls: h.fake.calls }),
    );
    expect(h.events).toEqual(['delete gone', 'update change 2->4', 'add new']);
    expect(h.informer.get('ns/keep')).toBe(keep); // unchanged objects keep their identity
    expect(h.informer.lastSyncResourceVersion()).toBe('6');
    expect(h.fake.calls.slice(-4)).toEqual([
      'watch configmaps ns=ns rv=3',
      'watch configmaps ns=ns rv=3',
      'list configmaps ns=ns limit=500',
      'watch configmaps ns=ns rv=6',
    ]);
    await until('the new watch', () => h.fake.openWatches === 1);
    h.fake.put(CONFIGMAPS, cm('after'));
    await until('add after', () => h.events.includes('add after'));
  });

  it('relists at once on an HTTP 410 and after a backoff on other ERROR events', async () => {
    const h = harness({ backoff: { initialMs: 100 } }, [cm('a')]);
    await started(h);
    h.fake.failNext('watch', apiErrors.expired('too old resource version: 1 (2)'));
    h.timers.advance(5000);
    h.fake.endWatches();
    await until(
      'a relist',
      () => h.fake.calls.filter((c) => c.startsWith('list')).length === 2,
      () => h.fake.calls,
    );
    expect(h.timers.requested).toEqual([]);
    await until('a watch', () => h.fake.openWatches === 1);
    h.fake.sendWatchError(new ApiError(500, 'InternalError', 'boom'));
    await until('a backoff', () => h.timers.waiting().length === 1);
    expect(h.fake.calls.filter((c) => c.startsWith('list'))).toHaveLength(2);
    h.timers.fireNext();
    await until(
      'a relist',
      () => h.fake.calls.filter((c) => c.startsWith('list')).length === 3,
      () => h.fake.calls,
    );
    expect(h.events).toEqual(['add a']);
  });

  it('backs off instead of relisting in a loop when a fresh list is already too old', async () => {
    const h = harness({ backoff: { initialMs: 100 } }, [cm('a')]);
    h.fake.failNext('watch', apiErrors.expired('too old resource version: 1 (2)'));
    h.informer.start(h.ctl.signal);
    await until(
      'a backoff',
      () => h.timers.waiting().length === 1,
      () => h.fake.calls,
    );
    expect(h.fake.calls).toEqual(['list configmaps ns=ns limit=500', 'watch configmaps ns=ns rv=1']);
    h.timers.fireNext();
    await until(
      'the watch',
      () => h.fake.openWatches === 1,
      () => h.fake.calls,
    );
    expect(h.fake.calls.slice(2)).toEqual(['list configmaps ns=ns limit=500', 'watch configmaps ns=ns rv=1']);
    expect(h.events).toEqual(['add a']);
  });

  it('retries a failing LIST with backoff and syncs only when it succeeds', async () => {
    const h = harness({ backoff: { initialMs: 100 } }, [cm('a')]);
    h.fake.failNext('list', apiErrors.serviceUnavailable('starting'));
    h.fake.failNext('list', new Error('ECONNREFUSED'));
    h.informer.start(h.ctl.signal);
    let synced = false;
    void h.informer.waitForSync().then(() => (synced = true));
    await until('a backoff', () => h.timers.waiting().length === 1);
    expect(synced).toBe(false);
    h.timers.fireNext();
    await until('a second backoff', () => h.timers.requested.length === 2);
    expect(h.timers.requested).toEqual([100, 200]);
    h.timers.fireNext();
    await until('sync', () => synced);
    expect(h.events).toEqual(['add a']);
  });

  it('moves the resourceVersion on bookmarks', async () => {
    const h = harness({}, [cm('a')]);
    await started(h);
    h.fake.put(NODES, { metadata: { name: 'n1' } }); // another resource moves the global revision
    h.fake.sendBookmark(CONFIGMAPS);
    await until('the bookmark', () => h.informer.lastSyncResourceVersion() === '2');
    expect(h.events).toEqual(['add a']);
  });

  it('keeps indexes current', async () => {
    const h = harness({}, []);
    h.informer.addIndex('team', (o) => [o.metadata.labels?.['team'] ?? '']);
    h.fake.put(CONFIGMAPS, cm('a', {}, { team: 'x' }));
    await started(h);
    h.fake.put(CONFIGMAPS, cm('b', {}, { team: 'x' }));
    h.fake.put(CONFIGMAPS, cm('a', {}, { team: 'y' }));
    h.fake.put(CONFIGMAPS, cm('c', {}, { team: 'y' }));
    h.fake.remove(CONFIGMAPS, 'ns/c');
    await until(
      'four events',
      () => h.events.length === 5,
      () => h.events,
    );
    expect(h.informer.byIndex('team', 'x').map(nameOf)).toEqual(['b']);
    expect(h.informer.byIndex('team', 'y').map(nameOf)).toEqual(['a']);
    expect(h.informer.byIndex('team', 'z')).toEqual([]);
    expect(() => h.informer.byIndex('nope', 'x')).toThrow('no index named "nope"');
  });

  it('resyncs cached objects as updates', async () => {
    const h = harness({ resyncMs: 60_000 }, [cm('a')]);
    await started(h);
    h.timers.advance(60_000);
    await until('a resync', () => h.events.length === 2);
    expect(h.events).toEqual(['add a', 'update a 1->1']);
  });

  it('transforms listed and watched objects before caching them and calling handlers', async () => {
    const slim = (o: ApiObject): ApiObject => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        resourceVersion: o.metadata.resourceVersion,
      },
    });
    const h = harness({ transform: slim }, [cm('a')]);
    const seen: ApiObject[] = [];
    h.informer.addHandlers({ add: (o) => seen.push(o), update: (_a, b) => seen.push(b) });
    await started(h);
    h.fake.put(CONFIGMAPS, cm('b'));
    h.fake.put(CONFIGMAPS, cm('a', { k: 'changed' }));
    await until(
      'two more events',
      () => h.events.length === 3,
      () => h.events,
    );
    expect(h.events).toEqual(['add a', 'add b', 'update a 1->3']);
    expect(h.informer.get('ns/a')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' },
    });
    expect(seen.every((o) => !('data' in o))).toBe(true);
  });

  it('stops on abort: closes the watch, and waiting for sync rejects', async () => {
    const h = harness({}, [cm('a')]);
    await started(h);
    h.ctl.abort();
    await until('the watch to close', () => h.fake.openWatches === 0);
    const never = harness({}, []);
    never.fake.failNext('list', new Error('down'));
    never.informer.start(never.ctl.signal);
    const waiting = never.informer.waitForSync();
    const own = new AbortController();
    const mine = never.informer.waitForSync(own.signal);
    own.abort();
    await expect(mine).rejects.toThrow('aborted while waiting for the informer to sync');
    never.ctl.abort();
    await expect(waiting).rejects.toThrow('stopped before it synced');
    expect(never.timers.waiting()).toEqual([]);
  });
});

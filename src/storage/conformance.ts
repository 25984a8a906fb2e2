/**
 * The behaviour every {@link Backend} must show, as a vitest suite. Each backend's test file calls
 * {@link describeBackendConformance} with a factory that opens a fresh, empty store (the etcd tests
 * give each case its own key prefix on a shared server, so revision numbers are only compared with
 * each other, never with fixed values).
 *
 * Revision rules checked here: reads at a revision r need compactRevision <= r <= currentRevision
 * ({@link CompactedError} below, {@link FutureRevisionError} above); a watch from `afterRevision`
 * needs afterRevision >= compactRevision.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, KeyValue } from './backend.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
} from './backend.js';
import { recordWatch, summarize } from './testing/wait.js';

/** What a conformance factory returns: a started, empty backend and how to dispose of it. */
export interface OpenedBackend {
  backend: Backend;
  cleanup(): Promise<void>;
}

const b = (s: string): Buffer => Buffer.from(s);
const str = (kv: KeyValue | undefined): string | undefined => kv?.value.toString();

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Registers the shared backend suite under `name`. */
export function describeBackendConformance(name: string, open: () => Promise<OpenedBackend>): void {
  describe(`${name} backend conformance`, () => {
    let opened: OpenedBackend | undefined;
    let s: Backend;

    beforeEach(async () => {
      opened = await open();
      s = opened.backend;
    });
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    describe('create, get, update, delete', () => {
      it('creates a key and reads it back', async () => {
        const kv = await s.create('/registry/pods/default/a', b('v1'));
        expect(kv.key).toBe('/registry/pods/default/a');
        expect(kv.modRevision).toBeGreaterThan(0);
        expect(kv.createRevision).toBe(kv.modRevision);
        const got = await s.get('/registry/pods/default/a');
        expect(got.kv).toEqual(kv);
        expect(str(got.kv)).toBe('v1');
        expect(got.revision).toBe(kv.modRevision);
        expect(await s.currentRevision()).toBe(kv.modRevision);
      });

      it('returns no value for a missing key, with the current revision', async () => {
        const kv = await s.create('/registry/pods/default/a', b('v1'));
        const got = await s.get('/registry/pods/default/missing');
        expect(got.kv).toBeUndefined();
        expect(got.revision).toBe(kv.modRevision);
      });

      it('refuses to create an existing key with KeyExistsError', async () => {
        await s.create('/registry/pods/default/a', b('v1'));
        const err = await rejection(s.create('/registry/pods/default/a', b('v2')));
        expect(err).toBeInstanceOf(KeyExistsError);
        expect((err as KeyExistsError).key).toBe('/registry/pods/default/a');
        expect(str((await s.get('/registry/pods/default/a')).kv)).toBe('v1');
      });

      it('updates only at the expected modRevision', async () => {
        const v1 = await s.create('/registry/pods/default/a', b('v1'));
        const v2 = await s.update('/registry/pods/default/a', b('v2'), v1.modRevision);
        expect(v2.modRevision).toBeGreaterThan(v1.modRevision);
        expect(v2.createRevision).toBe(v1.createRevision);
        expect(str(v2)).toBe('v2');
        expect((await s.get('/registry/pods/default/a')).kv).toEqual(v2);

        const err = await rejection(s.update('/registry/pods/default/a', b('v3'), v1.modRevision));
        expect(err).toBeInstanceOf(ConflictError);
        const current = (err as ConflictError).current;
        expect(current?.modRevision).toBe(v2.modRevision);
        expect(current?.createRevision).toBe(v1.createRevision);
        expect(str(current)).toBe('v2');
        expect(str((await s.get('/registry/pods/default/a')).kv)).toBe('v2');
      });

      it('fails to update a missing key with KeyNotFoundError', async () => {
        const kv = await s.create('/registry/pods/default/a', b('v1'));
        const err = await rejection(s.update('/registry/pods/default/missing', b('x'), kv.modRevision));
        expect(err).toBeInstanceOf(KeyNotFoundError);
        expect((err as KeyNotFoundError).key).toBe('/registry/pods/default/missing');
      });

      it('deletes a key, returning the deletion revision and the last value', async () => {
        const v1 = await s.create('/registry/pods/default/a', b('v1'));
        const v2 = await s.update('/registry/pods/default/a', b('v2'), v1.modRevision);
        const del = await s.delete('/registry/pods/default/a');
        expect(del.revision).toBeGreaterThan(v2.modRevision);
        expect(del.prevKv).toEqual(v2);
        expect((await s.get('/registry/pods/default/a')).kv).toBeUndefined();
        expect(await s.currentRevision()).toBe(del.revision);
        expect(await rejection(s.delete('/registry/pods/default/a'))).toBeInstanceOf(KeyNotFoundError);
        expect(await rejection(s.update('/registry/pods/default/a', b('x'), v2.modRevision))).toBeInstanceOf(
          KeyNotFoundError,
        );
      });

      it('deletes conditionally on the expected modRevision', async () => {
        const v1 = await s.create('/registry/pods/default/a', b('v1'));
        const v2 = await s.update('/registry/pods/default/a', b('v2'), v1.modRevision);
        const err = await rejection(s.delete('/registry/pods/default/a', v1.modRevision));
        expect(err).toBeInstanceOf(ConflictError);
        expect((err as ConflictError).current).toEqual(v2);
        expect((await s.get('/registry/pods/default/a')).kv).toEqual(v2);
        const del = await s.delete('/registry/pods/default/a', v2.modRevision);
        expect(del.prevKv).toEqual(v2);
        expect(await rejection(s.delete('/registry/pods/default/missing', 1))).toBeInstanceOf(
          KeyNotFoundError,
        );
      });

      it('re-creates a deleted key with a new createRevision', async () => {
        const v1 = await s.create('/registry/pods/default/a', b('v1'));
        await s.delete('/registry/pods/default/a');
        const again = await s.create('/registry/pods/default/a', b('again'));
        expect(again.createRevision).toBe(again.modRevision);
        expect(again.createRevision).toBeGreaterThan(v1.createRevision);
        expect((await s.get('/registry/pods/default/a')).kv).toEqual(again);
      });

      it('stores arbitrary bytes unchanged', async () => {
        const bytes = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]);
        await s.create('/registry/secrets/default/bin', bytes);
        expect((await s.get('/registry/secrets/default/bin')).kv?.value.equals(bytes)).toBe(true);
        const empty = await s.create('/registry/secrets/default/empty', Buffer.alloc(0));
        expect((await s.get('/registry/secrets/default/empty')).kv).toEqual(empty);
      });
    });

    describe('revisions', () => {
      it('are global and strictly increasing across keys and operations', async () => {
        const revs: number[] = [];
        const a = await s.create('/registry/pods/default/a', b('1'));
        revs.push(a.modRevision);
        const c = await s.create('/registry/configmaps/default/c', b('1'));
        revs.push(c.modRevision);
        const a2 = await s.update('/registry/pods/default/a', b('2'), a.modRevision);
        revs.push(a2.modRevision);
        revs.push((await s.delete('/registry/configmaps/default/c')).revision);
        revs.push((await s.create('/registry/pods/other/x', b('1'))).modRevision);
        for (let i = 1; i < revs.length; i++) expect(revs[i]).toBeGreaterThan(revs[i - 1] ?? 0);
        expect(await s.currentRevision()).toBe(revs[revs.length - 1]);
      });

      it('keeps createRevision across updates and moves modRevision', async () => {
        const v1 = await s.create('/registry/pods/default/a', b('1'));
        let cur = v1;
        for (let i = 2; i <= 5; i++) {
          const next = await s.update('/registry/pods/default/a', b(String(i)), cur.modRevision);
          expect(next.createRevision).toBe(v1.createRevision);
          expect(next.modRevision).toBeGreaterThan(cur.modRevision);
          cur = next;
        }
      });

      it('refuses reads at a future revision with FutureRevisionError', async () => {
        const kv = await s.create('/registry/pods/default/a', b('1'));
        const future = kv.modRevision + 1000;
        const e1 = await rejection(s.get('/registry/pods/default/a', future));
        expect(e1).toBeInstanceOf(FutureRevisionError);
        expect((e1 as FutureRevisionError).requested).toBe(future);
        expect(await rejection(s.list('/registry/pods/', { revision: future }))).toBeInstanceOf(
          FutureRevisionError,
        );
      });
    });

    describe('list and count', () => {
      it('lists keys under a prefix in key order, and only under it', async () => {
        await s.create('/registry/pods/ns2/b', b('ns2b'));
        await s.create('/registry/podsx/default/a', b('other resource'));
        await s.create('/registry/pods/ns1/b', b('ns1b'));
        await s.create('/registry/pods', b('the prefix without its slash'));
        await s.create('/registry/pods/ns1/a', b('ns1a'));
        await s.create('/registry/pods/ns1/gone', b('deleted'));
        const last = await s.delete('/registry/pods/ns1/gone');
        await s.create('/registry/pod', b('shorter'));

        const res = await s.list('/registry/pods/');
        expect(res.kvs.map((kv) => kv.key)).toEqual([
          '/registry/pods/ns1/a',
          '/registry/pods/ns1/b',
          '/registry/pods/ns2/b',
        ]);
        expect(res.kvs.map((kv) => str(kv))).toEqual(['ns1a', 'ns1b', 'ns2b']);
        expect(res.more).toBe(false);
        expect(res.revision).toBe(await s.currentRevision());
        expect(res.revision).toBeGreaterThan(last.revision);
        expect((await s.list('/registry/pods/ns1/')).kvs.map((kv) => kv.key)).toEqual([
          '/registry/pods/ns1/a',
          '/registry/pods/ns1/b',
        ]);
        expect((await s.list('/registry/nothing/')).kvs).toEqual([]);
      });

      it('returns each key with its own create and mod revisions', async () => {
        const a1 = await s.create('/registry/pods/default/a', b('a1'));
        const c1 = await s.create('/registry/pods/default/c', b('c1'));
        const a2 = await s.update('/registry/pods/default/a', b('a2'), a1.modRevision);
        const res = await s.list('/registry/pods/');
        expect(res.kvs).toEqual([a2, c1]);
      });

      it('paginates with limit and startKey, telling whether more keys follow', async () => {
        const keys: string[] = [];
        for (let i = 0; i < 25; i++) keys.push(`/registry/pods/default/p${String(i).padStart(2, '0')}`);
        await Promise.all(keys.map((k) => s.create(k, b(k))));
        await s.create('/registry/podsx/default/z', b('outside'));

        const first = await s.list('/registry/pods/', { limit: 10 });
        expect(first.kvs.map((kv) => kv.key)).toEqual(keys.slice(0, 10));
        expect(first.more).toBe(true);

        const seen: string[] = [];
        let startKey: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await s.list('/registry/pods/', { limit: 10, startKey, revision: first.revision });
          pages++;
          expect(page.revision).toBe(first.revision);
          seen.push(...page.kvs.map((kv) => kv.key));
          if (!page.more) break;
          const lastKey = page.kvs[page.kvs.length - 1]?.key ?? '';
          startKey = lastKey + '\x00';
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(keys);

        const exact = await s.list('/registry/pods/', { limit: 25 });
        expect(exact.kvs).toHaveLength(25);
        expect(exact.more).toBe(false);
        const fromMiddle = await s.list('/registry/pods/', { startKey: keys[20] });
        expect(fromMiddle.kvs.map((kv) => kv.key)).toEqual(keys.slice(20));
        expect(fromMiddle.more).toBe(false);
      });

      it('pages through a fixed snapshot while the store keeps changing', async () => {
        const keys = ['a', 'c', 'e', 'g'].map((k) => `/registry/pods/default/${k}`);
        const created: KeyValue[] = [];
        for (const k of keys) created.push(await s.create(k, b('old')));
        const page1 = await s.list('/registry/pods/', { limit: 2 });
        await s.create('/registry/pods/default/f', b('new'));
        const g = created[3];
        if (!g) throw new Error('missing key');
        await s.update(g.key, b('changed'), g.modRevision);
        await s.delete('/registry/pods/default/e');
        const page2 = await s.list('/registry/pods/', {
          limit: 2,
          revision: page1.revision,
          startKey: '/registry/pods/default/c\x00',
        });
        expect(page2.kvs.map((kv) => `${kv.key}=${str(kv)}`)).toEqual([
          '/registry/pods/default/e=old',
          '/registry/pods/default/g=old',
        ]);
        expect(page2.more).toBe(false);
        const now = await s.list('/registry/pods/');
        expect(now.kvs.map((kv) => `${kv.key}=${str(kv)}`)).toEqual([
          '/registry/pods/default/a=old',
          '/registry/pods/default/c=old',
          '/registry/pods/default/f=new',
          '/registry/pods/default/g=changed',
        ]);
      });

      it('reads an older revision as a snapshot (get and list)', async () => {
        const first = await s.create('/registry/configmaps/default/first', b('f'));
        const a1 = await s.create('/registry/pods/default/a', b('a1'));
        const bKv = await s.create('/registry/pods/default/b', b('b1'));
        const snapshot = bKv.modRevision;
        await s.update('/registry/pods/default/a', b('a2'), a1.modRevision);
        await s.delete('/registry/pods/default/b');
        await s.create('/registry/pods/default/c', b('c1'));

        const old = await s.list('/registry/pods/', { revision: snapshot });
        expect(old.revision).toBe(snapshot);
        expect(old.kvs.map((kv) => `${kv.key}=${str(kv)}`)).toEqual([
          '/registry/pods/default/a=a1',
          '/registry/pods/default/b=b1',
        ]);
        expect((await s.get('/registry/pods/default/a', snapshot)).kv).toEqual(a1);
        expect((await s.get('/registry/pods/default/a', snapshot)).revision).toBe(snapshot);
        expect((await s.get('/registry/pods/default/b', snapshot)).kv).toEqual(bKv);
        expect((await s.get('/registry/pods/default/c', snapshot)).kv).toBeUndefined();
        expect((await s.get('/registry/pods/default/a', first.modRevision)).kv).toBeUndefined();
        const now = await s.list('/registry/pods/');
        expect(now.kvs.map((kv) => `${kv.key}=${str(kv)}`)).toEqual([
          '/registry/pods/default/a=a2',
          '/registry/pods/default/c=c1',
        ]);
      });

      it('counts live keys under a prefix', async () => {
        for (let i = 0; i < 7; i++) await s.create(`/registry/pods/default/p${i}`, b('x'));
        await s.create('/registry/podsx/default/q', b('x'));
        await s.delete('/registry/pods/default/p3');
        const p0 = (await s.get('/registry/pods/default/p0')).kv;
        if (!p0) throw new Error('missing p0');
        const upd = await s.update(p0.key, b('y'), p0.modRevision);
        const res = await s.count('/registry/pods/');
        expect(res.count).toBe(6);
        expect(res.revision).toBe(upd.modRevision);
        expect((await s.count('/registry/podsx/')).count).toBe(1);
        expect((await s.count('/registry/none/')).count).toBe(0);
      });
    });

    describe('watch', () => {
      it('replays every later event in order, with prevKv, and delete events carry the last value', async () => {
        const start = await s.create('/registry/pods/default/before', b('before'));
        const a1 = await s.create('/registry/pods/default/a', b('a1'));
        const a2 = await s.update('/registry/pods/default/a', b('a2'), a1.modRevision);
        await s.create('/registry/podsx/default/other', b('not mine'));
        const c1 = await s.create('/registry/pods/default/c', b('c1'));
        const del = await s.delete('/registry/pods/default/a');

        const rec = recordWatch(s, '/registry/pods/', start.modRevision);
        const events = await rec.waitForEvents(4);
        expect(events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`)).toEqual([
          `put /registry/pods/default/a@${a1.modRevision}`,
          `put /registry/pods/default/a@${a2.modRevision}`,
          `put /registry/pods/default/c@${c1.modRevision}`,
          `delete /registry/pods/default/a@${del.revision}`,
        ]);
        const [e1, e2, e3, e4] = events;
        expect(e1?.kv).toEqual(a1);
        expect(e1?.prevKv).toBeUndefined();
        expect(e2?.kv).toEqual(a2);
        expect(e2?.prevKv).toEqual(a1);
        expect(e3?.kv).toEqual(c1);
        expect(str(e4?.kv)).toBe('a2');
        expect(e4?.kv.createRevision).toBe(a1.createRevision);
        expect(e4?.prevKv).toEqual(a2);

        const live = await s.create('/registry/pods/default/d', b('d1'));
        await rec.waitForEvents(5);
        expect(rec.events[4]?.kv).toEqual(live);
        expect(rec.events).toHaveLength(5);
        expect(rec.errors).toEqual([]);
        rec.watcher.cancel();
      });

      it('starts strictly after afterRevision', async () => {
        const a1 = await s.create('/registry/pods/default/a', b('1'));
        const a2 = await s.update('/registry/pods/default/a', b('2'), a1.modRevision);
        const a3 = await s.update('/registry/pods/default/a', b('3'), a2.modRevision);
        const rec = recordWatch(s, '/registry/pods/', a2.modRevision);
        await rec.waitForEvents(1);
        expect(rec.events[0]?.kv).toEqual(a3);
        expect(rec.events[0]?.prevKv).toEqual(a2);
        const now = recordWatch(s, '/registry/pods/', a3.modRevision);
        const a4 = await s.update('/registry/pods/default/a', b('4'), a3.modRevision);
        await now.waitForEvents(1);
        await rec.waitForEvents(2);
        expect(now.events.map((e) => e.kv.modRevision)).toEqual([a4.modRevision]);
        expect(rec.events.map((e) => e.kv.modRevision)).toEqual([a3.modRevision, a4.modRevision]);
        rec.watcher.cancel();
        now.watcher.cancel();
      });

      it('sees live events with no gaps or duplicates while writes race the watch start', async () => {
        const base = await s.create('/registry/pods/default/base', b('0'));
        const writes: Array<Promise<KeyValue>> = [];
        for (let i = 0; i < 60; i++) writes.push(s.create(`/registry/pods/default/k${i}`, b(String(i))));
        const rec = recordWatch(s, '/registry/pods/', base.modRevision);
        for (let i = 60; i < 120; i++) writes.push(s.create(`/registry/pods/default/k${i}`, b(String(i))));
        const written = await Promise.all(writes);
        for (let i = 0; i < 40; i++) {
          const kv = written[i];
          if (kv) written.push(await s.update(kv.key, b('u'), kv.modRevision));
        }
        const expected = written.map((kv) => kv.modRevision).sort((x, y) => x - y);
        const events = await rec.waitForEvents(expected.length);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(rec.events.map((e) => e.kv.modRevision)).toEqual(expected);
        expect(
          events.every((e, i) => i === 0 || e.kv.modRevision > (events[i - 1]?.kv.modRevision ?? 0)),
        ).toBe(true);
        rec.watcher.cancel();
      });

      it('only reports keys under its prefix', async () => {
        const start = await s.currentRevision();
        const rec = recordWatch(s, '/registry/pods/', start);
        await s.create('/registry/podsx/default/a', b('x'));
        await s.create('/registry/pods', b('x'));
        const mine = await s.create('/registry/pods/default/a', b('y'));
        await rec.waitForEvents(1);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(rec.events.map((e) => e.kv.key)).toEqual([mine.key]);
        rec.watcher.cancel();
      });

      it('serves many concurrent watchers, each seeing every event in order', async () => {
        const start = await s.currentRevision();
        const watchers = Array.from({ length: 40 }, (_, i) =>
          recordWatch(s, i % 2 === 0 ? '/registry/pods/' : '/registry/', start),
        );
        const revs: number[] = [];
        for (let i = 0; i < 25; i++)
          revs.push((await s.create(`/registry/pods/default/p${i}`, b('x'))).modRevision);
        for (const w of watchers) {
          await w.waitForEvents(revs.length);
          expect(
            w.events.map((e) => e.kv.modRevision),
            summarize(w.events),
          ).toEqual(revs);
        }
        for (const w of watchers) w.watcher.cancel();
      });

      it('stops calling back after cancel', async () => {
        const start = await s.currentRevision();
        const rec = recordWatch(s, '/registry/pods/', start);
        const first = await s.create('/registry/pods/default/a', b('1'));
        await rec.waitForEvents(1);
        rec.watcher.cancel();
        await s.update('/registry/pods/default/a', b('2'), first.modRevision);
        await s.create('/registry/pods/default/b', b('1'));
        const probe = recordWatch(s, '/registry/pods/', start);
        await probe.waitForEvents(3);
        expect(rec.events).toHaveLength(1);
        expect(rec.errors).toEqual([]);
        probe.watcher.cancel();
        // Cancelling twice, or before anything arrived, is harmless.
        rec.watcher.cancel();
        const idle = recordWatch(s, '/registry/pods/', start);
        idle.watcher.cancel();
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(idle.events).toEqual([]);
        expect(idle.errors).toEqual([]);
      });
    });

    describe('concurrent writers', () => {
      it('lets exactly one of 200 parallel updates from the same revision win', async () => {
        const kv = await s.create('/registry/pods/default/hot', b('0'));
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => s.update(kv.key, b(`w${i}`), kv.modRevision)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const r of lost) expect(r.reason).toBeInstanceOf(ConflictError);
        const winner = won[0];
        if (winner?.status !== 'fulfilled') throw new Error('no winner');
        for (const r of lost) expect((r.reason as ConflictError).current).toEqual(winner.value);
        expect((await s.get(kv.key)).kv).toEqual(winner.value);
      });

      it('lets exactly one of 50 parallel creates of one key win', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => s.create('/registry/pods/default/once', b(`c${i}`))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(KeyExistsError);
      });

      it('converges when 20 writers each increment a counter 5 times with retries', async () => {
        const key = '/registry/configmaps/default/counter';
        await s.create(key, b('0'));
        let successes = 0;
        const worker = async (): Promise<void> => {
          for (let n = 0; n < 5; n++) {
            let { kv } = await s.get(key);
            for (;;) {
              if (!kv) throw new Error('counter vanished');
              try {
                await s.update(key, b(String(Number(kv.value.toString()) + 1)), kv.modRevision);
                successes++;
                break;
              } catch (err) {
                if (!(err instanceof ConflictError)) throw err;
                kv = err.current;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, worker));
        expect(successes).toBe(100);
        expect(str((await s.get(key)).kv)).toBe('100');
      });

      it('keeps every acknowledged write when many keys are written at once', async () => {
        const created = await Promise.all(
          Array.from({ length: 300 }, (_, i) => s.create(`/registry/events/default/e${i}`, b(String(i)))),
        );
        const revs = new Set(created.map((kv) => kv.modRevision));
        expect(revs.size).toBe(300);
        expect((await s.count('/registry/events/')).count).toBe(300);
        const listed = await s.list('/registry/events/');
        expect(listed.kvs).toHaveLength(300);
      });
    });

    describe('compaction', () => {
      it('keeps the latest values and refuses reads and watches below the compact revision', async () => {
        const a1 = await s.create('/registry/pods/default/a', b('a1'));
        const a2 = await s.update('/registry/pods/default/a', b('a2'), a1.modRevision);
        const keep = await s.create('/registry/pods/default/keep', b('k1'));
        const gone = await s.create('/registry/pods/default/gone', b('g1'));
        await s.delete('/registry/pods/default/gone');
        const mid = await s.update('/registry/pods/default/a', b('a3'), a2.modRevision);
        const compactAt = mid.modRevision;
        const after = await s.update('/registry/pods/default/keep', b('k2'), keep.modRevision);

        await s.compact(compactAt);
        expect(await s.compactRevision()).toBeGreaterThanOrEqual(compactAt);

        const now = await s.list('/registry/pods/');
        expect(now.kvs.map((kv) => `${kv.key}=${str(kv)}`)).toEqual([
          '/registry/pods/default/a=a3',
          '/registry/pods/default/keep=k2',
        ]);
        expect((await s.get('/registry/pods/default/a')).kv).toEqual(mid);
        expect((await s.get('/registry/pods/default/gone')).kv).toBeUndefined();
        expect((await s.count('/registry/pods/')).count).toBe(2);

        const atCompact = await s.list('/registry/pods/', { revision: compactAt });
        expect(atCompact.kvs.map((kv) => `${kv.key}=${str(kv)}`)).toEqual([
          '/registry/pods/default/a=a3',
          '/registry/pods/default/keep=k1',
        ]);

        const e1 = await rejection(s.get('/registry/pods/default/a', a1.modRevision));
        expect(e1).toBeInstanceOf(CompactedError);
        expect((e1 as CompactedError).requested).toBe(a1.modRevision);
        expect(await rejection(s.list('/registry/pods/', { revision: gone.modRevision }))).toBeInstanceOf(
          CompactedError,
        );

        const old = recordWatch(s, '/registry/pods/', a1.modRevision);
        expect(await old.waitForError()).toBeInstanceOf(CompactedError);
        expect(old.events).toEqual([]);

        const fromCompact = recordWatch(s, '/registry/pods/', compactAt);
        await fromCompact.waitForEvents(1);
        expect(fromCompact.events[0]?.kv).toEqual(after);
        expect(fromCompact.events[0]?.prevKv).toEqual(keep);
        fromCompact.watcher.cancel();

        // Writing after a compaction works as before, including re-creating a compacted-away key.
        const regone = await s.create('/registry/pods/default/gone', b('g2'));
        expect((await s.get('/registry/pods/default/gone')).kv).toEqual(regone);
        const a4 = await s.update('/registry/pods/default/a', b('a4'), mid.modRevision);
        expect(a4.createRevision).toBe(a1.createRevision);
      });

      it('can compact repeatedly, up to the newest revision', async () => {
        let kv = await s.create('/registry/leases/default/l', b('0'));
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 20; i++) kv = await s.update(kv.key, b(String(i)), kv.modRevision);
          await s.compact(kv.modRevision);
          expect((await s.get(kv.key)).kv).toEqual(kv);
        }
        await s.compact(kv.modRevision); // again at the same revision: nothing to do
        const later = await s.update(kv.key, b('later'), kv.modRevision);
        const rec = recordWatch(s, '/registry/leases/', kv.modRevision);
        await rec.waitForEvents(1);
        expect(rec.events[0]?.kv).toEqual(later);
        rec.watcher.cancel();
      });

      it('refuses to compact a future revision', async () => {
        const kv = await s.create('/registry/pods/default/a', b('1'));
        expect(await rejection(s.compact(kv.modRevision + 1000))).toBeInstanceOf(FutureRevisionError);
      });
    });
  });
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBackendConformance } from '../conformance.js';
import { recordWatch } from '../testing/wait.js';
import { WAL_AUTOCHECKPOINT_PAGES } from './schema.js';
import { SqliteBackend } from './sqlite.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-sqlite-'));
}

describeBackendConformance('sqlite', async () => {
  const dir = tempDir();
  const backend = new SqliteBackend({ path: path.join(dir, 'db', 'state.db') });
  await backend.start();
  return {
    backend,
    async cleanup() {
      await backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite backend', () => {
  let dir: string;
  let file: string;
  const open: SqliteBackend[] = [];

  async function openBackend(opts: Partial<ConstructorParameters<typeof SqliteBackend>[0]> = {}) {
    const backend = new SqliteBackend({ path: file, ...opts });
    await backend.start();
    open.push(backend);
    return backend;
  }

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, 'db', 'state.db');
  });
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file private, in WAL mode', async () => {
    await openBackend();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
  });

  it('keeps data and the revision counter across close and reopen', async () => {
    const first = await openBackend();
    const a = await first.create('/registry/pods/default/a', Buffer.from('1'));
    const gone = await first.create('/registry/pods/default/gone', Buffer.from('x'));
    const del = await first.delete(gone.key);
    await first.compact(del.revision);
    await first.close();

    const again = await openBackend();
    expect(await again.currentRevision()).toBe(del.revision);
    expect(await again.compactRevision()).toBe(del.revision);
    expect((await again.get(a.key)).kv).toEqual(a);
    // The deleted key's rows were compacted away, yet its revision is never handed out twice.
    const next = await again.create('/registry/pods/default/b', Buffer.from('2'));
    expect(next.modRevision).toBe(del.revision + 1);
  });

  it('refuses to open one file twice in a process', async () => {
    await openBackend();
    const second = new SqliteBackend({ path: file });
    await expect(second.start()).rejects.toThrow(/already open in this process/);
  });

  it("refuses a file another live process holds, and takes over a dead one's lock", async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // The parent of this test process is alive and is not us.
    fs.writeFileSync(`${file}.lock`, `${process.ppid}\n`);
    const blocked = new SqliteBackend({ path: file });
    await expect(blocked.start()).rejects.toThrow(`in use by process ${process.ppid}`);
    // A PID far above pid_max belongs to no process: a stale lock.
    fs.writeFileSync(`${file}.lock`, '999999999\n');
    const backend = await openBackend();
    expect(fs.readFileSync(`${file}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await backend.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('compaction removes superseded history and tombstones, in batches', async () => {
    const backend = await openBackend({ compactBatch: 7 });
    let kv = await backend.create('/registry/leases/kube-system/l', Buffer.from('0'));
    for (let i = 1; i <= 100; i++) kv = await backend.update(kv.key, Buffer.from(String(i)), kv.modRevision);
    for (let i = 0; i < 30; i++) {
      const t = await backend.create(`/registry/pods/default/tmp${i}`, Buffer.from('t'));
      await backend.delete(t.key, t.modRevision);
    }
    const keep = await backend.create('/registry/pods/default/keep', Buffer.from('k'));
    const before = countRows(file);
    expect(before).toBe(101 + 60 + 1);
    await backend.compact(keep.modRevision);
    expect(countRows(file)).toBe(2);
    expect((await backend.get(kv.key)).kv).toEqual(kv);
    expect((await backend.list('/registry/pods/')).kvs).toEqual([keep]);
  });

  it('finds every revision of a key through delete, re-create and compaction with one index', async () => {
    const backend = await openBackend();
    const key = '/registry/configmaps/default/c';
    const other = '/registry/configmaps/default/c0';
    const v1 = await backend.create(key, Buffer.from('1'));
    await backend.create(other, Buffer.from('o'));
    const v2 = await backend.update(key, Buffer.from('2'), v1.modRevision);
    const del = await backend.delete(key, v2.modRevision);
    const v3 = await backend.create(key, Buffer.from('3'));
    const v4 = await backend.update(key, Buffer.from('4'), v3.modRevision);
    const at = async (rev: number): Promise<string | undefined> =>
      (await backend.get(key, rev)).kv?.value.toString();
    expect([await at(v1.modRevision), await at(v2.modRevision), await at(del.revision)]).toEqual([
      '1',
      '2',
      undefined,
    ]);
    expect([await at(v3.modRevision), await at(v4.modRevision)]).toEqual(['3', '4']);
    expect((await backend.get(key)).kv).toEqual(v4);
    const listed = async (rev?: number): Promise<string[]> =>
      (await backend.list('/registry/configmaps/', rev ? { revision: rev } : {})).kvs.map(
        (kv) => `${kv.key}=${kv.value.toString()}@${kv.createRevision}`,
      );
    expect(await listed(v2.modRevision)).toEqual([
      `${key}=2@${v1.modRevision}`,
      `${other}=o@${v1.modRevision + 1}`,
    ]);
    expect(await listed(del.revision)).toEqual([`${other}=o@${v1.modRevision + 1}`]);
    expect(await listed()).toEqual([`${key}=4@${v3.modRevision}`, `${other}=o@${v1.modRevision + 1}`]);
    expect((await backend.count('/registry/configmaps/')).count).toBe(2);
    // Compaction removes the first life of the key, tombstone included; the second one stays.
    await backend.compact(v4.modRevision);
    expect(countRows(file)).toBe(2);
    expect((await backend.get(key)).kv).toEqual(v4);
    await backend.delete(key);
    await backend.compact(await backend.currentRevision());
    const again = await backend.create(key, Buffer.from('5'));
    expect((await backend.get(key)).kv).toEqual(again);
    await expect(backend.create(key, Buffer.from('6'))).rejects.toThrow(/exists/);
  });

  it('goes on from the revisions of a database an older k8ts created with AUTOINCREMENT', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(
      'CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created INTEGER NOT NULL, ' +
        'deleted INTEGER NOT NULL, create_revision INTEGER NOT NULL, prev_revision INTEGER NOT NULL, value BLOB NOT NULL); ' +
        "INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value) VALUES ('/registry/pods/default/a', 1, 0, 0, 0, x'31'); " +
        "INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value) VALUES ('/registry/pods/default/b', 1, 0, 0, 0, x'32'); " +
        // The newest row is gone (as compaction may leave it), but AUTOINCREMENT remembers its id.
        'DELETE FROM kine WHERE id = 2;',
    );
    old.close();
    const backend = await openBackend();
    expect(await backend.currentRevision()).toBe(2);
    const c = await backend.create('/registry/pods/default/c', Buffer.from('3'));
    expect(c.modRevision).toBe(3);
    expect((await backend.get('/registry/pods/default/a')).kv?.modRevision).toBe(1);
  });

  it('drops the (name, id) index an older k8ts created', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(
      'CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created INTEGER NOT NULL, ' +
        'deleted INTEGER NOT NULL, create_revision INTEGER NOT NULL, prev_revision INTEGER NOT NULL, value BLOB NOT NULL); ' +
        'CREATE INDEX kine_name_id_index ON kine (name, id);',
    );
    old.close();
    const backend = await openBackend();
    await backend.create('/registry/pods/default/a', Buffer.from('1'));
    await backend.close();
    const db = new Database(file, { readonly: true });
    try {
      const names = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kine'").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      expect(names).toEqual(['kine_name_prev_revision_uindex']);
    } finally {
      db.close();
    }
  });

  it('a watch replaying a long history is not starved and ends live', async () => {
    const backend = await openBackend();
    const start = await backend.currentRevision();
    await Promise.all(
      Array.from({ length: 1200 }, (_, i) =>
        backend.create(`/registry/pods/default/p${i}`, Buffer.from('x')),
      ),
    );
    const rec = recordWatch(backend, '/registry/pods/', start);
    const live = await backend.create('/registry/pods/default/live', Buffer.from('y'));
    await rec.waitForEvents(1201);
    expect(rec.batches).toBeGreaterThan(2);
    expect(rec.events[1200]?.kv).toEqual(live);
    rec.watcher.cancel();
  });

  it('fails a replaying watch when compaction overtakes it', async () => {
    const backend = await openBackend();
    const start = await backend.currentRevision();
    let kv = await backend.create('/registry/leases/default/l', Buffer.from('0'));
    for (let i = 0; i < 1500; i++) kv = await backend.update(kv.key, Buffer.from(String(i)), kv.modRevision);
    const rec = recordWatch(backend, '/registry/leases/', start);
    // Compaction starts before the replay's second batch: the watch must end with CompactedError.
    await backend.compact(kv.modRevision);
    const err = await rec.waitForError();
    expect(err.name).toBe('CompactedError');
  });

  it('keeps the WAL bounded through many writes and compaction', async () => {
    const backend = await openBackend();
    const value = Buffer.alloc(2048, 7);
    let kvs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => backend.create(`/registry/configmaps/default/c${i}`, value)),
    );
    let maxWal = 0;
    for (let round = 0; round < 60; round++) {
      kvs = await Promise.all(kvs.map((kv) => backend.update(kv.key, value, kv.modRevision)));
      maxWal = Math.max(maxWal, fs.statSync(`${file}-wal`).size);
    }
    // 12,200 writes of 2 KB: about 50 MB went through the WAL, which is checkpointed as it goes
    // (every WAL_AUTOCHECKPOINT_PAGES pages of 4 KiB; the main connection steps in at twice that
    // while the worker starts or lags; plus the last commit group's pages).
    expect(maxWal).toBeLessThan((2 * WAL_AUTOCHECKPOINT_PAGES + 1000) * (4096 + 24));
    const last = Math.max(...kvs.map((kv) => kv.modRevision));
    await backend.compact(last);
    expect(fs.statSync(`${file}-wal`).size).toBe(0);
    expect(countRows(file)).toBe(200);
    expect((await backend.count('/registry/configmaps/')).count).toBe(200);
  });

  it('rejects writes after close and keeps writes queued before it', async () => {
    const backend = await openBackend();
    const pending = backend.create('/registry/pods/default/a', Buffer.from('1'));
    await backend.close();
    await expect(pending).resolves.toMatchObject({ key: '/registry/pods/default/a' });
    await expect(backend.create('/registry/pods/default/b', Buffer.from('2'))).rejects.toThrow(/not open/);
    const again = await openBackend();
    expect((await again.get('/registry/pods/default/a')).kv?.value.toString()).toBe('1');
  });
});

function countRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM kine').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

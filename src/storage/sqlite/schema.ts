/**
 * The SQLite file: kine-style append-only history in one table, plus a small meta table.
 *
 * Every write appends one row; its id is the revision. `prev_revision` points at the
 * key's previous row (0 for the first), and the unique (name, prev_revision) index makes two writes
 * that started from the same row impossible: the optimistic lock. A delete appends a tombstone row
 * (deleted = 1) that keeps the key's create revision; its last value is read through prev_revision.
 *
 * That one index also answers every lookup by key. A new row's prev_revision is the id of its key's
 * newest row (or 0 when the key has no rows left), and its own id is larger than every id before
 * it, so within one name, prev_revision order is id order: "the key's newest row (at or below a
 * revision)" is the last index entry of the name (whose id is at or below it), and the index carries
 * the id (the rowid). Compaction only deletes rows, which keeps that order. kine also keeps a
 * (name, id) index; k8ts did too, but it duplicated that order and cost every write a second index
 * leaf page in the WAL (with many writers' keys spread over the index, ~45% of the WAL bytes of a
 * create batch). Databases that have it drop it when opened; an older k8ts recreates it.
 *
 * Ids are given by the writer: the next revision after the highest ever handed out. kine (and k8ts
 * before) let AUTOINCREMENT pick them, which keeps the highest id in `sqlite_sequence`, a table
 * SQLite reads and rewrites on every insert: ~3,300 of the ~17,000 instructions an insert costs,
 * and one more WAL page per commit (one of three with a single write per commit). This process is
 * the only writer, and compaction only deletes rows at or below the compact revision it has
 * recorded first, so the highest revision ever handed out is the larger of the highest id left,
 * that compact revision and, in a database an older k8ts created with AUTOINCREMENT (kept as it is),
 * `sqlite_sequence`: see {@link Store.lastRevision}.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** One row of the `kine` table. */
export interface Row {
  id: number;
  name: string;
  /** 1 when this row created the key (then the key's create revision is `id`). */
  created: number;
  /** 1 when this row is a tombstone. */
  deleted: number;
  /** The key's create revision for rows that did not create it; 0 on creating rows. */
  create_revision: number;
  prev_revision: number;
  value: Buffer;
}

/** The on-disk durability level; see the decision in {@link openDatabase}. */
export type SyncMode = 'FULL' | 'NORMAL';

const DDL = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
DROP INDEX IF EXISTS kine_name_id_index;
CREATE TABLE IF NOT EXISTS kine_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** The WAL is cut back to this size whenever SQLite resets it (and by the TRUNCATE checkpoints). */
export const JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * WAL pages between checkpoints (which copy the WAL into the database file, then let the next write
 * start the WAL over): 4,000 pages of 4 KiB, i.e. the WAL stays near JOURNAL_SIZE_LIMIT. The
 * backend runs them in a worker thread (./checkpointer.ts); this is also the `wal_autocheckpoint`
 * of a connection that checkpoints inside its commits (the fallback, and outside tools). A
 * checkpoint's cost is mostly the distinct pages it copies plus two fsyncs. When SQLite
 * checkpointed inside the commits, 1,000 pages (its default) against 4,000 measured on the build VM
 * with apiserver-write (interleaved A/B, medians of 6 rounds): 4,000 pages gave 1,658 -> 2,050
 * creates/s at 1 client (server CPU 0.32 -> 0.28 ms per create) and 3,776 -> 4,194/s at 64.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

/**
 * Opens (creating if needed) the database file with the pragmas k8ts relies on.
 *
 * Durability decision, `synchronous`: measured on the project's build VM (ext4 on virtio, 1 KB values).
 * Raw better-sqlite3, one INSERT per transaction: NORMAL ≈ 30,000/s, FULL ≈ 5,300/s. Through this
 * backend (group commit, see sqlite.ts), creates/s with 1 / 64 writes in flight: NORMAL ≈ 14,600 /
 * 95,000, FULL ≈ 5,000 / 41,000. In WAL mode both levels keep every acknowledged commit across
 * `kill -9` (the commit is in the WAL file, i.e. the OS page cache, before it returns); only FULL also
 * keeps it across power loss or a kernel crash, because it fsyncs the WAL at each commit. etcd fsyncs
 * every write and users of a Kubernetes store expect an acknowledged write to be on disk, and with
 * group commit FULL still leaves the store far above the API server's 2,000 creates/s target, so
 * k8ts uses FULL. NORMAL stays available as an option for throwaway clusters.
 */
export function openDatabase(file: string, sync: SyncMode): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // The store holds Secrets: create the file private. SQLite gives -wal and -shm the same mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync}`);
    db.pragma('busy_timeout = 10000');
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    db.pragma('cache_size = -32768');
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = OFF');
    db.exec(DDL);
    const mode = db.pragma('journal_mode', { simple: true });
    if (mode !== 'wal')
      throw new Error(`could not switch ${file} to WAL mode (journal_mode is ${String(mode)})`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

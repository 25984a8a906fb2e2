/**
 * Batched compaction of the SQLite history, then a WAL checkpoint.
 *
 * Compacting to revision C removes every row that a later row at or below C superseded (found as the
 * `prev_revision` of rows in the window) and every tombstone at or below C. What stays is exactly
 * the newest row of each live key as of C plus all history after C, so reads at revision >= C and
 * watches from C on see the same data as before. The work runs in windows of `batch` revisions, one
 * short transaction each (at most 2 × batch rows deleted), yielding to the event loop in between so
 * writes and reads keep flowing. Progress is saved per window (meta key `compact_done`), so a crash
 * mid-way resumes where it stopped at the next compaction.
 */
import type Database from 'better-sqlite3';
import type { CheckpointResult } from './checkpointer.js';
import type { Store } from './store.js';

/** Meta key: the revision reads are refused below (the logical compaction point). */
export const META_COMPACT_REVISION = 'compact_revision';
/** Meta key: history up to here has physically been removed. */
export const META_COMPACT_DONE = 'compact_done';

/** Options of {@link compactHistory}. */
export interface CompactRun {
  store: Store;
  /** Compact through this revision (already recorded as the compact revision). */
  revision: number;
  /** Revisions per transaction. */
  batch: number;
  /** Stop early (the backend is closing); progress made so far is kept. */
  stopped(): boolean;
}

/** Deletes superseded rows and tombstones up to `revision`, window by window; returns rows deleted. */
export async function compactHistory(run: CompactRun): Promise<number> {
  const { store } = run;
  const deletePrev = store.db.prepare(
    'DELETE FROM kine WHERE id IN (SELECT prev_revision FROM kine WHERE id >= ? AND id <= ? AND prev_revision != 0)',
  );
  const deleteTombstones = store.db.prepare('DELETE FROM kine WHERE id >= ? AND id <= ? AND deleted = 1');
  const step = store.db.transaction((from: number, to: number): number => {
    const n = deletePrev.run(from, to).changes + deleteTombstones.run(from, to).changes;
    store.setMeta(META_COMPACT_DONE, to);
    return n;
  });
  let deleted = 0;
  let from = store.getMeta(META_COMPACT_DONE) + 1;
  while (from <= run.revision) {
    if (run.stopped()) return deleted;
    const to = Math.min(from + run.batch - 1, run.revision);
    deleted += step.immediate(from, to);
    from = to + 1;
    if (from <= run.revision) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return deleted;
}

/**
 * Copies the WAL into the database file. TRUNCATE (after compaction) also waits for readers and
 * cuts the WAL to zero bytes; PASSIVE copies what it can without waiting for anyone.
 */
export function checkpointWal(db: Database.Database, mode: 'PASSIVE' | 'TRUNCATE'): CheckpointResult {
  const row = db.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[];
  return row[0] ?? { busy: 0, log: 0, checkpointed: 0 };
}

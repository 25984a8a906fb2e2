import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { componentLogger } from '../../util/log.js';
import { WalCheckpointer } from './checkpointer.js';
import { checkpointWal } from './compact.js';
import { openDatabase } from './schema.js';

const log = componentLogger('test');

describe('WalCheckpointer', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-ckpt-'));
    file = path.join(dir, 'state.db');
    db = openDatabase(file, 'NORMAL');
    db.pragma('wal_autocheckpoint = 0');
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One commit of `rows` rows of 2 KiB; returns how many frames the WAL holds afterwards. */
  function commit(rows: number, from: number): void {
    const insert = db.prepare(
      'INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, 1, 0, 0, 0, ?)',
    );
    const value = Buffer.alloc(2048, 1);
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(from + i, `/registry/configmaps/default/c${from + i}`, value);
    })();
  }

  it('copies the WAL in a worker, then the tail on the main connection, so the WAL starts over', async () => {
    let finishes = 0;
    const ckpt = new WalCheckpointer({
      file,
      synchronous: 'NORMAL',
      finish: () => {
        finishes++;
        return checkpointWal(db, 'PASSIVE');
      },
      fallBack: () => {
        throw new Error('the worker must not fail here');
      },
      pages: 200,
      log,
    });
    try {
      for (let c = 0; c < 10; c++) {
        commit(20, c * 20 + 1);
        ckpt.committed(20);
      }
      await ckpt.idle();
      expect(ckpt.stats.checkpoints).toBe(1);
      expect(finishes).toBe(1);
      // Everything is in the database file: nothing left to copy, and the next commit restarts
      // the WAL (it is no longer than that commit).
      const state = checkpointWal(db, 'PASSIVE');
      expect(state.checkpointed).toBe(state.log);
      const before = fs.statSync(`${file}-wal`).size;
      commit(1, 1000);
      expect(checkpointWal(db, 'PASSIVE').log).toBeLessThan(10);
      expect(fs.statSync(`${file}-wal`).size).toBeLessThanOrEqual(before);
    } finally {
      await ckpt.close();
    }
    const rows = db.prepare('SELECT count(*) AS n FROM kine').get() as { n: number };
    expect(rows.n).toBe(201);
  });

  it('goes back to checkpoints on the main connection when the worker cannot run', async () => {
    let fellBack = false;
    let finishes = 0;
    const ckpt = new WalCheckpointer({
      // The worker opens this with fileMustExist: it fails at its start.
      file: path.join(dir, 'missing.db'),
      synchronous: 'NORMAL',
      finish: () => {
        finishes++;
        return checkpointWal(db, 'PASSIVE');
      },
      fallBack: () => {
        fellBack = true;
        db.pragma('wal_autocheckpoint = 1000');
      },
      pages: 10,
      log,
    });
    try {
      commit(20, 1);
      ckpt.committed(20);
      await ckpt.idle();
      expect(fellBack).toBe(true);
      expect(finishes).toBe(1);
      expect(ckpt.stats.checkpoints).toBe(0);
      const state = checkpointWal(db, 'PASSIVE');
      expect(state.checkpointed).toBe(state.log);
      // From now on it stays out of the way.
      commit(20, 21);
      ckpt.committed(20);
      await ckpt.idle();
      expect(finishes).toBe(1);
    } finally {
      await ckpt.close();
    }
  });

  it('lets the main connection checkpoint when writes reach twice the threshold during a pass', async () => {
    const ckpt = new WalCheckpointer({
      file,
      synchronous: 'NORMAL',
      finish: () => checkpointWal(db, 'PASSIVE'),
      fallBack: () => {
        throw new Error('the worker must not fail here');
      },
      pages: 50,
      log,
    });
    try {
      // The first pass starts a worker, which takes a while; meanwhile the WAL keeps growing.
      commit(60, 1);
      ckpt.committed(60);
      commit(120, 61);
      ckpt.committed(120);
      expect(ckpt.stats.mainCheckpoints).toBe(1);
      await ckpt.idle();
      expect(ckpt.stats.checkpoints).toBe(1);
    } finally {
      await ckpt.close();
    }
  });
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite.js';

const writerScript = fileURLToPath(new URL('../testing/sqlite-crash-writer.ts', import.meta.url));

interface Acks {
  creates: Map<string, number>;
  /** Highest acknowledged counter value per key. */
  counters: Map<string, number>;
}

/** Runs the writer until it has acknowledged `acks` writes, then kills it with SIGKILL. */
async function burstAndKill(file: string, round: number, acks: number, seen: Acks): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, file, String(round)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let buffered = '';
  let count = 0;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer acknowledged only ${count} writes in 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`writer exited early after ${count} acks; stderr: ${stderr}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [op, key, a] = line.split(' ');
        if (!key) continue;
        if (op === 'create') seen.creates.set(key, Number(a));
        if (op === 'update') seen.counters.set(key, Math.max(seen.counters.get(key) ?? 0, Number(a)));
        count++;
      }
      if (count >= acks && child.exitCode === null && child.signalCode === null) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  expect(await exited).toBe('SIGKILL');
  return count;
}

describe('sqlite durability', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-sqlite-crash-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged write when the writing process is killed with SIGKILL mid-burst', async () => {
    const file = path.join(dir, 'db', 'state.db');
    const seen: Acks = { creates: new Map(), counters: new Map() };
    for (let round = 0; round < 3; round++) {
      const acked = await burstAndKill(file, round, 1500 + round * 700, seen);
      expect(acked).toBeGreaterThanOrEqual(1500);

      const db = new Database(file, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      const backend = new SqliteBackend({ path: file });
      await backend.start();
      try {
        const missing: string[] = [];
        for (const [key, rev] of seen.creates) {
          const { kv } = await backend.get(key);
          if (!kv) missing.push(key);
          else if (!key.includes('/configmaps/')) {
            expect(kv.value.toString()).toBe(key);
            expect(kv.createRevision).toBe(rev);
          }
        }
        expect(missing).toEqual([]);
        for (const [key, value] of seen.counters) {
          const { kv } = await backend.get(key);
          // Writes after the last acknowledged one may have committed too; none may be lost.
          expect(Number(kv?.value.toString())).toBeGreaterThanOrEqual(value);
        }
        // The revision counter continues after the crash.
        const maxAcked = Math.max(...seen.creates.values());
        expect(await backend.currentRevision()).toBeGreaterThanOrEqual(maxAcked);
      } finally {
        await backend.close();
      }
    }
  });
});

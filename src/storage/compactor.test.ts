import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { CompactedError } from './backend.js';
import { Compactor, type CompactorTimers } from './compactor.js';
import { SqliteBackend } from './sqlite/sqlite.js';

/** Timers that only fire when the test says so. */
class ManualTimers implements CompactorTimers {
  pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fires every pending timer once. */
  fire(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
  }
}

function captureLogs(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describe('Compactor', () => {
  let dir: string;
  let backend: SqliteBackend;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-compactor-'));
    backend = new SqliteBackend({ path: path.join(dir, 'state.db') });
    await backend.start();
  });
  afterEach(async () => {
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('compacts to the revision current one interval earlier, keeping an interval of history', async () => {
    const timers = new ManualTimers();
    const { logger } = captureLogs();
    const compactor = new Compactor({ backend, timers, logger, intervalMs: 60_000 });
    let kv = await backend.create('/registry/leases/default/l', Buffer.from('0'));
    const atStart = kv.modRevision;
    await compactor.start();
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([60_000]);

    for (let i = 0; i < 5; i++) kv = await backend.update(kv.key, Buffer.from(String(i)), kv.modRevision);
    const atFirstTick = kv.modRevision;
    timers.fire();
    await compactor.whenIdle();
    expect(await backend.compactRevision()).toBe(atStart);
    // The history written during the first interval is still there.
    expect((await backend.get(kv.key, atStart + 1)).kv?.value.toString()).toBe('0');

    for (let i = 0; i < 5; i++) kv = await backend.update(kv.key, Buffer.from(`b${i}`), kv.modRevision);
    expect(timers.pending.size).toBe(1);
    timers.fire();
    await compactor.whenIdle();
    expect(await backend.compactRevision()).toBe(atFirstTick);
    await expect(backend.get(kv.key, atStart)).rejects.toBeInstanceOf(CompactedError);
    expect((await backend.get(kv.key)).kv).toEqual(kv);

    await compactor.stop();
    expect(timers.pending.size).toBe(0);
  });

  it('does nothing while the store is idle', async () => {
    const timers = new ManualTimers();
    const { logger, lines } = captureLogs();
    await backend.create('/registry/pods/default/a', Buffer.from('x'));
    const compactor = new Compactor({ backend, timers, logger });
    await compactor.start();
    timers.fire();
    await compactor.whenIdle();
    timers.fire();
    await compactor.whenIdle();
    const compactedOnce = lines.filter((l) => l['msg'] === 'compacted store history');
    expect(compactedOnce).toHaveLength(1);
    timers.fire();
    await compactor.whenIdle();
    expect(lines.filter((l) => l['msg'] === 'compacted store history')).toHaveLength(1);
    await compactor.stop();
  });

  it('logs a failed compaction with its revision and keeps going', async () => {
    const timers = new ManualTimers();
    const { logger, lines } = captureLogs();
    let fail = true;
    let current = 10;
    const compacted: number[] = [];
    const flaky = {
      name: 'flaky',
      currentRevision: async () => current,
      compact: async (rev: number) => {
        if (fail) throw new Error('disk on fire');
        compacted.push(rev);
      },
    } as unknown as Backend;
    const compactor = new Compactor({ backend: flaky, timers, logger });
    await compactor.start();
    current = 20;
    timers.fire();
    await compactor.whenIdle();
    const err = lines.find((l) => l['msg'] === 'compaction failed');
    expect(err?.['revision']).toBe(10);
    expect(JSON.stringify(err?.['err'])).toContain('disk on fire');
    fail = false;
    current = 30;
    timers.fire();
    await compactor.whenIdle();
    expect(compacted).toEqual([20]);
    await compactor.stop();
  });
});

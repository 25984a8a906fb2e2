import { describe, expect, it } from 'vitest';
import type { Applied, Store } from './store.js';
import { GroupCommitQueue, type PendingWrite } from './write-queue.js';

const STORE = {} as Store;

function applied(n: number): Applied<number> {
  return {
    result: n,
    revision: n,
    event: { type: 'put', kv: { key: `k${n}`, value: Buffer.alloc(0), createRevision: n, modRevision: n } },
  };
}

/** A queue whose commits apply each write and record the batch sizes. */
function queue(opts: { failBatch?: number } = {}): { q: GroupCommitQueue; batches: number[] } {
  const batches: number[] = [];
  const q = new GroupCommitQueue((batch: PendingWrite[]) => {
    batches.push(batch.length);
    if (opts.failBatch === batches.length) throw new Error('disk full');
    for (const w of batch) {
      try {
        w.outcome = (w.apply(STORE) as Applied<number>).result;
        w.ok = true;
      } catch (err) {
        w.ok = false;
        w.outcome = err;
      }
    }
  }, 1000);
  return { q, batches };
}

describe('GroupCommitQueue', () => {
  it('commits the writes of one turn together, in order', async () => {
    const { q, batches } = queue();
    const results = await Promise.all([1, 2, 3].map((n) => q.enqueue(() => applied(n))));
    expect(results).toEqual([1, 2, 3]);
    expect(batches).toEqual([3]);
  });

  it('fails only the write whose check failed', async () => {
    const { q } = queue();
    const ok = q.enqueue(() => applied(1));
    const bad = q.enqueue((): Applied<number> => {
      throw new Error('key exists');
    });
    await expect(ok).resolves.toBe(1);
    await expect(bad).rejects.toThrow('key exists');
  });

  it('rejects every write of a transaction that failed as a whole', async () => {
    const { q } = queue({ failBatch: 1 });
    const a = q.enqueue(() => applied(1));
    const b = q.enqueue(() => applied(2));
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    await expect(q.enqueue(() => applied(3))).resolves.toBe(3);
  });

  it('drain commits and answers everything at once', async () => {
    const { q, batches } = queue();
    const all = Array.from({ length: 40 }, (_, i) => q.enqueue(() => applied(i)));
    q.drain();
    expect(batches).toEqual([40]);
    await expect(Promise.all(all)).resolves.toHaveLength(40);
  });
});

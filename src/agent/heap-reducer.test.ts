import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * In a fresh Node process (V8 flags are process-wide): grows the old generation with objects that
 * then die, starts the reducer, and reports the committed heap before and after it ran.
 */
async function reduce(options: string): Promise<{ before: number; after: number; runs: number }> {
  const mod = new URL('./heap.ts', import.meta.url).href;
  const script = `
    import { getHeapStatistics } from 'node:v8';
    import { reduceIdleHeap } from ${JSON.stringify(mod)};
    let keep = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 20000; i++) keep.push({ i, s: 'x' + i + round, a: [i, round] });
      await new Promise((r) => setImmediate(r));
    }
    // Nearly all die (a burst of work whose results were dropped).
    keep = keep.slice(0, 100);
    await new Promise((r) => setTimeout(r, 50));
    const before = getHeapStatistics().total_heap_size;
    const reducer = reduceIdleHeap(${options});
    const deadline = Date.now() + 5000;
    while (reducer.runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    reducer.stop();
    const after = getHeapStatistics().total_heap_size;
    process.stdout.write(JSON.stringify({ before, after, runs: reducer.runs, kept: keep.length }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
  );
  return JSON.parse(stdout) as { before: number; after: number; runs: number };
}

describe('reduceIdleHeap', () => {
  it('gives back committed heap that holds mostly garbage', async () => {
    const r = await reduce('{ checkMs: 20, minSlackMiB: 1, minSlackRatio: 0.1 }');
    expect(r.runs).toBe(1);
    expect(r.after).toBeLessThan(r.before * 0.7);
  });

  it('does nothing while the slack is under its thresholds', async () => {
    const r = await reduce('{ checkMs: 20, minSlackMiB: 4096 }');
    expect(r.runs).toBe(0);
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MB = 1024 * 1024;

/**
 * Runs the hold in a fresh Node process (V8 flags are process-wide, and a test runner's isolate has
 * long since grown its young generation), allocating many long-lived young objects while held and
 * again after release.
 */
async function youngGenerationSizes(
  nodeArgs: string[] = [],
): Promise<{ before: number; held: number; free: number }> {
  const heapModule = new URL('./heap.ts', import.meta.url).href;
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { holdYoungGenerationSmall } from ${JSON.stringify(heapModule)};
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const allocate = () => {
      const keep = [];
      for (let i = 0; i < 300000; i++) keep.push({ i, s: 'x' + i });
      return keep.length;
    };
    const before = size();
    const release = holdYoungGenerationSmall();
    allocate();
    const held = size();
    release();
    release();
    allocate();
    process.stdout.write(JSON.stringify({ before, held, free: size() }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
  );
  return JSON.parse(stdout) as { before: number; held: number; free: number };
}

describe('holdYoungGenerationSmall', () => {
  it('keeps the young generation at its initial size until released', async () => {
    const { before, held, free } = await youngGenerationSizes();
    expect(held).toBe(before);
    expect(free).toBeGreaterThan(held);
    expect(free).toBeGreaterThan(4 * MB);
  });

  it('leaves a growth factor the user chose alone', async () => {
    const { before, held } = await youngGenerationSizes(['--semi-space-growth-factor=4']);
    expect(held).toBeGreaterThan(before);
  });
});

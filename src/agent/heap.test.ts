import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mayGrow } from './heap.js';

const MiB = 1024 * 1024;

/**
 * Semi-space sizes of a fresh Node process (V8 flags are process-wide) that allocates many
 * short- and medium-lived objects in small batches (as a server does between I/O), first with the
 * ceiling and then after stopping it.
 */
async function semiSpaces(
  capMiB: number,
  nodeArgs: string[] = [],
): Promise<{ capped: number; uncapped: number }> {
  const mod = new URL('./heap.ts', import.meta.url).href;
  const script = `
    import { capYoungGeneration, semiSpaceBytes } from ${JSON.stringify(mod)};
    const churn = async () => {
      let keep = [];
      for (let round = 0; round < 300; round++) {
        for (let i = 0; i < 5000; i++) keep.push({ i, s: 'x' + i });
        if (keep.length > 40000) keep = keep.slice(20000);
        await new Promise((r) => setImmediate(r));
      }
    };
    const cap = capYoungGeneration(${capMiB});
    await churn();
    const capped = semiSpaceBytes();
    cap.stop();
    await churn();
    process.stdout.write(JSON.stringify({ capped, uncapped: semiSpaceBytes() }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
  );
  return JSON.parse(stdout) as { capped: number; uncapped: number };
}

describe('capYoungGeneration', () => {
  it('lets the semi-spaces grow while the next doubling fits under the ceiling', () => {
    expect(mayGrow(0.98 * MiB, 2 * MiB)).toBe(true);
    expect(mayGrow(1.97 * MiB, 2 * MiB)).toBe(false);
    expect(mayGrow(1.97 * MiB, 4 * MiB)).toBe(true);
    expect(mayGrow(3.9 * MiB, 4 * MiB)).toBe(false);
  });

  it('keeps the semi-spaces under the ceiling, and gives growth back when stopped', async () => {
    const { capped, uncapped } = await semiSpaces(2);
    expect(capped).toBeLessThanOrEqual(2 * MiB);
    expect(uncapped).toBeGreaterThan(2 * MiB);
  });

  it('leaves a growth factor the user chose alone', async () => {
    const { capped } = await semiSpaces(2, ['--semi-space-growth-factor=4']);
    expect(capped).toBeGreaterThan(2 * MiB);
  });
});

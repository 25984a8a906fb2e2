import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirUsageCache, dirUsage, statFs } from './fs-usage.js';

const dir = mkdtempSync(path.join(tmpdir(), 'k8ts-stats-fs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('filesystem usage', () => {
  it('counts allocated blocks and inodes of a tree, hard links once', async () => {
    const root = path.join(dir, 'tree');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    writeFileSync(path.join(root, 'sub', 'a'), 'a'.repeat(5000));
    linkSync(path.join(root, 'sub', 'a'), path.join(root, 'b'));
    const u = await dirUsage(root);
    expect(u?.inodes).toBe(3); // tree, sub, a (b is the same inode)
    expect(u?.bytes).toBeGreaterThanOrEqual(5000);
    expect(await dirUsage(path.join(dir, 'missing'))).toBeUndefined();
  });

  it('reuses a measurement within its lifetime', async () => {
    let t = 0;
    let walks = 0;
    const cache = new DirUsageCache(
      1000,
      () => t,
      () => {
        walks += 1;
        return Promise.resolve({ bytes: walks, inodes: 1 });
      },
    );
    expect((await cache.usage('/x'))?.bytes).toBe(1);
    t = 999;
    expect((await cache.usage('/x'))?.bytes).toBe(1);
    t = 1000;
    expect((await cache.usage('/x'))?.bytes).toBe(2);
  });

  it('reads capacity and free space with statfs', async () => {
    const fs = await statFs(dir);
    expect(fs?.capacityBytes).toBeGreaterThan(0);
    expect(fs?.usedBytes).toBeLessThanOrEqual(fs?.capacityBytes ?? 0);
    expect(fs?.inodesUsed).toBe((fs?.inodes ?? 0) - (fs?.inodesFree ?? 0));
    expect(await statFs(path.join(dir, 'missing'))).toBeUndefined();
  });
});

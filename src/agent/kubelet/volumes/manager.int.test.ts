/**
 * Real mounts (tmpfs for memory-backed volumes, bind mounts for subPaths): root only. Every test
 * tears its pod down, which unmounts what it mounted; afterAll checks nothing is left mounted.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { mkdir, readFile, realpath, rename, statfs, symlink, writeFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { containerMounts } from './container-mounts.js';
import { HostVolumeManager } from './manager.js';
import { parseMountInfo } from './mounter.js';
import { MemorySources, tempDir } from './testing/fakes.js';
import type { VolumeContext } from './types.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('manager.int.test.ts: skipped: tmpfs and bind mounts need root');
const ctx: VolumeContext = { hostIP: '127.0.0.1', podIPs: [], nodeAllocatable: { memory: '1Gi' } };

/** Filesystem type and super options of the mount at `target` (topmost), from mountinfo. */
async function mountOf(target: string): Promise<{ fstype: string; options: string } | undefined> {
  const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  let found: { fstype: string; options: string } | undefined;
  for (const line of lines) {
    const [mp] = parseMountInfo(line);
    if (mp !== target) continue;
    const after = line.split(' - ')[1]?.split(' ') ?? [];
    found = { fstype: after[0] ?? '', options: after[2] ?? '' };
  }
  return found;
}

async function mountsUnder(dir: string): Promise<string[]> {
  const all = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  return all.filter((m) => m === dir || m.startsWith(`${dir}/`));
}

describe.skipIf(!isRoot)('volume mounts as root (skipped unless running as root)', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let sources: MemorySources;
  let mgr: HostVolumeManager;

  beforeAll(async () => {
    const t = await tempDir('k8ts-vol-int-');
    dataDir = await realpath(t.dir);
    cleanup = t.cleanup;
  });
  afterEach(async () => {
    for (const uid of await mgr.podsOnDisk()) await mgr.tearDown(uid);
  });
  afterAll(async () => {
    expect(await mountsUnder(dataDir)).toEqual([]);
    await cleanup();
  });

  const newManager = () => {
    sources = new MemorySources();
    mgr = new HostVolumeManager({ dataDir, sources });
    return mgr;
  };

  const pod = (uid: string, spec: Partial<NonNullable<Pod['spec']>>): Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid },
    spec: { containers: [{ name: 'app', image: 'x' }], ...spec },
  });

  it('mounts a sized tmpfs for emptyDir medium Memory, once, and unmounts it on teardown', async () => {
    newManager();
    const p = pod('mem-1', {
      volumes: [{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
    });
    const dir = (await mgr.setUp(p, ctx)).get('cache')?.hostPath ?? '';
    expect(await mountOf(dir)).toMatchObject({ fstype: 'tmpfs' });
    expect((await mountOf(dir))?.options).toContain('size=65536k');
    const fs = await statfs(dir);
    expect(fs.blocks * fs.bsize).toBe(64 * 1024 * 1024);
    await writeFile(path.join(dir, 'x'), 'in memory');

    // A second sync, and a new manager (an agent restart), keep the one mount.
    await mgr.setUp(p, ctx);
    await newManager().setUp(p, ctx);
    expect(await mountsUnder(dir)).toEqual([dir]);
    expect(await readFile(path.join(dir, 'x'), 'utf8')).toBe('in memory');

    await mgr.tearDown('mem-1');
    expect(await mountsUnder(path.join(dataDir, 'agent/pods/mem-1'))).toEqual([]);
    await expect(lstat(path.join(dataDir, 'agent/pods/mem-1'))).rejects.toThrow();
  });

  it('keeps secret and projected volumes on tmpfs', async () => {
    newManager();
    sources.secrets.set('ns/s', { password: Buffer.from('hunter2') });
    const p = pod('sec-1', {
      volumes: [
        { name: 's', secret: { secretName: 's' } },
        { name: 'p', projected: { sources: [{ secret: { name: 's' } }] } },
      ],
    });
    const vols = await mgr.setUp(p, ctx);
    for (const name of ['s', 'p']) {
      const dir = vols.get(name)?.hostPath ?? '';
      expect((await mountOf(dir))?.fstype).toBe('tmpfs');
      expect(await readFile(path.join(dir, 'password'), 'utf8')).toBe('hunter2');
    }
  });

  it('bind-mounts subPaths so later changes in the volume cannot redirect them', async () => {
    newManager();
    const hostData = path.join(dataDir, 'host-data');
    await mkdir(path.join(hostData, 'logs'), { recursive: true });
    await writeFile(path.join(hostData, 'logs/keep.txt'), 'host file');
    const outside = path.join(dataDir, 'outside');
    await mkdir(outside, { recursive: true });
    const p = pod('sub-1', {
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'host', hostPath: { path: hostData } },
      ],
      containers: [
        {
          name: 'app',
          image: 'x',
          volumeMounts: [
            { name: 'scratch', mountPath: '/work', subPath: 'work' },
            { name: 'host', mountPath: '/logs', subPath: 'logs' },
          ],
        },
      ],
    });
    const vols = await mgr.setUp(p, ctx);
    const container = p.spec?.containers[0];
    if (!container) throw new Error('no container');
    const binding = mgr.subPathBinding('sub-1');
    const mounts = await containerMounts(p, container, vols, () => undefined, binding);
    const [work, logs] = mounts.map((m) => m.hostPath);
    const podDir = path.join(dataDir, 'agent/pods/sub-1');
    expect(work).toBe(path.join(podDir, 'volume-subpaths/scratch/app/0'));
    expect(logs).toBe(path.join(podDir, 'volume-subpaths/host/app/1'));
    expect(await readFile(path.join(logs ?? '', 'keep.txt'), 'utf8')).toBe('host file');

    // The container swaps its subPath directory for a symlink out of the volume: the bind mount
    // still shows the directory that was checked.
    const scratch = vols.get('scratch')?.hostPath ?? '';
    await writeFile(path.join(scratch, 'work/mine.txt'), 'mine');
    await rename(path.join(scratch, 'work'), path.join(scratch, 'moved'));
    await symlink(outside, path.join(scratch, 'work'));
    expect(await readFile(path.join(work ?? '', 'mine.txt'), 'utf8')).toBe('mine');

    // Preparing the same mounts again (a container restart) reuses them... except the swapped one,
    // which is now refused.
    await expect(containerMounts(p, container, vols, () => undefined, binding)).rejects.toThrow(
      'failed to prepare subPath for volumeMount "scratch" of container "app"',
    );

    // Teardown unmounts the bind mounts before deleting: the host directory survives.
    await mgr.tearDown('sub-1');
    expect(await mountsUnder(podDir)).toEqual([]);
    expect(await readFile(path.join(hostData, 'logs/keep.txt'), 'utf8')).toBe('host file');
  });

  it('reuses an existing subPath bind mount for a restarted container', async () => {
    newManager();
    const p = pod('sub-2', {
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        { name: 'app', image: 'x', volumeMounts: [{ name: 'scratch', mountPath: '/w', subPath: 'w' }] },
      ],
    });
    const vols = await mgr.setUp(p, ctx);
    const container = p.spec?.containers[0];
    if (!container) throw new Error('no container');
    const binding = mgr.subPathBinding('sub-2');
    const first = await containerMounts(p, container, vols, () => undefined, binding);
    const second = await containerMounts(p, container, vols, () => undefined, binding);
    expect(second).toEqual(first);
    expect(await mountsUnder(first[0]?.hostPath ?? '')).toHaveLength(1);
  });
});

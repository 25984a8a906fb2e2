import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupHierarchies, podCgroupDirs, removeTree } from './pod-cgroups.js';

const MOUNTINFO = [
  '25 24 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw',
  '27 25 0:24 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
  '28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct',
  '29 24 0:26 / /proc rw - proc proc rw',
].join('\n');

describe('pod cgroups', () => {
  it('finds the v1 and v2 hierarchies in the mount table', () => {
    expect(cgroupHierarchies(MOUNTINFO)).toEqual([
      '/sys/fs/cgroup/unified',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/cpu,cpuacct',
    ]);
  });

  it('looks for the pod cgroup under every QoS tier of every hierarchy', () => {
    expect(podCgroupDirs(['/sys/fs/cgroup/memory'], '/k8ts', 'u1')).toEqual([
      '/sys/fs/cgroup/memory/k8ts/kubepods/podu1',
      '/sys/fs/cgroup/memory/k8ts/kubepods/burstable/podu1',
      '/sys/fs/cgroup/memory/k8ts/kubepods/besteffort/podu1',
    ]);
  });
});

describe('removeTree', () => {
  it('removes a directory and the directories below it, and leaves one that still holds files', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'k8ts-cg-'));
    try {
      await mkdir(path.join(root, 'pod/a/b'), { recursive: true });
      await mkdir(path.join(root, 'pod/c'));
      await removeTree(path.join(root, 'pod'));
      await expect(access(path.join(root, 'pod'))).rejects.toThrow();
      await removeTree(path.join(root, 'gone'));
      await mkdir(path.join(root, 'busy/sub'), { recursive: true });
      await writeFile(path.join(root, 'busy/sub/tasks'), '1\n');
      await expect(removeTree(path.join(root, 'busy'))).rejects.toThrow(/ENOTEMPTY/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

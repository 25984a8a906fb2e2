import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCgroup } from './cgroup.js';

const dir = mkdtempSync(path.join(tmpdir(), 'k8ts-stats-cgroup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('readCgroup', () => {
  it('reads cgroup v1 cpuacct and memory controllers', async () => {
    const root = path.join(dir, 'v1');
    write(path.join(root, 'cpuacct/k8ts/kubepods/cpuacct.usage'), '123456789\n');
    write(path.join(root, 'memory/k8ts/kubepods/memory.usage_in_bytes'), '1000\n');
    write(path.join(root, 'memory/k8ts/kubepods/memory.limit_in_bytes'), '9223372036854771712\n');
    write(
      path.join(root, 'memory/k8ts/kubepods/memory.stat'),
      'cache 1\nrss 2\ntotal_rss 300\ntotal_inactive_file 400\ntotal_pgfault 5\ntotal_pgmajfault 1\n',
    );
    const cg = await readCgroup(root, '/k8ts/kubepods');
    expect(cg?.usageCoreNanoSeconds).toBe(123456789);
    expect(cg?.memory).toEqual({
      usageBytes: 1000,
      workingSetBytes: 600,
      rssBytes: 300,
      pageFaults: 5,
      majorPageFaults: 1,
    });
    expect(cg?.createdMs).toBeGreaterThan(0);
    write(path.join(root, 'memory/k8ts/kubepods/memory.limit_in_bytes'), '2000\n');
    expect((await readCgroup(root, '/k8ts/kubepods'))?.memory?.limitBytes).toBe(2000);
  });

  it('reads the cgroup v2 unified hierarchy', async () => {
    const root = path.join(dir, 'v2');
    write(path.join(root, 'k8ts/kubepods/cgroup.controllers'), 'cpu memory\n');
    write(path.join(root, 'k8ts/kubepods/cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
    write(path.join(root, 'k8ts/kubepods/memory.current'), '5000\n');
    write(path.join(root, 'k8ts/kubepods/memory.max'), 'max\n');
    write(
      path.join(root, 'k8ts/kubepods/memory.stat'),
      'anon 700\ninactive_file 1000\npgfault 3\npgmajfault 0\n',
    );
    const cg = await readCgroup(root, '/k8ts/kubepods');
    expect(cg?.usageCoreNanoSeconds).toBe(1_500_000);
    expect(cg?.memory).toEqual({
      usageBytes: 5000,
      workingSetBytes: 4000,
      rssBytes: 700,
      pageFaults: 3,
      majorPageFaults: 0,
    });
  });

  it('answers undefined for a cgroup that does not exist', async () => {
    expect(await readCgroup(path.join(dir, 'v1'), '/nope')).toBeUndefined();
    expect(await readCgroup(path.join(dir, 'none'), '/k8ts')).toBeUndefined();
  });
});

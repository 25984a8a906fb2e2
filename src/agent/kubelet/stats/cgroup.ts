/**
 * CPU and memory of one cgroup (the node's pods cgroup, for the `pods` system container), read from
 * the cgroup filesystem: cgroup v1 controllers (cpuacct, memory) when they are mounted (v1 or hybrid
 * machines), else the v2 unified hierarchy.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseKeyValues } from './host.js';

/** Limits above this count as "no limit" (the kernel rounds its max value to pages). */
const UNLIMITED = 2 ** 62;

/** Cumulative CPU and current memory of a cgroup. */
export interface CgroupUsage {
  /** When the cgroup was created (its directory's change time), ms since the epoch. */
  createdMs: number;
  usageCoreNanoSeconds?: number;
  memory?: {
    usageBytes: number;
    workingSetBytes: number;
    rssBytes?: number;
    pageFaults?: number;
    majorPageFaults?: number;
    /** The memory limit when there is one. */
    limitBytes?: number;
  };
}

async function read(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

function limit(n: number | undefined): { limitBytes: number } | Record<string, never> {
  return n !== undefined && n < UNLIMITED ? { limitBytes: n } : {};
}

/**
 * Usage of cgroup `cgroupPath` (e.g. `/k8ts/kubepods`) under the cgroup filesystem root
 * `fsRoot` (`/sys/fs/cgroup`); undefined when the cgroup does not exist.
 */
export async function readCgroup(fsRoot: string, cgroupPath: string): Promise<CgroupUsage | undefined> {
  const v1Memory = path.join(fsRoot, 'memory', cgroupPath);
  const v1Stat = await stat(v1Memory).catch(() => undefined);
  if (v1Stat?.isDirectory()) {
    const [cpu, usage, statText, lim] = await Promise.all([
      read(path.join(fsRoot, 'cpuacct', cgroupPath, 'cpuacct.usage')),
      read(path.join(v1Memory, 'memory.usage_in_bytes')),
      read(path.join(v1Memory, 'memory.stat')),
      read(path.join(v1Memory, 'memory.limit_in_bytes')),
    ]);
    const s = parseKeyValues(statText ?? '');
    const usageBytes = num(usage);
    const cpuNs = num(cpu);
    return {
      createdMs: v1Stat.ctimeMs,
      ...(cpuNs !== undefined ? { usageCoreNanoSeconds: cpuNs } : {}),
      ...(usageBytes !== undefined
        ? {
            memory: {
              usageBytes,
              workingSetBytes: Math.max(0, usageBytes - (s.get('total_inactive_file') ?? 0)),
              rssBytes: s.get('total_rss') ?? 0,
              pageFaults: s.get('total_pgfault') ?? 0,
              majorPageFaults: s.get('total_pgmajfault') ?? 0,
              ...limit(num(lim)),
            },
          }
        : {}),
    };
  }
  const dir = path.join(fsRoot, cgroupPath);
  const v2Stat = await stat(path.join(dir, 'cgroup.controllers')).catch(() => undefined);
  if (!v2Stat) return undefined;
  const [cpuStat, current, memStat, max] = await Promise.all([
    read(path.join(dir, 'cpu.stat')),
    read(path.join(dir, 'memory.current')),
    read(path.join(dir, 'memory.stat')),
    read(path.join(dir, 'memory.max')),
  ]);
  const usec = parseKeyValues(cpuStat ?? '').get('usage_usec');
  const s = parseKeyValues(memStat ?? '');
  const usageBytes = num(current);
  const dirStat = await stat(dir);
  return {
    createdMs: dirStat.ctimeMs,
    ...(usec !== undefined ? { usageCoreNanoSeconds: usec * 1000 } : {}),
    ...(usageBytes !== undefined
      ? {
          memory: {
            usageBytes,
            workingSetBytes: Math.max(0, usageBytes - (s.get('inactive_file') ?? 0)),
            rssBytes: s.get('anon') ?? 0,
            pageFaults: s.get('pgfault') ?? 0,
            majorPageFaults: s.get('pgmajfault') ?? 0,
            ...limit(max?.trim() === 'max' ? undefined : num(max)),
          },
        }
      : {}),
  };
}

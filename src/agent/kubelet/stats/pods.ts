/**
 * The Summary's `pods` part, one pod at a time: its running containers (CPU, memory, writable layer,
 * log files), the pod cgroup's CPU and memory, the pod's network, its volumes and its ephemeral
 * storage (writable layers + logs + local volumes + the managed /etc/hosts).
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type {
  Container,
  ContainerStats as CriContainerStats,
  CpuUsage,
  MemoryUsage,
  NetworkUsage,
  PodSandbox,
} from '../../cri/types.js';
import { PLUGINS } from '../volumes/paths.js';
import {
  cpuStats,
  criFsStats,
  defined,
  criTime,
  fsStats,
  memoryStats,
  networkStats,
  sampleTimeMs,
  stamped,
  sum,
  summaryTime,
  swapStats,
} from './convert.js';
import { TMPFS_MAGIC, type DirUsage, type FsInfo } from './fs-usage.js';
import type { CpuRates } from './rate.js';
import type {
  ContainerStats,
  CPUStats,
  FsStats,
  MemoryStats,
  PodStats,
  SwapStats,
  VolumeStats,
} from './types.js';

/** One pod as the runtime reported it. */
export interface PodSample {
  sandbox: PodSandbox;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  network?: NetworkUsage;
  processCount?: number;
  /** Its running containers, with their stats. */
  containers: { stats: CriContainerStats; container: Container }[];
  /** The runtime had no pod-level figures: pod CPU and memory are the sum of its containers'. */
  summed: boolean;
}

/** What pod stats are read from. */
export interface PodSources {
  rates: CpuRates;
  /** statfs, cached for one Summary. */
  fsInfo(p: string): Promise<FsInfo | undefined>;
  /** Directory usage, cached for a while. */
  dirUsage(p: string): Promise<DirUsage | undefined>;
  /** `<data-dir>/agent/pod-logs`. */
  logsRoot: string;
  /** `<data-dir>/agent/pods`. */
  podsRoot: string;
  /** The data dir's filesystem (where logs, volumes and /etc/hosts files live). */
  nodeFs: FsInfo | undefined;
}

function rateOf(rates: CpuRates, key: string, cpu: CpuUsage | undefined, nowMs: number): number | undefined {
  const used = cpu?.usageCoreNanoSeconds?.value;
  if (!cpu || used === undefined) return undefined;
  return rates.observe(key, {
    usageCoreNanoSeconds: used,
    timestampNs: cpu.timestamp > 0 ? cpu.timestamp : nowMs * 1e6,
  });
}

async function containerStats(
  src: PodSources,
  s: CriContainerStats,
  c: Container,
  podLogDir: string,
  full: boolean,
  nowMs: number,
): Promise<ContainerStats> {
  const name = s.attributes?.metadata?.name ?? c.metadata?.name ?? '';
  const out: ContainerStats = {
    name,
    startTime: criTime(c.createdAt, nowMs),
    cpu: cpuStats(s.cpu, rateOf(src.rates, `container/${c.id}`, s.cpu, nowMs), nowMs),
    memory: memoryStats(s.memory, nowMs),
  };
  if (!full) return out;
  const mount = s.writableLayer?.fsId?.mountpoint;
  out.rootfs = criFsStats(s.writableLayer, mount ? await src.fsInfo(mount) : undefined, nowMs);
  const logs = await src.dirUsage(path.join(podLogDir, name));
  out.logs = fsStats(summaryTime(nowMs), src.nodeFs, logs?.bytes ?? 0, logs?.inodes ?? 0);
  out.swap = swapStats(s.swap, nowMs);
  return out;
}

/** Pod CPU as the sum of its containers' (runtimes without pod-level stats). */
function summedCpu(containers: ContainerStats[], nowMs: number): CPUStats {
  const first = containers.find((c) => c.cpu)?.cpu;
  const ms = first ? sampleTimeMs(first) : nowMs;
  return stamped(
    {
      time: summaryTime(ms),
      usageNanoCores: sum(0, ...containers.map((c) => c.cpu?.usageNanoCores)),
      usageCoreNanoSeconds: sum(0, ...containers.map((c) => c.cpu?.usageCoreNanoSeconds)),
    },
    ms,
  );
}

/** Pod memory as the sum of its containers'. */
function summedMemory(containers: ContainerStats[], nowMs: number): MemoryStats {
  const total = (pick: (m: MemoryStats) => number | undefined): number | undefined =>
    sum(0, ...containers.map((c) => (c.memory ? pick(c.memory) : undefined)));
  const first = containers.find((c) => c.memory)?.memory;
  const ms = first ? sampleTimeMs(first) : nowMs;
  return stamped(
    {
      time: summaryTime(ms),
      ...defined({
        availableBytes: sum(...containers.map((c) => c.memory?.availableBytes)),
        usageBytes: total((m) => m.usageBytes),
        workingSetBytes: total((m) => m.workingSetBytes),
        rssBytes: total((m) => m.rssBytes),
        pageFaults: total((m) => m.pageFaults),
        majorPageFaults: total((m) => m.majorPageFaults),
      }),
    },
    ms,
  );
}

function summedSwap(containers: ContainerStats[], nowMs: number): SwapStats | undefined {
  const swaps = containers.flatMap((c) => (c.swap ? [c.swap] : []));
  if (!swaps.length) return undefined;
  const ms = swaps[0] ? sampleTimeMs(swaps[0]) : nowMs;
  return stamped(
    {
      time: summaryTime(ms),
      swapAvailableBytes: sum(0, ...swaps.map((s) => s.swapAvailableBytes)),
      swapUsageBytes: sum(0, ...swaps.map((s) => s.swapUsageBytes)),
    },
    ms,
  );
}

/** Volumes of a pod with their usage; `local` tells whether one counts as ephemeral storage. */
async function podVolumes(
  src: PodSources,
  uid: string,
  nowMs: number,
): Promise<{ stats: VolumeStats; local: boolean }[]> {
  const root = path.join(src.podsRoot, uid, 'volumes');
  const out: { stats: VolumeStats; local: boolean }[] = [];
  let plugins: string[];
  try {
    plugins = await readdir(root);
  } catch {
    return out;
  }
  for (const plugin of plugins.sort()) {
    // hostPath volumes are the node's own directories, not the pod's.
    if (plugin === PLUGINS.hostPath) continue;
    let names: string[];
    try {
      names = await readdir(path.join(root, plugin));
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = path.join(root, plugin, name);
      const [usage, fs] = await Promise.all([src.dirUsage(dir), src.fsInfo(dir)]);
      if (!usage) continue;
      out.push({
        stats: { ...fsStats(summaryTime(nowMs), fs, usage.bytes, usage.inodes), name },
        local: fs?.type !== TMPFS_MAGIC,
      });
    }
  }
  out.sort((a, b) => ((a.stats.name ?? '') < (b.stats.name ?? '') ? -1 : 1));
  return out;
}

async function fileUsage(p: string): Promise<DirUsage | undefined> {
  try {
    const st = await lstat(p);
    return { bytes: st.blocks * 512, inodes: 1 };
  } catch {
    return undefined;
  }
}

/** One pod's Summary entry (`full` false: CPU and memory only). */
export async function podStats(
  src: PodSources,
  sample: PodSample,
  full: boolean,
  nowMs: number,
): Promise<PodStats> {
  const meta = sample.sandbox.metadata;
  const ref = { name: meta?.name ?? '', namespace: meta?.namespace ?? '', uid: meta?.uid ?? '' };
  const podLogDir = path.join(src.logsRoot, `${ref.namespace}_${ref.name}_${ref.uid}`);
  const containers = await Promise.all(
    sample.containers.map(({ stats, container }) =>
      containerStats(src, stats, container, podLogDir, full, nowMs),
    ),
  );
  containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pod: PodStats = {
    podRef: ref,
    startTime: criTime(sample.sandbox.createdAt, nowMs),
    containers,
    cpu: sample.summed
      ? summedCpu(containers, nowMs)
      : cpuStats(sample.cpu, rateOf(src.rates, `pod/${sample.sandbox.id}`, sample.cpu, nowMs), nowMs),
    memory: sample.summed ? summedMemory(containers, nowMs) : memoryStats(sample.memory, nowMs),
  };
  if (!full) return pod;

  const network = networkStats(sample.network, nowMs);
  if (network) pod.network = network;
  const volumes = ref.uid ? await podVolumes(src, ref.uid, nowMs) : [];
  if (volumes.length) pod.volume = volumes.map((v) => v.stats);
  const etcHosts = ref.uid ? await fileUsage(path.join(src.podsRoot, ref.uid, 'etc-hosts')) : undefined;
  const parts: { used?: number; inodes?: number }[] = [
    ...containers.flatMap((c) => [
      { used: c.rootfs?.usedBytes, inodes: c.rootfs?.inodesUsed },
      { used: c.logs?.usedBytes, inodes: c.logs?.inodesUsed },
    ]),
    ...volumes.filter((v) => v.local).map((v) => ({ used: v.stats.usedBytes, inodes: v.stats.inodesUsed })),
    ...(etcHosts ? [{ used: etcHosts.bytes, inodes: etcHosts.inodes }] : []),
  ];
  const ephemeral: FsStats = fsStats(
    summaryTime(nowMs),
    src.nodeFs,
    sum(0, ...parts.map((p) => p.used)),
    sum(0, ...parts.map((p) => p.inodes)),
  );
  pod['ephemeral-storage'] = ephemeral;
  if (sample.processCount !== undefined) pod.process_stats = { process_count: sample.processCount };
  if (sample.summed) {
    const swap = summedSwap(containers, nowMs);
    if (swap) pod.swap = swap;
  }
  return pod;
}

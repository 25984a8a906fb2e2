/**
 * The Summary's `node` part: machine CPU, memory, swap, network and task limits from the kernel, the
 * data dir's filesystem, the runtime's image filesystem (CRI ImageFsInfo), and system containers:
 * `kubelet` (this process) and `pods` (the cgroup all pods run under).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ImageService } from '../../cri/client.js';
import { readCgroup } from './cgroup.js';
import { criFsStats, defined, fsStats, stamped, summaryTime } from './convert.js';
import type { FsInfo } from './fs-usage.js';
import type { HostReader, NodeNetwork } from './host.js';
import type { CpuRates } from './rate.js';
import {
  SYSTEM_CONTAINER_KUBELET,
  SYSTEM_CONTAINER_PODS,
  type ContainerStats,
  type NetworkStats,
  type NodeStats,
  type RuntimeStats,
} from './types.js';

/** What the node part is read from. */
export interface NodeSources {
  nodeName: string;
  host: HostReader;
  /** Root of the cgroup filesystem (`/sys/fs/cgroup`). */
  cgroupFsRoot: string;
  /** The cgroup all pods run under (`<cgroup root>/kubepods`). */
  podsCgroup: string;
  /** The agent's data dir (its filesystem is the node's `fs`). */
  dataDir: string;
  images: Pick<ImageService, 'imageFsInfo'>;
  rates: CpuRates;
  /** statfs, cached for the duration of one Summary. */
  fsInfo(p: string): Promise<FsInfo | undefined>;
  log: Logger;
}

function networkStats(net: NodeNetwork, time: string): NetworkStats {
  const strip = ({ name, rxBytes, rxErrors, txBytes, txErrors }: NodeNetwork['interfaces'][number]) => ({
    name,
    rxBytes,
    rxErrors,
    txBytes,
    txErrors,
  });
  return {
    time,
    ...(net.defaultInterface ? strip(net.defaultInterface) : { name: '' }),
    ...(net.interfaces.length ? { interfaces: net.interfaces.map(strip) } : {}),
  };
}

/** The `kubelet` system container: this process's CPU time and resident memory. */
function selfStats(rates: CpuRates, nowMs: number): ContainerStats {
  const time = summaryTime(nowMs);
  const cpu = process.cpuUsage();
  const usage = (cpu.user + cpu.system) * 1000;
  const rss = process.memoryUsage.rss();
  const rate = rates.observe('sys/kubelet', { usageCoreNanoSeconds: usage, timestampNs: nowMs * 1e6 });
  return {
    name: SYSTEM_CONTAINER_KUBELET,
    startTime: summaryTime(performance.timeOrigin),
    cpu: stamped({ time, ...defined({ usageNanoCores: rate }), usageCoreNanoSeconds: usage }, nowMs),
    memory: stamped({ time, usageBytes: rss, workingSetBytes: rss, rssBytes: rss }, nowMs),
  };
}

/** The `pods` system container from the pods cgroup; undefined when it does not exist (yet). */
async function podsCgroupStats(src: NodeSources, nowMs: number): Promise<ContainerStats | undefined> {
  const cg = await readCgroup(src.cgroupFsRoot, src.podsCgroup);
  if (!cg) return undefined;
  const time = summaryTime(nowMs);
  const out: ContainerStats = { name: SYSTEM_CONTAINER_PODS, startTime: summaryTime(cg.createdMs) };
  if (cg.usageCoreNanoSeconds !== undefined) {
    const rate = src.rates.observe('sys/pods', {
      usageCoreNanoSeconds: cg.usageCoreNanoSeconds,
      timestampNs: nowMs * 1e6,
    });
    out.cpu = stamped(
      { time, ...defined({ usageNanoCores: rate }), usageCoreNanoSeconds: cg.usageCoreNanoSeconds },
      nowMs,
    );
  }
  if (cg.memory) {
    const m = cg.memory;
    out.memory = stamped(
      {
        time,
        ...defined({
          availableBytes:
            m.limitBytes !== undefined ? Math.max(0, m.limitBytes - m.workingSetBytes) : undefined,
          usageBytes: m.usageBytes,
          workingSetBytes: m.workingSetBytes,
          rssBytes: m.rssBytes,
          pageFaults: m.pageFaults,
          majorPageFaults: m.majorPageFaults,
        }),
      },
      nowMs,
    );
  }
  return out;
}

/** The runtime's image filesystem (also its container filesystem: containerd keeps both together). */
async function runtimeStats(src: NodeSources, nowMs: number): Promise<RuntimeStats | undefined> {
  let first;
  try {
    first = (await src.images.imageFsInfo()).imageFilesystems[0];
  } catch (err) {
    src.log.warn({ err }, 'image filesystem stats unavailable');
    return undefined;
  }
  if (!first) return undefined;
  const mount = first.fsId?.mountpoint;
  const imageFs = criFsStats(first, mount ? await src.fsInfo(mount) : undefined, nowMs);
  return { imageFs, containerFs: imageFs };
}

/** The node part of a Summary (`full` false: CPU, memory and swap only, as for /metrics/resource). */
export async function nodeStats(src: NodeSources, full: boolean, nowMs: number): Promise<NodeStats> {
  const time = summaryTime(nowMs);
  const [cpu, memory, pods, network, tasks, dataFs, runtime] = await Promise.all([
    src.host.cpu(),
    src.host.memory(),
    podsCgroupStats(src, nowMs),
    full ? src.host.network() : undefined,
    full ? src.host.tasks() : undefined,
    full ? src.fsInfo(src.dataDir) : undefined,
    full ? runtimeStats(src, nowMs) : undefined,
  ]);
  const systemContainers = [selfStats(src.rates, nowMs), ...(pods ? [pods] : [])];
  const node: NodeStats = {
    nodeName: src.nodeName,
    systemContainers,
    startTime: summaryTime(cpu?.bootTimeMs ?? performance.timeOrigin),
  };
  if (cpu) {
    const rate = src.rates.observe('node', {
      usageCoreNanoSeconds: cpu.usageCoreNanoSeconds,
      timestampNs: nowMs * 1e6,
    });
    node.cpu = stamped(
      { time, ...defined({ usageNanoCores: rate }), usageCoreNanoSeconds: cpu.usageCoreNanoSeconds },
      nowMs,
    );
  }
  if (memory) {
    node.memory = stamped(
      {
        time,
        availableBytes: memory.availableBytes,
        usageBytes: memory.usageBytes,
        workingSetBytes: memory.workingSetBytes,
        rssBytes: memory.rssBytes,
        ...defined({ pageFaults: memory.pageFaults, majorPageFaults: memory.majorPageFaults }),
      },
      nowMs,
    );
  }
  if (network) node.network = networkStats(network, time);
  if (dataFs) node.fs = fsStats(time, dataFs, dataFs.usedBytes, dataFs.inodesUsed);
  if (runtime) node.runtime = runtime;
  if (tasks) node.rlimit = { time, ...defined({ maxpid: tasks.maxpid, curproc: tasks.curproc }) };
  if (memory?.swapUsageBytes !== undefined)
    node.swap = stamped({ time, swapUsageBytes: memory.swapUsageBytes }, nowMs);
  return node;
}

/**
 * CRI stats messages → Summary pieces (times, CPU, memory, network, filesystems). Pure functions;
 * the CPU rate is passed in because it depends on earlier samples.
 */
import type {
  CpuUsage,
  FilesystemUsage,
  MemoryUsage,
  NetworkInterfaceUsage,
  NetworkUsage,
  SwapUsage,
  UInt64Value,
} from '../../cri/types.js';
import type { FsInfo } from './fs-usage.js';
import type { CPUStats, FsStats, InterfaceStats, MemoryStats, NetworkStats, SwapStats } from './types.js';

/** A `metav1.Time` as JSON: RFC 3339, UTC, whole seconds. */
export function summaryTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A CRI timestamp (ns since the epoch; 0 when the runtime left it unset) in ms, to the microsecond
 * (int64 nanoseconds lose their last bits as JavaScript numbers; rounding keeps them from pushing a
 * whole millisecond back).
 */
export function criMs(ns: number | undefined, fallbackMs: number): number {
  return ns && ns > 0 ? Math.round(ns / 1e3) / 1e3 : fallbackMs;
}

/** A CRI timestamp as a Summary time. */
export function criTime(ns: number | undefined, fallbackMs: number): string {
  return summaryTime(criMs(ns, fallbackMs));
}

/**
 * Exact sample times (ms) of Summary pieces. The JSON `time` keeps whole seconds only, but
 * /metrics/resource stamps samples in milliseconds, and rate consumers (metrics-server) divide by
 * the difference of those stamps.
 */
const sampleTimes = new WeakMap<object, number>();

/** Records the exact sample time of a Summary piece and returns the piece. */
export function stamped<T extends { time: string }>(piece: T, ms: number): T {
  sampleTimes.set(piece, Math.floor(ms));
  return piece;
}

/** The exact sample time of a Summary piece in ms (else its whole-second `time`). */
export function sampleTimeMs(piece: { time: string }): number {
  return sampleTimes.get(piece) ?? Date.parse(piece.time);
}

/** The value of an optional CRI counter. */
export function val(v: UInt64Value | undefined): number | undefined {
  return v?.value;
}

/** Copies the defined entries of `fields` (the Summary leaves absent figures out). */
export function defined<T extends object>(fields: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * Summary CPU of a CRI sample. `rate` is our own rate over the last window; without one, the
 * runtime's `usageNanoCores` is used when it is positive (containerd answers 0 when it has no
 * earlier sample itself, which would read as "idle").
 */
export function cpuStats(cpu: CpuUsage | undefined, rate: number | undefined, nowMs: number): CPUStats {
  if (!cpu) return stamped({ time: summaryTime(nowMs), usageNanoCores: 0, usageCoreNanoSeconds: 0 }, nowMs);
  const runtimeRate = val(cpu.usageNanoCores);
  const ms = criMs(cpu.timestamp, nowMs);
  return stamped(
    {
      time: summaryTime(ms),
      ...defined({
        usageNanoCores: rate ?? (runtimeRate !== undefined && runtimeRate > 0 ? runtimeRate : undefined),
        usageCoreNanoSeconds: val(cpu.usageCoreNanoSeconds),
      }),
    },
    ms,
  );
}

/**
 * Summary memory of a CRI sample. containerd reports `availableBytes` 0 for a cgroup without a
 * limit; the Summary leaves it out then (it is "limit − working set", meaningless without a limit).
 */
export function memoryStats(mem: MemoryUsage | undefined, nowMs: number): MemoryStats {
  if (!mem) return stamped({ time: summaryTime(nowMs), workingSetBytes: 0 }, nowMs);
  const available = val(mem.availableBytes);
  const ms = criMs(mem.timestamp, nowMs);
  return stamped(
    {
      time: summaryTime(ms),
      ...defined({
        availableBytes: available ? available : undefined,
        usageBytes: val(mem.usageBytes),
        workingSetBytes: val(mem.workingSetBytes),
        rssBytes: val(mem.rssBytes),
        pageFaults: val(mem.pageFaults),
        majorPageFaults: val(mem.majorPageFaults),
      }),
    },
    ms,
  );
}

/** Summary swap of a CRI sample (zeros when the runtime gives none, as upstream's kubelet does). */
export function swapStats(swap: SwapUsage | undefined, nowMs: number): SwapStats {
  if (!swap) return stamped({ time: summaryTime(nowMs), swapAvailableBytes: 0, swapUsageBytes: 0 }, nowMs);
  const ms = criMs(swap.timestamp, nowMs);
  return stamped(
    {
      time: summaryTime(ms),
      ...defined({
        swapAvailableBytes: val(swap.swapAvailableBytes),
        swapUsageBytes: val(swap.swapUsageBytes),
      }),
    },
    ms,
  );
}

function iface(i: NetworkInterfaceUsage): InterfaceStats {
  return {
    name: i.name,
    ...defined({
      rxBytes: val(i.rxBytes),
      rxErrors: val(i.rxErrors),
      txBytes: val(i.txBytes),
      txErrors: val(i.txErrors),
    }),
  };
}

/**
 * Summary network of a pod. containerd 1.6 fills only the default interface (eth0) and leaves the
 * list empty; the list then holds the default interface, as a cgroup-based kubelet shows it.
 */
export function networkStats(net: NetworkUsage | undefined, nowMs: number): NetworkStats | undefined {
  if (!net) return undefined;
  const def = net.defaultInterface ? iface(net.defaultInterface) : undefined;
  const list = net.interfaces.length ? net.interfaces.map(iface) : def ? [def] : [];
  return {
    time: criTime(net.timestamp, nowMs),
    ...(def ?? { name: '' }),
    ...(list.length ? { interfaces: list } : {}),
  };
}

/**
 * FsStats in upstream's field order: the filesystem's capacity, free space and inodes (when known)
 * and what the measured thing uses of it.
 */
export function fsStats(
  time: string,
  fs: FsInfo | undefined,
  usedBytes: number | undefined,
  inodesUsed: number | undefined,
): FsStats {
  return {
    time,
    ...defined({
      availableBytes: fs?.availableBytes,
      capacityBytes: fs?.capacityBytes,
      usedBytes,
      inodesFree: fs?.inodesFree,
      inodes: fs?.inodes,
      inodesUsed,
    }),
  };
}

/** A CRI filesystem usage (a writable layer, the image store) with its filesystem's capacity. */
export function criFsStats(
  usage: FilesystemUsage | undefined,
  fs: FsInfo | undefined,
  nowMs: number,
): FsStats {
  return fsStats(criTime(usage?.timestamp, nowMs), fs, val(usage?.usedBytes), val(usage?.inodesUsed));
}

/** Adds up optional counters (undefined when all are). */
export function sum(...values: (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const v of values) if (v !== undefined) total = (total ?? 0) + v;
  return total;
}

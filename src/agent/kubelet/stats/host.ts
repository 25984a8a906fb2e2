/**
 * Node-wide figures read from the kernel's /proc files: CPU time (/proc/stat), memory (/proc/meminfo,
 * /proc/vmstat), network counters of the agent's network namespace (/proc/net/dev, with the default
 * route's interface from /proc/net/route) and task limits (/proc/sys/kernel, /proc/loadavg).
 * Parsers are pure functions; {@link HostReader} reads the files under a root (tests give a fake one).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Clock ticks per second of /proc/stat (USER_HZ: 100 on every Linux architecture we run on). */
export const USER_HZ = 100;

/** Cumulative CPU time of the whole machine and when it booted. */
export interface NodeCpu {
  /** Time spent running tasks (user, nice, system, irq, softirq) over all CPUs, in nanoseconds. */
  usageCoreNanoSeconds: number;
  /** Boot time, ms since the epoch (undefined when /proc/stat has no btime line). */
  bootTimeMs?: number;
}

/**
 * Parses /proc/stat: the aggregate `cpu` line (user nice system idle iowait irq softirq steal …, in
 * USER_HZ ticks) and `btime`. Idle, iowait and steal are not use; guest time is already inside user.
 */
export function parseProcStat(text: string): NodeCpu | undefined {
  let cpu: number | undefined;
  let boot: number | undefined;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu') {
      const n = f.slice(1).map(Number);
      const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = n;
      cpu = ((user + nice + system + irq + softirq) * 1e9) / USER_HZ;
    } else if (f[0] === 'btime' && f[1]) {
      boot = Number(f[1]) * 1000;
    }
  }
  if (cpu === undefined || !Number.isFinite(cpu)) return undefined;
  return {
    usageCoreNanoSeconds: cpu,
    ...(boot !== undefined && Number.isFinite(boot) ? { bootTimeMs: boot } : {}),
  };
}

/**
 * Parses `key value [kB]` lines (/proc/meminfo `MemTotal:  123 kB`, /proc/vmstat and cgroup stat
 * files `pgfault 123`). Values given in kB are returned in bytes.
 */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^\s:]+):?\s+(\d+)(\s+kB)?\s*$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    out.set(m[1], Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

/** Node memory, shaped as a cgroup's figures (what upstream reports for the root cgroup). */
export interface NodeMemory {
  /** All memory in use: MemTotal − MemFree (page cache included). */
  usageBytes: number;
  /** usage − inactive file cache (what cannot be dropped cheaply). */
  workingSetBytes: number;
  /** Anonymous memory. */
  rssBytes: number;
  /** MemTotal − working set. */
  availableBytes: number;
  pageFaults?: number;
  majorPageFaults?: number;
  /** Swap in use (SwapTotal − SwapFree). */
  swapUsageBytes?: number;
}

/** Node memory from /proc/meminfo and /proc/vmstat figures (see {@link NodeMemory}). */
export function nodeMemory(
  meminfo: Map<string, number>,
  vmstat: Map<string, number>,
): NodeMemory | undefined {
  const total = meminfo.get('MemTotal');
  const free = meminfo.get('MemFree');
  if (total === undefined || free === undefined) return undefined;
  const usage = Math.max(0, total - free);
  const workingSet = Math.max(0, usage - (meminfo.get('Inactive(file)') ?? 0));
  const swapTotal = meminfo.get('SwapTotal');
  const swapFree = meminfo.get('SwapFree');
  const pgfault = vmstat.get('pgfault');
  const pgmajfault = vmstat.get('pgmajfault');
  return {
    usageBytes: usage,
    workingSetBytes: workingSet,
    rssBytes: meminfo.get('AnonPages') ?? 0,
    availableBytes: Math.max(0, total - workingSet),
    ...(pgfault !== undefined ? { pageFaults: pgfault } : {}),
    ...(pgmajfault !== undefined ? { majorPageFaults: pgmajfault } : {}),
    ...(swapTotal !== undefined && swapFree !== undefined
      ? { swapUsageBytes: Math.max(0, swapTotal - swapFree) }
      : {}),
  };
}

/** Counters of one network interface. */
export interface InterfaceCounters {
  name: string;
  rxBytes: number;
  rxErrors: number;
  txBytes: number;
  txErrors: number;
}

/** Parses /proc/net/dev (two header lines, then `name: rx-bytes packets errs … tx-bytes packets errs …`). */
export function parseNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const n = m[2].trim().split(/\s+/).map(Number);
    if (n.length < 16 || n.some((x) => !Number.isFinite(x))) continue;
    out.push({
      name: m[1],
      rxBytes: n[0] ?? 0,
      rxErrors: n[2] ?? 0,
      txBytes: n[8] ?? 0,
      txErrors: n[10] ?? 0,
    });
  }
  return out;
}

/** The interface of the IPv4 default route in /proc/net/route (destination and mask 0), if any. */
export function defaultRouteInterface(text: string): string | undefined {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000') return f[0];
  }
  return undefined;
}

/** Interfaces left out of node network stats (as cAdvisor does): loopback and container plumbing. */
export function isIgnoredInterface(name: string): boolean {
  return ['lo', 'veth', 'docker', 'nerdctl'].some((p) => name.startsWith(p));
}

/** The node's network interfaces and which one is the default. */
export interface NodeNetwork {
  interfaces: InterfaceCounters[];
  /** The default route's interface; else `eth0` when present; else the first one. */
  defaultInterface?: InterfaceCounters;
}

/** Node network figures from /proc/net/dev and /proc/net/route texts. */
export function nodeNetwork(netDev: string, route: string): NodeNetwork {
  const interfaces = parseNetDev(netDev).filter((i) => !isIgnoredInterface(i.name));
  const byRoute = defaultRouteInterface(route);
  const defaultInterface =
    interfaces.find((i) => i.name === byRoute) ?? interfaces.find((i) => i.name === 'eth0') ?? interfaces[0];
  return { interfaces, ...(defaultInterface ? { defaultInterface } : {}) };
}

/** Task limits: the lower of kernel.pid_max and kernel.threads-max, and the tasks that exist now. */
export interface NodeTasks {
  maxpid?: number;
  curproc?: number;
}

/** Tasks from the pid_max and threads-max texts and /proc/loadavg (`0.1 0.2 0.3 running/total last`). */
export function nodeTasks(pidMax: string, threadsMax: string, loadavg: string): NodeTasks {
  const limits = [pidMax, threadsMax]
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  const total = /\s\d+\/(\d+)\s/.exec(loadavg)?.[1];
  return {
    ...(limits.length ? { maxpid: Math.min(...limits) } : {}),
    ...(total !== undefined ? { curproc: Number(total) } : {}),
  };
}

/** Reads the node's figures from a /proc tree (the real one by default). */
export class HostReader {
  constructor(private readonly procRoot = '/proc') {}

  private async read(rel: string): Promise<string | undefined> {
    try {
      return await readFile(path.join(this.procRoot, rel), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Machine CPU time and boot time; undefined when /proc/stat cannot be read. */
  async cpu(): Promise<NodeCpu | undefined> {
    const text = await this.read('stat');
    return text === undefined ? undefined : parseProcStat(text);
  }

  /** Machine memory; undefined when /proc/meminfo cannot be read. */
  async memory(): Promise<NodeMemory | undefined> {
    const [meminfo, vmstat] = await Promise.all([this.read('meminfo'), this.read('vmstat')]);
    if (meminfo === undefined) return undefined;
    return nodeMemory(parseKeyValues(meminfo), parseKeyValues(vmstat ?? ''));
  }

  /** Interfaces of this process's network namespace; undefined when /proc/net/dev cannot be read. */
  async network(): Promise<NodeNetwork | undefined> {
    const [dev, route] = await Promise.all([this.read('net/dev'), this.read('net/route')]);
    return dev === undefined ? undefined : nodeNetwork(dev, route ?? '');
  }

  /** Task limits and count. */
  async tasks(): Promise<NodeTasks> {
    const [pidMax, threadsMax, loadavg] = await Promise.all([
      this.read('sys/kernel/pid_max'),
      this.read('sys/kernel/threads-max'),
      this.read('loadavg'),
    ]);
    return nodeTasks(pidMax ?? '', threadsMax ?? '', loadavg ?? '');
  }
}

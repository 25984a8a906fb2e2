/**
 * CPU time of every process on the machine (and of this process's reaped children), from /proc, to
 * say where the CPU of a load run went: per command name (`wrk`, `haproxy`, `nginx`, `node`, …) and
 * the kernel's softirq time (packet processing that no process is charged for).
 */
import fs from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux). */
const HZ = 100;

/** CPU ticks per process at one moment, plus this process's reaped children and the softirq total. */
export interface CpuSnapshot {
  /** pid → [command, user+system ticks]. */
  procs: Map<number, [string, number]>;
  /** cutime + cstime of this process: children it has waited for (wrk, once it exited). */
  reapedChildren: number;
  /** softirq ticks of all CPUs (/proc/stat; the whole machine, other jobs included). */
  softirq: number;
  /** All busy ticks of all CPUs (/proc/stat: everything but idle and iowait; the whole machine). */
  busy: number;
}

/** The fields after the command of /proc/PID/stat, and the command. */
function statOf(text: string): { comm: string; rest: string[] } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return { comm: text.slice(open + 1, close), rest: text.slice(close + 2).split(' ') };
}

/**
 * A filter for {@link cpuSnapshot}: processes in this process's network namespace, or in a cgroup
 * whose path contains `cgroup` (e.g. the run's K8TS_CI_CGROUP, under which pods live in their own
 * network namespaces). Other jobs on the machine are left out.
 */
export function ourProcesses(cgroup: string | undefined): (pid: number) => boolean {
  const mine = fs.readlinkSync('/proc/self/ns/net');
  return (pid) => {
    try {
      if (fs.readlinkSync(`/proc/${pid}/ns/net`) === mine) return true;
      return !!cgroup && fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(cgroup);
    } catch {
      return false;
    }
  };
}

/** Reads the CPU times of every process (that `keep` accepts) now. */
export function cpuSnapshot(keep: (pid: number) => boolean = () => true): CpuSnapshot {
  const procs = new Map<number, [string, number]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (!keep(Number(name))) continue;
    try {
      const { comm, rest } = statOf(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      procs.set(Number(name), [comm, Number(rest[11]) + Number(rest[12])]);
    } catch {
      // the process ended meanwhile
    }
  }
  const self = statOf(fs.readFileSync('/proc/self/stat', 'utf8')).rest;
  const cpu = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const busy = cpu.reduce((a, v, i) => (i === 3 || i === 4 || !Number.isFinite(v) ? a : a + v), 0);
  return {
    procs,
    reapedChildren: Number(self[13]) + Number(self[14]),
    softirq: cpu[6] ?? 0,
    busy,
  };
}

/**
 * CPU milliseconds spent between two snapshots, per command name, or per label for the PIDs in
 * `labels` (processes that started in between count from zero; those that ended in between are lost,
 * except this process's reaped children, reported as `children`), plus `softirq` and `all` (every
 * CPU's busy time).
 */
export function cpuMsByCommand(
  before: CpuSnapshot,
  after: CpuSnapshot,
  labels: ReadonlyMap<number, string> = new Map(),
): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, ticks: number): void => {
    if (ticks > 0) out.set(k, (out.get(k) ?? 0) + (ticks * 1000) / HZ);
  };
  for (const [pid, [comm, ticks]] of after.procs) {
    const was = before.procs.get(pid);
    add(labels.get(pid) ?? comm, ticks - (was && was[0] === comm ? was[1] : 0));
  }
  add('children', after.reapedChildren - before.reapedChildren);
  add('softirq', after.softirq - before.softirq);
  add('all', after.busy - before.busy);
  return out;
}

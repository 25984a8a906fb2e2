/**
 * Where a process's threads spend the wall time of a benchmark point, from the kernel's scheduler
 * statistics (/proc/PID/task/TID/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting
 * for one). For a single-threaded server this tells a busy event loop (on CPU), a loop starved of
 * CPU by other processes (runnable, waiting) and an idle loop (neither: waiting for I/O) apart —
 * which per-process CPU totals cannot: 1 core used out of 2 may be one saturated thread.
 */
import fs from 'node:fs';

/** Nanoseconds a thread or process spent on a CPU and runnable in the run queue. */
export interface SchedTimes {
  runNs: number;
  waitNs: number;
}

function readSchedstat(file: string): SchedTimes | undefined {
  try {
    const [run, wait] = fs.readFileSync(file, 'utf8').trim().split(' ');
    return { runNs: Number(run), waitNs: Number(wait) };
  } catch {
    // The thread ended between listing and reading, or the kernel has no schedstat.
    return undefined;
  }
}

/** The scheduler times of one thread (`tid` defaults to the main thread, tid = pid). */
export function threadSched(pid: number, tid = pid): SchedTimes | undefined {
  return readSchedstat(`/proc/${pid}/task/${tid}/schedstat`);
}

/** The scheduler times of all threads of `pid` that exist now, summed. */
export function processSched(pid: number): SchedTimes | undefined {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const sum: SchedTimes = { runNs: 0, waitNs: 0 };
  for (const tid of tids) {
    const t = threadSched(pid, Number(tid));
    if (!t) continue;
    sum.runNs += t.runNs;
    sum.waitNs += t.waitNs;
  }
  return sum;
}

/** Shares of a wall-clock interval: on a CPU, runnable but waiting, and the rest (idle). */
export interface SchedShares {
  /** Percent of the interval on a CPU. */
  busyPct: number;
  /** Percent of the interval runnable but not running (waiting for a CPU other work held). */
  waitPct: number;
}

/** The shares between two readings `wallMs` apart; undefined when either is missing. */
export function schedShares(
  before: SchedTimes | undefined,
  after: SchedTimes | undefined,
  wallMs: number,
): SchedShares | undefined {
  if (!before || !after || wallMs <= 0) return undefined;
  return {
    busyPct: (100 * (after.runNs - before.runNs)) / 1e6 / wallMs,
    waitPct: (100 * (after.waitNs - before.waitNs)) / 1e6 / wallMs,
  };
}

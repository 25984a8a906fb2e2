/** Process facts from /proc and small waiting helpers. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** Memory of one process from /proc/PID/status, in MiB. */
export interface ProcMemory {
  /** Resident set size now (VmRSS). */
  rssMiB: number;
  /** Peak resident set size so far (VmHWM). */
  hwmMiB: number;
  /** Anonymous memory (heaps) and file-backed memory (the node binary, libraries) in the RSS. */
  anonMiB: number;
  fileMiB: number;
}

function kbLine(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m || !m[1]) throw new Error(`no ${key} in /proc status`);
  return Number(m[1]);
}

/** Reads VmRSS and VmHWM of `pid`; throws if the process is gone. */
export function procMemory(pid: number): ProcMemory {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMiB: kbLine(text, 'VmRSS') / 1024,
    hwmMiB: kbLine(text, 'VmHWM') / 1024,
    anonMiB: kbLine(text, 'RssAnon') / 1024,
    fileMiB: kbLine(text, 'RssFile') / 1024,
  };
}

/**
 * Proportional set size of `pid` in MiB (/proc/PID/smaps_rollup): pages shared with other processes
 * (the node binary, libraries) count in shares. Undefined when the kernel does not provide it.
 */
export function procPssMiB(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of `pid` so far, in seconds, from /proc/PID/stat. */
export function procCpuSeconds(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / 100;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `everyMs` until it returns a value other than undefined, or throws at the
 * deadline with the last error seen. `fatal` is asked first on every round: an Error it returns ends
 * the wait at once (e.g. the process being waited for has exited).
 */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  opts: { everyMs?: number; fatal?: () => Error | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const fatal = opts.fatal?.();
    if (fatal) throw fatal;
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(opts.everyMs ?? 100);
  }
}

/** Load average of the machine (1 minute), to show how busy it was during a run. */
export function loadAverage(): number {
  const text = fs.readFileSync('/proc/loadavg', 'utf8');
  return Number(text.split(' ')[0]);
}

/** The memory of a bare node process doing nothing, `settleMs` after its start (a floor). */
export async function bareNodeRss(settleMs: number): Promise<ProcMemory> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(settleMs);
    return procMemory(child.pid ?? 0);
  } finally {
    child.kill('SIGTERM');
  }
}

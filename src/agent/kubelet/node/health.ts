/** Live readings of the machine behind the node's pressure conditions. */
import { readFileSync, statfsSync } from 'node:fs';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** MemAvailable of /proc/meminfo in bytes. */
export function parseMemAvailable(text: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
  return m?.[1] ? Number(m[1]) * 1024 : undefined;
}

/** Readings now: available memory, free disk under `dataDir`, processes in use and the limit. */
export function readHealth(dataDir: string): {
  memoryAvailableBytes: number;
  diskAvailableBytes: number;
  pidsUsed: number;
  pidsMax: number;
} {
  let disk = Number.MAX_SAFE_INTEGER;
  try {
    const s = statfsSync(dataDir);
    disk = Number(s.bavail) * Number(s.bsize);
  } catch {
    // No reading: report no pressure rather than a false alarm.
  }
  const threads = /\d+\/(\d+)/.exec(read('/proc/loadavg'))?.[1];
  return {
    memoryAvailableBytes: parseMemAvailable(read('/proc/meminfo')) ?? Number.MAX_SAFE_INTEGER,
    diskAvailableBytes: disk,
    pidsUsed: threads ? Number(threads) : 0,
    pidsMax: Number(read('/proc/sys/kernel/pid_max').trim()) || 0,
  };
}

/**
 * A V8 heap reporter for a server the benchmark starts: node preloads a small module (`--import`)
 * that answers SIGUSR2 with a `HEAPSTATS {json}` line on stdout (V8 heap spaces, used vs committed,
 * `process.memoryUsage()`), after writing a heap snapshot when a directory is given. It adds nothing
 * else to the process. {@link heapStats} sends the signal and reads the line from the server's log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const reporter = (snapshotDir: string | undefined): string => `
import v8 from 'node:v8';
let seq = 0;
process.on('SIGUSR2', () => {
  seq++;
  const dir = ${JSON.stringify(snapshotDir ?? '')};
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  const memory = process.memoryUsage();
  const snapshot = dir ? v8.writeHeapSnapshot(dir + '/server-' + seq + '-' + Date.now() + '.heapsnapshot') : undefined;
  process.stdout.write('HEAPSTATS ' + JSON.stringify({ seq, memory, spaces, snapshot }) + '\\n');
});
`;

/** V8 heap figures of a process (bytes). */
export interface HeapStats {
  /** 1 for the first report of the process, and so on. */
  seq: number;
  memory: NodeJS.MemoryUsage;
  spaces: Record<string, { size: number; used: number }>;
  /** The heap snapshot written before the line (when asked for). */
  snapshot?: string;
}

/**
 * Writes the reporter module into `dir` and returns the node flags that preload it (`snapshotDir`:
 * also write a heap snapshot there on each signal).
 */
export function heapReporterArgs(dir: string, snapshotDir?: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'heap-reporter.mjs');
  fs.writeFileSync(file, reporter(snapshotDir ? path.resolve(snapshotDir) : undefined));
  if (snapshotDir) fs.mkdirSync(snapshotDir, { recursive: true });
  return ['--import', pathToFileURL(file).href];
}

function reports(log: string): HeapStats[] {
  const out: HeapStats[] = [];
  for (const line of log.split('\n'))
    if (line.startsWith('HEAPSTATS ')) {
      try {
        out.push(JSON.parse(line.slice(10)) as HeapStats);
      } catch {
        // a line cut by the log's trimming
      }
    }
  return out;
}

/** Sends SIGUSR2 to `pid` and waits for the next HEAPSTATS line in `log()`. */
export async function heapStats(pid: number, log: () => string, timeoutMs = 300_000): Promise<HeapStats> {
  const last = reports(log()).reduce((m, r) => Math.max(m, r.seq), 0);
  process.kill(pid, 'SIGUSR2');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = reports(log()).find((x) => x.seq > last);
    if (r) return r;
    if (Date.now() > end) throw new Error('the server did not report its heap');
    await new Promise((res) => setTimeout(res, 200));
  }
}

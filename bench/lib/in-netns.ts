/**
 * Benchmarks that use the agent-net tier's helpers (test/agent-net/support.ts: a node with its own
 * address, Services, pods) run the way that tier does: inside a network namespace made by
 * scripts/in-netns.sh, which removes every process, mount, cgroup and the namespace at the end, also
 * on failure. The outer run re-executes the benchmark (same flags) through that script.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchOptions } from './options.js';
import { ensureBuilt, ROOT } from './server.js';

/** True in the inner run (inside the namespace scripts/in-netns.sh made). */
export function insideNetns(): boolean {
  const name = process.env['K8TS_CI_NETNS'];
  if (!name) return false;
  try {
    const mine = fs.statSync('/proc/self/ns/net');
    const theirs = fs.statSync(`/run/netns/${name}`);
    return mine.ino === theirs.ino && mine.dev === theirs.dev;
  } catch {
    return false;
  }
}

/** Runs benchmark `name` again (same flags) through scripts/in-netns.sh; needs root. */
export async function reexecInNetns(name: string, o: BenchOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`${name} needs root (network namespaces, cgroups, mounts)`);
  ensureBuilt();
  const child = spawn(
    'bash',
    [
      path.join(ROOT, 'scripts', 'in-netns.sh'),
      process.execPath,
      ...process.execArgv,
      path.join(ROOT, 'bench', 'run.ts'),
      name,
      ...o.argv,
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  const code = await new Promise<number | string>((resolve) => {
    child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(err.message));
  });
  if (code !== 0) throw new Error(`${name} failed inside its network namespace (exit ${code})`);
}

/**
 * Benchmarks that run a node (containerd, CNI, pods) do it inside a network namespace they create, so
 * the machine's network and iptables stay untouched and pod traffic stays inside it.
 *
 * {@link inBenchHost} creates a test host (test/support/host.ts: a fresh network namespace with
 * loopback up, a scratch directory and a cgroup prefix), runs the same benchmark again as a child
 * process inside it (`nsenter --net=…`), and tears the host down afterwards, also when the run fails:
 * every process left in the namespace (the server, containerd, shims, containers) is killed by PID,
 * mounts under the scratch directory are unmounted, cgroups, the namespace and the directory removed.
 * Inside, the body gets the host's facts from the environment.
 */
import path from 'node:path';
import { createTestHost } from '../../test/support/host.js';
import type { BenchOptions } from './options.js';
import { ensureBuilt, ROOT } from './server.js';

const ENV = 'K8TS_BENCH_HOST';

/** The host a benchmark runs in. */
export interface BenchHost {
  /** The namespace name (also the cgroup prefix name). */
  name: string;
  /** Scratch directory; everything under it is removed (and unmounted) at the end. */
  dir: string;
  /** The cgroup path prefix for pods (`/k8ts-t-…`). */
  cgroupRoot: string;
}

function isBenchHost(v: unknown): v is BenchHost {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['name'] === 'string' && typeof o['dir'] === 'string' && typeof o['cgroupRoot'] === 'string';
}

/** The host this process runs in, when it is the inner run of {@link inBenchHost}. */
export function currentBenchHost(): BenchHost | undefined {
  const raw = process.env[ENV];
  if (!raw) return undefined;
  const v: unknown = JSON.parse(raw);
  if (!isBenchHost(v)) throw new Error(`${ENV} is not a bench host: ${raw}`);
  return v;
}

/**
 * Runs `body` inside a network namespace made for this run: in this process when it already is the
 * inner run, otherwise by running benchmark `name` again (same flags) inside a new test host.
 */
export async function inBenchHost(
  name: string,
  o: BenchOptions,
  body: (host: BenchHost) => Promise<void>,
): Promise<void> {
  const current = currentBenchHost();
  if (current) return body(current);
  if (process.getuid?.() !== 0) throw new Error(`${name} needs root (network namespaces, cgroups, mounts)`);
  ensureBuilt();
  const host = await createTestHost();
  const facts: BenchHost = { name: host.name, dir: host.dir, cgroupRoot: host.cgroupRoot };
  let failure: Error | undefined;
  try {
    process.stdout.write(`running inside network namespace ${host.name}…\n`);
    const child = host.spawn(
      process.execPath,
      [...process.execArgv, path.join(ROOT, 'bench', 'run.ts'), name, ...o.argv],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, [ENV]: JSON.stringify(facts) } },
    );
    const code = await new Promise<number | string>((resolve) => {
      child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
      child.once('error', (err) => resolve(err.message));
    });
    if (code !== 0) failure = new Error(`${name} failed inside ${host.name} (exit ${code})`);
  } finally {
    await host.destroy().catch((err: unknown) => {
      process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  }
  if (failure) throw failure;
}

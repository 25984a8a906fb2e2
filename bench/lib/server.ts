/**
 * Starts the real `k8ts server` (the compiled program, `node bin/k8ts.js server`) as a child process on
 * a fresh data directory and a free loopback port, and stops it by its PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/storage/testing/etcd.js';
import { H2Client } from './h2client.js';
import { readKubeconfig, type ClientCredentials } from './kubeconfig.js';
import { pollUntil } from './proc.js';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/ is missing or older than src/ (the benchmarks run the built server). */
export function ensureBuilt(): void {
  const main = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  process.stdout.write('building the server (npm run build)…\n');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal})`);
}

/** A running k8ts server. */
export interface K8tsServer {
  pid: number;
  port: number;
  origin: string;
  dataDir: string;
  kubeconfig: string;
  creds: ClientCredentials;
  /** The server's log so far (JSON lines). */
  log(): string;
  /** SIGTERM, wait (SIGKILL after 15 s), and remove the data dir unless `keep`. */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

/** Options of {@link startK8ts}. */
export interface StartOptions {
  /** etcd client URL; SQLite when absent. */
  datastoreEndpoint?: string;
  /** Write a V8 CPU profile of the server into this directory (node --cpu-prof). */
  cpuProfileDir?: string;
  /** Flags for node itself (e.g. V8 heap flags), before the program. */
  nodeArgs?: string[];
  /** The program to run (default: this tree's bin/k8ts.js). */
  bin?: string;
  /** Extra flags for `k8ts server`. */
  extraArgs?: string[];
  /**
   * Use this data directory (created if missing; a restart on the same data when it exists) instead
   * of a fresh temporary one.
   */
  dataDir?: string;
  /** Listen on this port (e.g. a restart where clients expect the same address) instead of a free one. */
  port?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * The environment node gets when k8ts runs as a program: bin/k8ts.js's first lines start node with
 * MALLOC_ARENA_MAX=2 unless it is set. The benchmarks run `node [flags] bin/k8ts.js`, which skips
 * those lines, so they pass the same environment themselves.
 */
export function launcherEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_ARENA_MAX: process.env['MALLOC_ARENA_MAX'] ?? '2' };
}

/** Starts the server and resolves once /readyz answers 200 with the admin certificate. */
export async function startK8ts(opts: StartOptions = {}): Promise<K8tsServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  // The node agent's kubelet port defaults to 10250: another server on the machine (a test, another
  // benchmark) may hold it, so each server measured here gets a free one of its own.
  const extra = opts.extraArgs ?? [];
  const agentArgs =
    extra.includes('--disable-agent') || extra.includes('--kubelet-port')
      ? []
      : ['--kubelet-port', String(await freePort())];
  const nodeArgs = [
    ...(opts.nodeArgs ?? []),
    ...(opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : []),
  ];
  const args = [
    ...nodeArgs,
    opts.bin ? path.resolve(opts.bin) : path.join(ROOT, 'bin', 'k8ts.js'),
    'server',
    '--data-dir',
    dataDir,
    '--https-port',
    String(port),
    '--bind-address',
    '127.0.0.1',
    ...(opts.datastoreEndpoint ? ['--datastore-endpoint', opts.datastoreEndpoint] : []),
    ...agentArgs,
    ...extra,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: launcherEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (o: { keep?: boolean } = {}): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(timer);
    }
    if (!o.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = path.join(dataDir, 'kubeconfig.yaml');
    const fatal = (): Error | undefined =>
      child.exitCode !== null || child.signalCode !== null
        ? new Error(`k8ts server exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`)
        : undefined;
    const ready = async (): Promise<true | undefined> => {
      if (!fs.existsSync(kubeconfig)) return undefined;
      const client = await H2Client.connect(`https://127.0.0.1:${port}`, readKubeconfig(kubeconfig));
      try {
        const res = await client.request('GET', '/readyz');
        return res.status === 200 ? true : undefined;
      } finally {
        client.close();
      }
    };
    await pollUntil('the k8ts server to become ready', 90_000, ready, { fatal });
    const creds = readKubeconfig(kubeconfig);
    return {
      pid: child.pid ?? 0,
      port,
      origin: `https://127.0.0.1:${port}`,
      dataDir,
      kubeconfig,
      creds,
      log: () => out,
      stop,
    };
  } catch (err) {
    const hadExited = child.exitCode !== null || child.signalCode !== null;
    await stop();
    if (hadExited) throw err;
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\nserver output:\n${out.slice(-3000)}`,
    );
  }
}

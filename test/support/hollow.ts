/**
 * `k8ts hollow-nodes` as a child process of a test (the built program, like the server): simulated
 * nodes that register, heartbeat and run pods without containers. Stops by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, type TestServer } from './server.js';

/** A running hollow-nodes process. */
export interface HollowProcess {
  pid: number;
  /** What it printed (tail). */
  log(): string;
  /** SIGTERM (SIGKILL after 5 s); resolves when it exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when it exited. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `k8ts hollow-nodes --count N ARGS…` against `server` (its admin kubeconfig through
 * KUBECONFIG) and waits until it reports its nodes registered.
 */
export async function startHollowNodes(
  server: TestServer,
  count: number,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<HollowProcess> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'k8ts.js'), 'hollow-nodes', '--count', String(count), ...args],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: server.kubeconfig, NODE_ENV: 'test' },
    },
  );
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const keep = (d: Buffer): void => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + timeoutMs;
  while (!/registered in \d+ ms/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`hollow-nodes exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hollow-nodes did not register its nodes in ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const signal = async (sig: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited(child);
    clearTimeout(t);
  };
  return {
    pid: child.pid ?? 0,
    log: () => output,
    stop: () => signal('SIGTERM', 5000),
    kill: () => signal('SIGKILL', 0),
  };
}

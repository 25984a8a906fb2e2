/**
 * idle-rss: the k8ts server's memory. Start it with its defaults (embedded SQLite) on a fresh data
 * dir, wait 10 s after it is ready and read VmRSS from /proc/PID/status; then again after one
 * `kubectl get all -A` and one `kubectl api-resources` (real kubectl, empty discovery cache).
 * Floors in the same run: a bare idle `node` process, and the echo server (node + TLS + HTTP/2
 * listening, nothing else). Goal: < 100 MB (MiB here) idle.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEcho } from './lib/child.js';
import { knob, type BenchOptions } from './lib/options.js';
import { procMemory, sleep, type ProcMemory } from './lib/proc.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { ensureBuilt, startK8ts } from './lib/server.js';

const GOAL_MIB = 100;

function kubectl(kubeconfig: string, cacheDir: string, args: string[]): { ms: number; lines: number } {
  const t0 = performance.now();
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw new Error(`kubectl ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms: performance.now() - t0, lines: r.stdout.split('\n').filter(Boolean).length };
}

/** A bare node process doing nothing, for the floor. */
async function bareNodeRss(settleMs: number): Promise<ProcMemory> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(settleMs);
    return procMemory(child.pid ?? 0);
  } finally {
    child.kill('SIGTERM');
  }
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  const waitMs = knob(o, 'waitSeconds', 10, 3) * 1000;
  const memory: Record<string, ProcMemory> = {};
  const kubectlRuns: Record<string, { ms: number; lines: number }> = {};
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-kubecache-'));
  const srv = await startK8ts();
  try {
    memory['k8ts at ready'] = procMemory(srv.pid);
    process.stdout.write(`server ready (pid ${srv.pid}); waiting ${waitMs / 1000} s…\n`);
    await sleep(waitMs);
    memory[`k8ts idle ${waitMs / 1000} s after ready`] = procMemory(srv.pid);
    kubectlRuns['get all -A'] = kubectl(srv.kubeconfig, cacheDir, ['get', 'all', '-A']);
    memory['k8ts after kubectl get all -A'] = procMemory(srv.pid);
    kubectlRuns['api-resources'] = kubectl(srv.kubeconfig, cacheDir, ['api-resources']);
    memory['k8ts after kubectl api-resources'] = procMemory(srv.pid);
    await sleep(Math.min(waitMs, 5000));
    memory['k8ts a few seconds later'] = procMemory(srv.pid);

    const echo = await startEcho(path.join(srv.dataDir, 'tls'), srv.creds);
    try {
      await sleep(2000);
      memory['floor: echo server (node + TLS + h2)'] = procMemory(echo.pid);
    } finally {
      await echo.stop();
    }
  } finally {
    await srv.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  memory['floor: bare node'] = await bareNodeRss(2000);

  printTable(
    'Memory (MiB, /proc/PID/status)',
    ['process / moment', 'VmRSS', 'VmHWM', 'RssAnon', 'RssFile'],
    Object.entries(memory).map(([k, m]) => [k, m.rssMiB, m.hwmMiB, m.anonMiB, m.fileMiB]),
  );
  printTable(
    'kubectl (empty discovery cache)',
    ['command', 'ms', 'output lines'],
    Object.entries(kubectlRuns).map(([k, r]) => [k, r.ms, r.lines]),
  );
  const idle = memory[`k8ts idle ${waitMs / 1000} s after ready`]?.rssMiB ?? NaN;
  const afterKubectl = memory['k8ts after kubectl api-resources']?.rssMiB ?? NaN;
  const bare = memory['floor: bare node']?.rssMiB ?? NaN;
  const goals: Goal[] = [
    { goal: `idle RSS < ${GOAL_MIB} MiB`, value: `${fmt(idle, 1)} MiB`, met: idle < GOAL_MIB },
    {
      goal: `(info) RSS after kubectl get all -A + api-resources < ${GOAL_MIB} MiB`,
      value: `${fmt(afterKubectl, 1)} MiB`,
      met: afterKubectl < GOAL_MIB,
    },
  ];
  printGoals(goals);
  writeResult('idle-rss', { options: { waitMs }, memory, kubectl: kubectlRuns, goals });
  headline(
    `idle-rss: ${fmt(idle, 1)} MiB idle (${fmt(idle / bare, 1)}x a bare node's ${fmt(bare, 1)} MiB), ` +
      `${fmt(afterKubectl, 1)} MiB after kubectl — ${goals[0]?.met ? 'goal met' : 'goal MISSED'}`,
  );
}

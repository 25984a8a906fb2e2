/**
 * idle-rss: the k8ts server's memory. Start it with its defaults (embedded SQLite, and its node
 * agent: containerd, the service proxy, DNS, Ingress) on a fresh data dir, wait 10 s after its node
 * is Ready and read VmRSS from /proc/PID/status; then again after one
 * `kubectl get all -A` and one `kubectl api-resources` (real kubectl, empty discovery cache).
 * Idle RSS varies by ~10 MiB from start to start (how far V8 grew its young generation during
 * start-up), so the idle figure is the median of several fresh starts. For information it also
 * measures starts with V8's young generation capped (`node --max-semi-space-size=2`).
 * Floors in the same run: a bare idle `node` process, and the echo server (node + TLS + HTTP/2
 * listening, nothing else). Goal: idle RSS < 100 MiB.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEcho } from './lib/child.js';
import { knob, type BenchOptions } from './lib/options.js';
import { bareNodeRss, procMemory, sleep, type ProcMemory } from './lib/proc.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { heapReporterArgs, heapStats, type HeapStats } from './lib/heap-reporter.js';
import { inBenchHost, type BenchHost } from './lib/netns.js';
import { startNode } from './lib/node.js';
import { ensureBuilt, startK8ts, type K8tsServer } from './lib/server.js';
import { median } from './lib/stats.js';

/** 100 MB in MiB. */
const GOAL_MIB = 100e6 / 2 ** 20;
const SEMI_SPACE_FLAG = '--max-semi-space-size=2';

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

/** A row of the idle table: median, min, max and every start's VmRSS (MiB). */
function rssRow(label: string, values: number[]): (string | number)[] {
  return [
    label,
    median(values),
    Math.min(...values),
    Math.max(...values),
    values.map((v) => fmt(v, 0)).join(' '),
  ];
}

/** A started server and how to stop it. */
interface Started {
  srv: K8tsServer;
  stop(): Promise<void>;
}

/**
 * Starts `k8ts server` on a fresh data dir: with its agent inside the bench host (resolves once the
 * node is Ready), or the API server alone (`--disable-agent`).
 */
async function startServer(
  host: BenchHost | undefined,
  n: number,
  opts: { nodeArgs?: string[]; alone?: boolean },
): Promise<Started> {
  const nodeArgs = opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {};
  if (!host || opts.alone) {
    const srv = await startK8ts({ ...nodeArgs, extraArgs: ['--disable-agent'] });
    return { srv, stop: () => srv.stop() };
  }
  const node = await startNode(host, {
    dataDir: path.join(host.dir, `data-${n}`),
    images: false,
    ...nodeArgs,
  });
  return { srv: node.srv, stop: () => node.stop() };
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  if (process.getuid?.() === 0) await inBenchHost('idle-rss', o, (host) => measure(o, host));
  else {
    process.stdout.write(
      'not root: measuring the API server alone (--disable-agent), without its node agent\n',
    );
    await measure(o, undefined);
  }
}

async function measure(o: BenchOptions, host: BenchHost | undefined): Promise<void> {
  let n = 0;
  const waitMs = knob(o, 'waitSeconds', 10, 3) * 1000;
  const starts = Math.max(1, knob(o, 'starts', 3, 1));
  const memory: Record<string, ProcMemory> = {};
  const idle: number[] = [];
  const capped: number[] = [];
  const alone: number[] = [];
  let heap: HeapStats | undefined;
  const kubectlRuns: Record<string, { ms: number; lines: number }> = {};
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-kubecache-'));
  try {
    // --set heap=1: the first start preloads a V8 heap reporter and prints its heap spaces when idle.
    // --set heapSnapshot=1: also a heap snapshot, in bench/results/profiles/idle-rss/.
    const snapshotDir = o.knobs.has('heapSnapshot')
      ? path.resolve('bench/results/profiles/idle-rss')
      : undefined;
    const heapArgs =
      o.knobs.has('heap') || snapshotDir
        ? heapReporterArgs(path.join(cacheDir, 'heap'), snapshotDir)
        : undefined;
    for (let i = 0; i < starts; i++) {
      const started = await startServer(host, n++, i === 0 && heapArgs ? { nodeArgs: heapArgs } : {});
      const srv = started.srv;
      try {
        if (i === 0) memory['k8ts at ready'] = procMemory(srv.pid);
        process.stdout.write(
          `start ${i + 1}/${starts}: ready (pid ${srv.pid}); waiting ${waitMs / 1000} s…\n`,
        );
        await sleep(waitMs);
        const m = procMemory(srv.pid);
        idle.push(m.rssMiB);
        if (i > 0) continue;
        if (heapArgs) heap = await heapStats(srv.pid, () => srv.log(), 30_000);
        memory[`k8ts idle ${waitMs / 1000} s after ready`] = m;
        kubectlRuns['get all -A'] = kubectl(srv.kubeconfig, cacheDir, ['get', 'all', '-A']);
        memory['k8ts after kubectl get all -A'] = procMemory(srv.pid);
        kubectlRuns['api-resources'] = kubectl(srv.kubeconfig, cacheDir, ['api-resources']);
        memory['k8ts after kubectl api-resources'] = procMemory(srv.pid);
        const echo = await startEcho(path.join(srv.dataDir, 'tls'), srv.creds);
        try {
          await sleep(2000);
          memory['floor: echo server (node + TLS + h2)'] = procMemory(echo.pid);
        } finally {
          await echo.stop();
        }
      } finally {
        await started.stop();
      }
    }
    /** VmRSS of `starts` fresh starts with `opts`, each `waitMs` after ready; the first's in `memory`. */
    const idleStarts = async (
      what: string,
      opts: { nodeArgs?: string[]; alone?: boolean },
    ): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < starts; i++) {
        const started = await startServer(host, n++, opts);
        try {
          process.stdout.write(`start ${i + 1}/${starts} ${what}: waiting ${waitMs / 1000} s…\n`);
          await sleep(waitMs);
          const m = procMemory(started.srv.pid);
          out.push(m.rssMiB);
          if (i === 0) memory[`k8ts idle, ${what}`] = m;
        } finally {
          await started.stop();
        }
      }
      return out;
    };
    capped.push(...(await idleStarts(`node ${SEMI_SPACE_FLAG}`, { nodeArgs: [SEMI_SPACE_FLAG] })));
    if (host) alone.push(...(await idleStarts('--disable-agent', { alone: true })));
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  memory['floor: bare node'] = await bareNodeRss(2000);

  printTable(
    'Memory (MiB, /proc/PID/status; first start)',
    ['process / moment', 'VmRSS', 'VmHWM', 'RssAnon', 'RssFile'],
    Object.entries(memory).map(([k, m]) => [k, m.rssMiB, m.hwmMiB, m.anonMiB, m.fileMiB]),
  );
  printTable(
    `Idle VmRSS over ${starts} fresh starts (MiB, ${waitMs / 1000} s after ready)`,
    ['server', 'median', 'min', 'max', 'all'],
    [
      rssRow(host ? 'k8ts (defaults: with its agent)' : 'k8ts --disable-agent (no root)', idle),
      rssRow(`k8ts, node ${SEMI_SPACE_FLAG}`, capped),
      ...(alone.length ? [rssRow('k8ts --disable-agent (API server alone)', alone)] : []),
    ],
  );
  if (heap) {
    const MiB = (b: number): number => b / 2 ** 20;
    printTable(
      'V8 heap of the first start when idle (MiB: used / committed)',
      ['space', 'used', 'committed'],
      [
        ...Object.entries(heap.spaces).map(([k, v]) => [k, MiB(v.used), MiB(v.size)]),
        ['external (memoryUsage)', MiB(heap.memory.external), ''],
        ['arrayBuffers (memoryUsage)', MiB(heap.memory.arrayBuffers), ''],
      ],
    );
  }
  printTable(
    'kubectl (empty discovery cache)',
    ['command', 'ms', 'output lines'],
    Object.entries(kubectlRuns).map(([k, r]) => [k, r.ms, r.lines]),
  );
  process.stdout.write(
    '  RssFile is mostly clean pages of the node binary, shared with every other node process;\n' +
      "  RssAnon is the process's own memory (heaps).\n",
  );
  const idleMedian = median(idle);
  const afterKubectl = memory['k8ts after kubectl api-resources']?.rssMiB ?? NaN;
  const bare = memory['floor: bare node']?.rssMiB ?? NaN;
  const goals: Goal[] = [
    {
      goal: `idle RSS${host ? '' : ' (API server alone: no root)'} < 100 MB (${fmt(GOAL_MIB, 1)} MiB; median of ${starts} starts)`,
      value: `${fmt(idleMedian, 1)} MiB`,
      met: idleMedian < GOAL_MIB,
    },
    {
      goal: `(info) RSS after kubectl get all -A + api-resources < 100 MB`,
      value: `${fmt(afterKubectl, 1)} MiB`,
      met: afterKubectl < GOAL_MIB,
    },
  ];
  printGoals(goals);
  writeResult('idle-rss', {
    options: { waitMs, starts, agent: host !== undefined },
    idleMiB: idle,
    aloneMiB: alone,
    cappedSemiSpaceMiB: capped,
    memory,
    kubectl: kubectlRuns,
    goals,
  });
  headline(
    `idle-rss: ${fmt(idleMedian, 1)} MiB idle (median of ${starts}; ${fmt(idleMedian / bare, 1)}x a bare node's ${fmt(bare, 1)} MiB; ` +
      `${fmt(median(capped), 1)} MiB with ${SEMI_SPACE_FLAG}), ${fmt(afterKubectl, 1)} MiB after kubectl — ${goals[0]?.met ? 'goal met' : 'goal MISSED'}`,
  );
}

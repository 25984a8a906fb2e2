/**
 * agent-memory: the node agent's own memory and that of the containerd it runs (not the containers
 * or their shims), idle and with `pods` pods running, on a real node inside a network namespace the
 * benchmark creates. The agent runs inside `k8ts server`, so it is measured two ways:
 *  (a) in-process: VmRSS of `k8ts server` with its agent minus VmRSS of `k8ts server --disable-agent`
 *      on the same data (same objects in the API), each the median over `starts` fresh starts;
 *  (c) standalone: `k8ts agent` in a process of its own (bench/lib/standalone-agent.ts) beside
 *      `k8ts server --disable-agent`, median over `starts`.
 * (b) containerd: VmRSS of the agent's containerd (its PID from <data>/agent/containerd/containerd.pid).
 * Every figure is read `waitSeconds` after the process is ready. Goal: agent + containerd < 120 MB.
 * The floor of (c), printed beside it: a bare node process (what any node program costs before its
 * own code) plus containerd with the pods, and what that leaves of the goal for the agent.
 * `--set nodeArgs=--a+--b` gives every node process measured more options (A/B of V8 flags);
 * `K8TS_CONTAINERD_DEBUG=1` in the environment opens containerd's pprof/expvar pages on
 * `<data>/agent/containerd/debug.sock` (Go memory statistics, goroutine and heap profiles).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEFAULT_CONFIG } from '../src/server/config.js';
import { PODS } from '../src/client/resources.js';
import type { ApiObject } from '../src/client/types.js';
import { inBenchHost, type BenchHost } from './lib/netns.js';
import {
  BENCH_NODE,
  benchPod,
  containerdPidOf,
  ensurePodNamespace,
  podIsReady,
  startNode,
} from './lib/node.js';
import { knob, type BenchOptions } from './lib/options.js';
import {
  bareNodeRss,
  pollUntil,
  procCpuSeconds,
  procMemory,
  procPssMiB,
  sleep,
  type ProcMemory,
} from './lib/proc.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { forEachParallel } from './lib/load.js';
import { startStandaloneAgent, type HeapStats } from './lib/standalone-agent.js';
import { median } from './lib/stats.js';
import fs from 'node:fs';
import path from 'node:path';

const NS = 'bench-mem';
/** 120 MB (10^6 bytes) in MiB. */
const GOAL_MIB = 120e6 / 2 ** 20;

type Moment = 'idle' | 'pods';

/** The samples of one moment. */
interface Samples {
  /** k8ts server with its agent. */
  serverWithAgent: Mem[];
  /** k8ts server --disable-agent. */
  serverAlone: Mem[];
  /** The standalone agent process. */
  standalone: Mem[];
  /** containerd, while the in-process agent ran it, and while the standalone agent did. */
  containerdInProcess: Mem[];
  containerdStandalone: Mem[];
  /** V8's view of the standalone agent's memory, read right after its RSS. */
  standaloneHeap: HeapStats[];
  /** CPU use while waiting (% of one core). */
  cpu: { serverWithAgent: number[]; serverAlone: number[]; standalone: number[]; containerd: number[] };
}

const empty = (): Samples => ({
  serverWithAgent: [],
  serverAlone: [],
  standalone: [],
  containerdInProcess: [],
  containerdStandalone: [],
  standaloneHeap: [],
  cpu: { serverWithAgent: [], serverAlone: [], standalone: [], containerd: [] },
});

const rss = (list: ProcMemory[]): number => median(list.map((m) => m.rssMiB));

/** VmRSS and friends, plus PSS (shared pages counted in shares). */
type Mem = ProcMemory & { pssMiB?: number };
function memoryOf(pid: number): Mem {
  const pss = procPssMiB(pid);
  return { ...procMemory(pid), ...(pss !== undefined ? { pssMiB: pss } : {}) };
}

async function measure(host: BenchHost, o: BenchOptions): Promise<void> {
  const starts = Math.max(1, knob(o, 'starts', 2, 1));
  const waitMs = knob(o, 'waitSeconds', 10, 3) * 1000;
  const podCount = knob(o, 'pods', 50, 10);
  const dataDir = path.join(host.dir, 'data');
  const snapshotDir = o.knobs.has('heapSnapshot')
    ? path.resolve('bench/results/profiles/agent-memory')
    : undefined;
  if (snapshotDir) fs.mkdirSync(snapshotDir, { recursive: true });
  // --set semiSpace=N: every node process measured gets --max-semi-space-size=N (MiB), to see how
  // much of the RSS is V8's young generation grown by allocation churn.
  const semiSpace = o.knobs.get('semiSpace');
  // --set nodeArgs=--a+--b: more node options for every node process measured (A/B of V8 flags).
  const extraArgs = (o.knobs.get('nodeArgs') ?? '').split('+').filter((a) => a !== '');
  const nodeArgs =
    semiSpace || extraArgs.length
      ? [...(semiSpace ? [`--max-semi-space-size=${semiSpace}`] : []), ...extraArgs]
      : undefined;
  const bin = o.knobs.get('bin');
  const nodeOpts = { ...(nodeArgs ? { nodeArgs } : {}), ...(bin ? { bin } : {}) };
  const samples: Record<Moment, Samples> = { idle: empty(), pods: empty() };
  let afterCreate: { server: ProcMemory; containerd?: ProcMemory } | undefined;

  const containerd = (): ProcMemory | undefined => {
    const pid = containerdPidOf(dataDir);
    return pid ? memoryOf(pid) : undefined;
  };
  /**
   * Waits `waitMs`; returns the CPU use (% of one core) of `pids` over the second half of the wait
   * (the first half lets start-up work finish).
   */
  const settle = async (what: string, pids: (number | undefined)[] = []): Promise<number[]> => {
    process.stdout.write(`  ${what}: waiting ${waitMs / 1000} s…\n`);
    await sleep(waitMs / 2);
    const cpu = (pid: number | undefined): number => {
      try {
        return pid ? procCpuSeconds(pid) : NaN;
      } catch {
        return NaN;
      }
    };
    const c0 = pids.map(cpu);
    const t0 = performance.now();
    await sleep(waitMs / 2);
    const seconds = (performance.now() - t0) / 1000;
    return pids.map((pid, i) => (100 * (cpu(pid) - (c0[i] ?? NaN))) / seconds);
  };

  /** One start of each shape: server with agent; server alone; server alone + standalone agent. */
  const pass = async (m: Moment, i: number): Promise<void> => {
    const s = samples[m];
    process.stdout.write(`${m}, start ${i + 1}/${starts}\n`);
    const withAgent = await startNode(host, { dataDir, ...nodeOpts });
    try {
      const [cpuServer, cpuContainerd] = await settle('k8ts server with its agent', [
        withAgent.srv.pid,
        withAgent.containerdPid(),
      ]);
      s.cpu.serverWithAgent.push(cpuServer ?? NaN);
      s.cpu.containerd.push(cpuContainerd ?? NaN);
      s.serverWithAgent.push(memoryOf(withAgent.srv.pid));
      const c = containerd();
      if (c) s.containerdInProcess.push(c);
    } finally {
      await withAgent.stop();
    }
    const alone = await startNode(host, { dataDir, disableAgent: true, ...nodeOpts });
    try {
      const [cpuAlone] = await settle('k8ts server --disable-agent', [alone.srv.pid]);
      s.cpu.serverAlone.push(cpuAlone ?? NaN);
      s.serverAlone.push(memoryOf(alone.srv.pid));
      const agent = await startStandaloneAgent({
        dataDir,
        port: alone.srv.port,
        nodeName: BENCH_NODE,
        cgroupRoot: host.cgroupRoot,
        serviceCidr: DEFAULT_CONFIG.serviceCidr,
        ...(snapshotDir ? { heapSnapshotDir: snapshotDir } : {}),
        ...nodeOpts,
      });
      try {
        const [cpuAgent] = await settle('standalone agent', [agent.pid]);
        s.cpu.standalone.push(cpuAgent ?? NaN);
        s.standalone.push(memoryOf(agent.pid));
        s.standaloneHeap.push(await agent.heapStats());
        const c = containerd();
        if (c) s.containerdStandalone.push(c);
      } finally {
        await agent.stop();
      }
    } finally {
      await alone.stop();
    }
  };

  for (let i = 0; i < starts; i++) await pass('idle', i);

  process.stdout.write(`creating ${podCount} pods…\n`);
  const node = await startNode(host, { dataDir, ...nodeOpts });
  try {
    await ensurePodNamespace(node.client, NS);
    const pods = node.client.resource<Pod & ApiObject>(PODS, NS);
    await forEachParallel(podCount, 10, async (i) => {
      await pods.create(benchPod(`m-${i}`, NS));
    });
    await pollUntil(
      `${podCount} pods Ready`,
      300_000,
      async () => {
        const ready = (await pods.list()).items.filter((p) => podIsReady(p)).length;
        return ready === podCount ? true : undefined;
      },
      { everyMs: 500 },
    );
    await settle(`k8ts server with its agent, ${podCount} pods just created`);
    const c = containerd();
    afterCreate = { server: procMemory(node.srv.pid), ...(c ? { containerd: c } : {}) };
  } finally {
    await node.stop();
  }
  for (let i = 0; i < starts; i++) await pass('pods', i);
  // The floor of (c): node itself, before any code of the agent.
  const bareNode = await bareNodeRss(2000);

  // Tables.
  const row = (label: string, list: Mem[]): (string | number)[] => [
    label,
    list.length,
    rss(list),
    Math.min(...list.map((m) => m.rssMiB)),
    Math.max(...list.map((m) => m.rssMiB)),
    median(list.map((m) => m.anonMiB)),
    median(list.map((m) => m.fileMiB)),
    median(list.map((m) => m.pssMiB ?? NaN)),
  ];
  for (const m of ['idle', 'pods'] as const) {
    const s = samples[m];
    printTable(
      `VmRSS (MiB), ${m === 'idle' ? 'no pods' : `${podCount} pods running`}, ${waitMs / 1000} s after ready`,
      ['process', 'starts', 'median', 'min', 'max', 'RssAnon', 'RssFile', 'Pss'],
      [
        row('k8ts server with its agent', s.serverWithAgent),
        row('k8ts server --disable-agent', s.serverAlone),
        row('standalone `k8ts agent`', s.standalone),
        row('containerd (in-process agent)', s.containerdInProcess),
        row('containerd (standalone agent)', s.containerdStandalone),
      ],
    );
  }
  const MiB = (b: number | undefined): number => (b ?? NaN) / 2 ** 20;
  const heapRow = (label: string, list: HeapStats[]): (string | number)[] => {
    const med = (f: (h: HeapStats) => number | undefined): number => median(list.map((h) => MiB(f(h))));
    return [
      label,
      med((h) => h.memory.rss),
      med((h) => h.memory.heapTotal),
      med((h) => h.memory.heapUsed),
      med((h) => h.spaces['new_space']?.size),
      med((h) => h.spaces['new_space']?.used),
      med((h) => h.spaces['old_space']?.size),
      med((h) => h.spaces['old_space']?.used),
      med((h) => h.spaces['code_space']?.size),
      med((h) => h.memory.external),
    ];
  };
  printTable(
    "The standalone agent's V8 heap (MiB, medians): committed vs live",
    [
      'moment',
      'rss',
      'heap total',
      'heap used',
      'new space',
      'new used',
      'old space',
      'old used',
      'code',
      'external',
    ],
    [heapRow('idle', samples.idle.standaloneHeap), heapRow(`${podCount} pods`, samples.pods.standaloneHeap)],
  );
  printTable(
    `CPU while idle (% of one core, over the last ${waitMs / 2000} s of each wait, medians)`,
    ['moment', 'server with agent', 'server --disable-agent', 'difference', 'standalone agent', 'containerd'],
    (['idle', 'pods'] as const).map((m) => {
      const c = samples[m].cpu;
      const w = median(c.serverWithAgent);
      const a = median(c.serverAlone);
      return [
        m === 'idle' ? 'idle' : `${podCount} pods`,
        w,
        a,
        w - a,
        median(c.standalone),
        median(c.containerd),
      ];
    }),
  );
  if (afterCreate)
    process.stdout.write(
      `\n  Right after creating the ${podCount} pods (same server process): server ${fmt(afterCreate.server.rssMiB, 1)} MiB` +
        ` (peak ${fmt(afterCreate.server.hwmMiB, 1)}), containerd ${fmt(afterCreate.containerd?.rssMiB, 1)} MiB` +
        ` (peak ${fmt(afterCreate.containerd?.hwmMiB, 1)}).\n`,
    );

  const figures = (m: Moment) => {
    const s = samples[m];
    const delta = rss(s.serverWithAgent) - rss(s.serverAlone);
    const cIn = rss(s.containerdInProcess);
    const standalone = rss(s.standalone);
    const cSa = rss(s.containerdStandalone);
    return { delta, cIn, inProcess: delta + cIn, standalone, cSa, separate: standalone + cSa };
  };
  const f = { idle: figures('idle'), pods: figures('pods') };
  printTable(
    'Agent + containerd (MiB)',
    [
      'moment',
      'agent (a) in-process delta',
      'containerd (b)',
      '(a) + (b)',
      'agent (c) standalone',
      'containerd',
      '(c) + containerd',
    ],
    (['idle', 'pods'] as const).map((m) => [
      m === 'idle' ? 'idle' : `${podCount} pods`,
      f[m].delta,
      f[m].cIn,
      f[m].inProcess,
      f[m].standalone,
      f[m].cSa,
      f[m].separate,
    ]),
  );
  process.stdout.write(
    '  (a) is what running the agent adds to the k8ts server process; (c) is a whole node process of its\n' +
      "  own: `k8ts agent` (node's own ~40 MiB included). RSS varies by several\n" +
      '  MiB from start to start (how far V8 grew its heaps), so (a) is a difference of medians. RssFile\n' +
      "  is mostly the node (or containerd) binary's pages, shared with every process running it; Pss\n" +
      '  counts shared pages in shares. Goals use VmRSS.\n',
  );
  const floorWithPods = bareNode.rssMiB + f.pods.cSa;
  process.stdout.write(
    `  Floor of (c): a bare node process (node -e 'setInterval(…)') ${fmt(bareNode.rssMiB, 1)} MiB` +
      ` (RssFile ${fmt(bareNode.fileMiB, 1)}); with the containerd of ${podCount} pods ${fmt(floorWithPods, 1)} MiB,` +
      ` which leaves ${fmt(GOAL_MIB - floorWithPods, 1)} MiB under the goal for everything the agent holds;` +
      ` it holds ${fmt(f.pods.standalone - bareNode.rssMiB, 1)} MiB above a bare node.\n`,
  );
  const goals: Goal[] = [];
  for (const m of ['idle', 'pods'] as const) {
    const label = m === 'idle' ? 'idle' : `with ${podCount} pods`;
    goals.push({
      goal: `${label}: agent (a, in-process) + containerd < 120 MB (${fmt(GOAL_MIB, 1)} MiB)`,
      value: `${fmt(f[m].delta, 1)} + ${fmt(f[m].cIn, 1)} = ${fmt(f[m].inProcess, 1)} MiB`,
      met: f[m].inProcess < GOAL_MIB,
    });
    goals.push({
      goal: `${label}: agent (c, own process) + containerd < 120 MB (${fmt(GOAL_MIB, 1)} MiB)`,
      value: `${fmt(f[m].standalone, 1)} + ${fmt(f[m].cSa, 1)} = ${fmt(f[m].separate, 1)} MiB`,
      met: f[m].separate < GOAL_MIB,
    });
  }
  printGoals(goals);
  writeResult('agent-memory', {
    bareNode,
    options: {
      starts,
      waitMs,
      pods: podCount,
      ...(semiSpace ? { semiSpace } : {}),
      ...(extraArgs.length ? { nodeArgs: extraArgs } : {}),
      ...(bin ? { bin } : {}),
    },
    samples,
    afterCreate,
    figures: f,
    goals,
  });
  headline(
    `agent-memory: idle agent ${fmt(f.idle.delta, 1)} (in-process) / ${fmt(f.idle.standalone, 1)} (own process) + containerd ${fmt(f.idle.cIn, 1)} MiB; ` +
      `${podCount} pods: ${fmt(f.pods.delta, 1)} / ${fmt(f.pods.standalone, 1)} + ${fmt(f.pods.cIn, 1)} MiB — ${goals.every((g) => g.met) ? 'goals met' : 'goals MISSED'}`,
  );
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  await inBenchHost('agent-memory', o, (host) => measure(host, o));
}

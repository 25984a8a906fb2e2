/**
 * pod-startup: how long a pod takes from creation to Ready as a client sees it through a watch, on a
 * real node (the built `k8ts server` with its in-process agent, its containerd, runc and CNI), inside
 * a network namespace the benchmark creates.
 *
 * The pod: one busybox container running `sleep 3600`, no probes, so it is Ready as soon as its
 * container runs (`spec.nodeName` set: there is no scheduler). Rounds: `serial` pods one at a time
 * (latency), then `pods` pods with `concurrency` in flight (throughput). Each pod's time runs from just
 * before its create request to the arrival of the watch event that shows it Ready. Between rounds all
 * pods are deleted and the node is empty again.
 *
 * The floor, in the same run and at the same concurrency: RunPodSandbox + CreateContainer +
 * StartContainer straight to the agent's containerd with the configs the agent would send for the same
 * pod (bench/lib/cri-floor.ts), cleaned up between rounds. Floor and k8ts rounds alternate.
 *
 * Goals: one at a time, p50 ≤ 1.3 × the floor's; at `concurrency` in flight, ≥ 0.8 × the floor's
 * pods/s; p99 < 5 s wherever the floor's p99 is under 5 s.
 */
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createInformer } from '../src/client/informer.js';
import { PODS, SERVICES } from '../src/client/resources.js';
import type { ApiObject, Informer } from '../src/client/types.js';
import type { CriConnection } from '../src/agent/cri/client.js';
import { CriFloor } from './lib/cri-floor.js';
import { forEachParallel } from './lib/load.js';
import { inBenchHost, type BenchHost } from './lib/netns.js';
import {
  benchPod,
  deleteAllPods,
  ensurePodNamespace,
  podIsReady,
  startNode,
  type BenchNode,
} from './lib/node.js';
import { knob, type BenchOptions } from './lib/options.js';
import { loadAverage, procCpuSeconds } from './lib/proc.js';
import { newestProfile, printProfile, summarizeProfile } from './lib/profile.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { median, summarize, type LatencySummary } from './lib/stats.js';

const NS = 'bench-pods';
const SLO_MS = 5000;
const READY_TIMEOUT_MS = 120_000;

/** One measured round. */
interface Round {
  system: 'floor (raw CRI)' | 'k8ts';
  pods: number;
  concurrency: number;
  seconds: number;
  podsPerSecond: number;
  latency: LatencySummary;
  /** CPU ms per pod of the k8ts server process (API server + agent) and of containerd. */
  serverCpuMsPerPod?: number;
  containerdCpuMsPerPod?: number;
  loadAverage: number;
  /** Which repetition of its kind this round is (0-based). */
  repeat: number;
  /** Median milliseconds of each phase, from the runtime's own timestamps (see {@link PHASES}). */
  phases: Record<Phase, number>;
}

/**
 * Where a pod's time goes, cut by the runtime's timestamps (sandbox created, container created,
 * container started) around the client's own start and end times.
 */
const PHASES = ['start → sandbox created', '→ container created', '→ container started', '→ end'] as const;
type Phase = (typeof PHASES)[number];

/** The client's start and end of one pod (epoch milliseconds), by sandbox name. */
type Marks = Map<string, { start: number; end: number }>;

const epochNow = (): number => performance.timeOrigin + performance.now();

/** Median phase times of the pods in `marks`, from the runtime's timestamps. */
async function phasesOf(cri: CriConnection, marks: Marks): Promise<Record<Phase, number>> {
  const sandboxes = (await cri.runtime.listPodSandbox({})).items ?? [];
  const containers = (await cri.runtime.listContainers({})).containers ?? [];
  const cols: number[][] = PHASES.map(() => []);
  for (const sb of sandboxes) {
    const m = marks.get(sb.metadata?.name ?? '');
    const ctr = containers.find((c) => c.podSandboxId === sb.id);
    if (!m || !ctr) continue;
    const st = (await cri.runtime.containerStatus({ containerId: ctr.id })).status;
    if (!st) continue;
    const ms = (ns: number): number => ns / 1e6;
    const points = [m.start, ms(sb.createdAt), ms(st.createdAt), ms(st.startedAt), m.end];
    for (let i = 0; i < PHASES.length; i++) cols[i]?.push((points[i + 1] ?? NaN) - (points[i] ?? NaN));
  }
  return Object.fromEntries(PHASES.map((p, i) => [p, median(cols[i] ?? [])])) as Record<Phase, number>;
}

/** Records when each pod of the namespace is first seen Ready through a watch (an informer). */
class ReadyWatch {
  private readonly readyAt = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();
  readonly informer: Informer<ApiObject>;

  constructor(node: BenchNode, signal: AbortSignal) {
    this.informer = createInformer(node.client, PODS, { namespace: NS });
    const seen = (obj: ApiObject): void => {
      const name = obj.metadata.name ?? '';
      if (this.readyAt.has(name) || !podIsReady(obj as Pod)) return;
      const t = epochNow();
      this.readyAt.set(name, t);
      this.waiters.get(name)?.(t);
      this.waiters.delete(name);
    };
    this.informer.addHandlers({ add: seen, update: (_, o) => seen(o) });
    this.informer.start(signal);
  }

  /** Resolves with the moment (epoch ms) `name` was seen Ready. */
  ready(name: string): Promise<number> {
    const t = this.readyAt.get(name);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(name);
        reject(new Error(`pod ${name} not Ready after ${READY_TIMEOUT_MS / 1000} s`));
      }, READY_TIMEOUT_MS);
      this.waiters.set(name, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

function cpuOf(pid: number | undefined): number {
  return pid ? procCpuSeconds(pid) : 0;
}

async function measure(host: BenchHost, o: BenchOptions): Promise<void> {
  const serial = knob(o, 'serial', 20, 5);
  const total = knob(o, 'pods', 50, 20);
  const concurrency = knob(o, 'concurrency', 10, 10);
  const repeat = Math.max(1, knob(o, 'repeat', 3, 1));
  const profileDir = path.resolve('bench/results/profiles/pod-startup');
  const bin = o.knobs.get('bin');
  const node = await startNode(host, {
    ...(o.profile ? { cpuProfileDir: profileDir } : {}),
    ...(bin ? { bin } : {}),
  });
  const abort = new AbortController();
  const rounds: Round[] = [];
  let profile: string | undefined;
  try {
    const cri = node.cri;
    if (!cri) throw new Error('no CRI connection');
    await ensurePodNamespace(node.client, NS);
    const watch = new ReadyWatch(node, abort.signal);
    await watch.informer.waitForSync(abort.signal);
    const pods = node.client.resource<Pod & ApiObject>(PODS, NS);

    let seq = 0;
    const k8tsPod = async (prefix: string, marks?: Marks): Promise<number> => {
      const name = `${prefix}-${seq++}`;
      const start = epochNow();
      await pods.create(benchPod(name, NS));
      const end = await watch.ready(name);
      marks?.set(name, { start, end });
      return end - start;
    };

    // Warm-up (not counted): one pod through k8ts; it is also the floor's template.
    process.stdout.write('warm-up: one pod through k8ts, one through raw CRI…\n');
    await k8tsPod('warm');
    const template = (await pods.list()).items[0];
    if (!template) throw new Error('the warm-up pod is gone');
    const ctrs = await cri.runtime.listContainers({
      filter: { labelSelector: { 'io.kubernetes.pod.uid': template.metadata.uid ?? '' } },
    });
    const ctrId = ctrs.containers?.[0]?.id;
    if (!ctrId) throw new Error('no container of the warm-up pod in the runtime');
    const mounts = (await cri.runtime.containerStatus({ containerId: ctrId })).status?.mounts ?? [];
    const master = await node.client.resource(SERVICES, 'default').get('kubernetes');
    const mspec = (master['spec'] ?? {}) as { clusterIP?: string; ports?: { name?: string; port: number }[] };
    const floor = new CriFloor({
      cri,
      template,
      mounts,
      services: [{ name: 'kubernetes', clusterIP: mspec.clusterIP ?? '', ports: mspec.ports ?? [] }],
      dir: path.join(host.dir, 'floor'),
      cgroupRoot: host.cgroupRoot,
      nodeIP: template.status?.hostIP ?? '',
    });
    await floor.prepare();
    await floor.start(await floor.configs());
    await floor.cleanup();
    await deleteAllPods(node, NS);

    const floorRound = async (count: number, c: number): Promise<Round> => {
      const samples: number[] = [];
      const configs = await Promise.all(Array.from({ length: count }, () => floor.configs()));
      const cpu0 = [cpuOf(node.srv.pid), cpuOf(node.containerdPid())];
      const marks: Marks = new Map();
      const seconds = await forEachParallel(count, c, async (i) => {
        const cfg = configs[i];
        if (!cfg) return;
        const start = epochNow();
        await floor.start(cfg);
        const end = epochNow();
        marks.set(cfg.sandbox.metadata?.name ?? '', { start, end });
        samples.push(end - start);
      });
      const round = finish('floor (raw CRI)', count, c, seconds, samples, cpu0, node);
      round.repeat = rounds.filter((x) => x.system === 'floor (raw CRI)' && x.concurrency === c).length;
      round.phases = await phasesOf(cri, marks);
      await floor.cleanup();
      return round;
    };
    const k8tsRound = async (count: number, c: number): Promise<Round> => {
      const samples: number[] = [];
      const cpu0 = [cpuOf(node.srv.pid), cpuOf(node.containerdPid())];
      const prefix = `p${c}`;
      const marks: Marks = new Map();
      const seconds = await forEachParallel(count, c, async () => {
        samples.push(await k8tsPod(prefix, marks));
      });
      const round = finish('k8ts', count, c, seconds, samples, cpu0, node);
      round.repeat = rounds.filter((x) => x.system === 'k8ts' && x.concurrency === c).length;
      round.phases = await phasesOf(cri, marks);
      await deleteAllPods(node, NS);
      return round;
    };

    // One at a time: floor and k8ts pods alternate, so both see the same machine load.
    process.stdout.write(`${serial} pods one at a time, floor and k8ts alternating…\n`);
    {
      const configs = await Promise.all(Array.from({ length: serial }, () => floor.configs()));
      const acc = {
        floor: { samples: [] as number[], marks: new Map() as Marks, cpu: [0, 0], seconds: 0 },
        k8ts: { samples: [] as number[], marks: new Map() as Marks, cpu: [0, 0], seconds: 0 },
      };
      const timed = async (which: 'floor' | 'k8ts', fn: () => Promise<number>): Promise<void> => {
        const a = acc[which];
        const c0 = [cpuOf(node.srv.pid), cpuOf(node.containerdPid())];
        const ms = await fn();
        a.cpu[0] = (a.cpu[0] ?? 0) + cpuOf(node.srv.pid) - (c0[0] ?? 0);
        a.cpu[1] = (a.cpu[1] ?? 0) + cpuOf(node.containerdPid()) - (c0[1] ?? 0);
        a.samples.push(ms);
        a.seconds += ms / 1000;
      };
      for (const cfg of configs) {
        await timed('floor', async () => {
          const start = epochNow();
          await floor.start(cfg);
          const end = epochNow();
          acc.floor.marks.set(cfg.sandbox.metadata?.name ?? '', { start, end });
          return end - start;
        });
        await timed('k8ts', () => k8tsPod('s', acc.k8ts.marks));
      }
      for (const [system, a] of [
        ['floor (raw CRI)', acc.floor],
        ['k8ts', acc.k8ts],
      ] as const) {
        const round = finish(system, serial, 1, a.seconds, a.samples, [0, 0], node);
        round.serverCpuMsPerPod = (1000 * (a.cpu[0] ?? 0)) / serial;
        round.containerdCpuMsPerPod = (1000 * (a.cpu[1] ?? 0)) / serial;
        round.phases = await phasesOf(cri, a.marks);
        rounds.push(round);
      }
      await floor.cleanup();
      await deleteAllPods(node, NS);
    }

    // Many at a time: whole rounds, floor and k8ts alternating, `repeat` times.
    for (let r = 0; r < repeat; r++) {
      const tag = repeat > 1 ? ` (${r + 1}/${repeat})` : '';
      process.stdout.write(`${total} pods, ${concurrency} at a time${tag}: raw CRI floor, then k8ts…\n`);
      rounds.push(await floorRound(total, concurrency));
      rounds.push(await k8tsRound(total, concurrency));
    }
  } finally {
    abort.abort();
    await node.stop();
    if (o.profile) profile = newestProfile(profileDir);
  }

  // Medians over repeats: one row per system and concurrency.
  const byKey = new Map<string, Round[]>();
  for (const r of rounds) {
    const k = `${r.system}|${r.concurrency}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  printTable(
    `Pod start-up: creation → Ready seen through a watch (k8ts) vs RunPodSandbox + CreateContainer + StartContainer (floor)`,
    [
      'system',
      'pods',
      'in flight',
      'round',
      'pods/s',
      'p50 s',
      'p90 s',
      'p99 s',
      'max s',
      'server cpu ms/pod',
      'containerd cpu ms/pod',
      'load',
    ],
    rounds.map((r) => [
      r.system,
      r.pods,
      r.concurrency,
      r.concurrency === 1 ? 'alternating' : r.repeat + 1,
      r.podsPerSecond,
      r.latency.p50 / 1000,
      r.latency.p90 / 1000,
      r.latency.p99 / 1000,
      r.latency.max / 1000,
      r.serverCpuMsPerPod,
      r.containerdCpuMsPerPod,
      r.loadAverage,
    ]),
  );
  printTable(
    "Where the time goes: median ms per phase, cut by the runtime's own timestamps (end = Ready seen for k8ts, StartContainer returned for the floor)",
    ['system', 'in flight', ...PHASES],
    rounds.map((r) => [r.system, r.concurrency, ...PHASES.map((p) => r.phases[p])]),
  );
  const pick = (system: Round['system'], c: number): Round | undefined => {
    const list = (byKey.get(`${system}|${c}`) ?? []).sort((a, b) => a.latency.p50 - b.latency.p50);
    return list[Math.floor((list.length - 1) / 2)];
  };
  const goals: Goal[] = [];
  const summary: string[] = [];
  const fs1 = pick('floor (raw CRI)', 1);
  const ks1 = pick('k8ts', 1);
  if (fs1 && ks1) {
    const ratio = ks1.latency.p50 / fs1.latency.p50;
    goals.push({
      goal: 'one at a time: p50 ≤ 1.3 × the floor',
      value: `${fmt(ks1.latency.p50 / 1000, 3)} s vs ${fmt(fs1.latency.p50 / 1000, 3)} s = ${fmt(ratio, 2)}×`,
      met: ratio <= 1.3,
    });
    summary.push(`1 at a time p50 ${fmt(ks1.latency.p50 / 1000, 2)} s = ${fmt(ratio, 2)}× floor`);
  }
  // Many at a time: the ratio of each k8ts round to the floor round just before it, median over repeats.
  const manyFloor = rounds.filter((r) => r.system === 'floor (raw CRI)' && r.concurrency === concurrency);
  const manyK8ts = rounds.filter((r) => r.system === 'k8ts' && r.concurrency === concurrency);
  const ratios = manyK8ts.flatMap((k) => {
    const f = manyFloor.find((x) => x.repeat === k.repeat);
    return f ? [k.podsPerSecond / f.podsPerSecond] : [];
  });
  const fsc = pick('floor (raw CRI)', concurrency);
  const ksc = pick('k8ts', concurrency);
  if (ratios.length) {
    const ratio = median(ratios);
    const kRate = median(manyK8ts.map((r) => r.podsPerSecond));
    const fRate = median(manyFloor.map((r) => r.podsPerSecond));
    goals.push({
      goal: `${concurrency} at a time: pods/s ≥ 0.8 × the floor (median of ${ratios.length} paired rounds)`,
      value: `${fmt(kRate, 2)} vs ${fmt(fRate, 2)} pods/s; ratios ${ratios.map((x) => fmt(x, 2)).join(', ')} → ${fmt(ratio, 2)}×`,
      met: ratio >= 0.8,
    });
    summary.push(`${concurrency} at a time ${fmt(kRate, 2)} pods/s = ${fmt(ratio, 2)}× floor`);
  }
  let worst = 0;
  for (const [f, k] of [
    [fs1, ks1],
    [fsc, ksc],
  ] as const) {
    if (!f || !k) continue;
    worst = Math.max(worst, k.latency.p99);
    const applies = f.latency.p99 < SLO_MS;
    goals.push({
      goal: `${k.concurrency} at a time: p99 < ${SLO_MS / 1000} s${applies ? '' : ' (not applicable: the floor is over it)'}`,
      value: `${fmt(k.latency.p99 / 1000, 2)} s (floor ${fmt(f.latency.p99 / 1000, 2)} s)`,
      met: !applies || k.latency.p99 < SLO_MS,
    });
  }
  printGoals(goals);
  process.stdout.write(
    `\n  p99 of ${serial} or ${total} samples is their maximum or close to it. CPU ms/pod: for k8ts the\n` +
      '  API server and the agent (one process). One at a time, floor and k8ts pods alternate and CPU is\n' +
      '  counted per pod: work a k8ts pod leaves behind (a re-sync after Ready) lands in the next floor\n' +
      "  pod's count. Many at a time, the goal row uses the median over repeats of k8ts/floor pods/s of\n" +
      '  adjacent rounds; the p99 rows use the median round.\n',
  );
  if (profile) printProfile(summarizeProfile(profile));
  writeResult('pod-startup', {
    options: { serial, pods: total, concurrency, repeat, namespace: NS, ...(bin ? { bin } : {}) },
    pod: 'busybox (k8ts.local/busybox:1) running sleep 3600, no probes: Ready once its container runs',
    rounds,
    goals,
    ...(profile ? { profile } : {}),
  });
  headline(
    `pod-startup: ${summary.join('; ')}; worst p99 ${fmt(worst / 1000, 2)} s — ${goals.every((g) => g.met) ? 'goals met' : 'goals MISSED'}`,
  );
}

function finish(
  system: Round['system'],
  pods: number,
  concurrency: number,
  seconds: number,
  samples: number[],
  cpu0: number[],
  node: BenchNode,
): Round {
  const serverCpu = cpuOf(node.srv.pid) - (cpu0[0] ?? 0);
  const containerdCpu = cpuOf(node.containerdPid()) - (cpu0[1] ?? 0);
  return {
    system,
    pods,
    concurrency,
    seconds,
    podsPerSecond: pods / seconds,
    latency: summarize(samples),
    serverCpuMsPerPod: (1000 * serverCpu) / pods,
    containerdCpuMsPerPod: (1000 * containerdCpu) / pods,
    loadAverage: loadAverage(),
    repeat: 0,
    phases: Object.fromEntries(PHASES.map((p) => [p, NaN])) as Record<Phase, number>,
  };
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  await inBenchHost('pod-startup', o, (host) => measure(host, o));
}

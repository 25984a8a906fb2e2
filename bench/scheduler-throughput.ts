/**
 * scheduler-throughput: pods/s the scheduler inside `k8ts server` binds, scheduling 10,000 pending
 * pods onto 1,000 nodes (Node objects created through the API; no kubelets), plain and with a zone
 * topology spread constraint (DoNotSchedule, maxSkew 1, 3 zones). `--set big=1` adds 30,000 pods
 * onto 5,000 nodes. By default the nodes are bare Node objects (the node lifecycle controller is
 * off, as nothing heartbeats for them); `--set hollow=1` uses `k8ts hollow-nodes` instead, which
 * also makes every bound pod Running (more writes competing with the bindings).
 *
 * How: the server first runs without its scheduler (`--controllers '*,-scheduler'`) while the nodes
 * and pods are created; it is then restarted on the same data with the scheduler, which finds the
 * whole backlog pending. A watch records when each pod gets its node; the rate is bindings seen
 * over the time from the first to the last one (the informers' initial sync is shown apart).
 *
 * Floors, in the same run:
 * - bindings by the benchmark client itself: the same number of other pending pods (a schedulerName
 *   no profile serves) bound with POST pods/{name}/binding, 64 in flight, over one HTTP/2 session,
 *   with the scheduler off: the API cost of binding alone, no scheduling decision, no events;
 * - the scheduling algorithm alone: the built scheduler's framework and cache in this process
 *   (no API, no informers), deciding and assuming the same pods on the same nodes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { H2Client } from './lib/h2client.js';
import { ensureNamespace } from './lib/k8s.js';
import { forEachParallel } from './lib/load.js';
import { isQuick, knob, type BenchOptions } from './lib/options.js';
import { loadAverage, pollUntil, procCpuSeconds, procMemory } from './lib/proc.js';
import { newestProfile, printProfile, summarizeProfile } from './lib/profile.js';
import { headline, printGoals, printTable, writeResult, type Cell, type Goal } from './lib/report.js';
import { ensureBuilt, ROOT, startK8ts, type K8tsServer } from './lib/server.js';
// Types only: the code runs from dist/ (the built server's own files), see algorithmOnly.
import type * as CacheModule from '../src/scheduler/cache.js';
import type * as PodInfoModule from '../src/scheduler/podinfo.js';
import type * as ProfileModule from '../src/scheduler/profile.js';
import type * as TypesModule from '../src/scheduler/framework/types.js';

const NS = 'bench-sched';
const FLOOR_NS = 'bench-floor';
const ZONE = 'topology.kubernetes.io/zone';
const ZONES = 3;
const CREATE_CONCURRENCY = 64;

type Mode = 'plain' | 'spread';

function nodeJson(i: number): string {
  const name = `node-${i}`;
  const res = { cpu: '32', memory: '256Gi', pods: '110' };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', [ZONE]: `zone-${i % ZONES}` },
    },
    status: { capacity: res, allocatable: res, conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

function podJson(name: string, mode: Mode, schedulerName: string): string {
  const app = mode === 'spread' ? 'spread' : 'plain';
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: {
      schedulerName,
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/bench/app:1.0',
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
      ...(mode === 'spread'
        ? {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: ZONE,
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { app } },
              },
            ],
          }
        : {}),
    },
  });
}

async function createAll(
  client: H2Client,
  count: number,
  what: string,
  path: string,
  body: (i: number) => string,
): Promise<number> {
  const seconds = await forEachParallel(count, CREATE_CONCURRENCY, async (i) => {
    await client.expect(201, 'POST', path, { body: body(i) });
  });
  process.stdout.write(
    `  created ${count} ${what} in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s)\n`,
  );
  return seconds;
}

/** Floor: the benchmark client binds `count` pending pods itself (scheduler off). */
async function bindingFloor(
  client: H2Client,
  pid: number,
  nodeName: (i: number) => string,
  count: number,
): Promise<{ rate: number; cpuMsPerPod: number }> {
  await ensureNamespace(client, FLOOR_NS);
  await createAll(client, count, 'floor pods', `/api/v1/namespaces/${FLOOR_NS}/pods`, (i) =>
    podJson(`floor-${i}`, 'plain', 'bench-floor'),
  );
  const cpu0 = procCpuSeconds(pid);
  const seconds = await forEachParallel(count, CREATE_CONCURRENCY, async (i) => {
    const name = `floor-${i}`;
    await client.expect(201, 'POST', `/api/v1/namespaces/${FLOOR_NS}/pods/${name}/binding`, {
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName(i) },
      }),
    });
  });
  return { rate: count / seconds, cpuMsPerPod: ((procCpuSeconds(pid) - cpu0) * 1000) / count };
}

interface HollowNodes {
  stop(): Promise<void>;
}

/** `k8ts hollow-nodes` for this server, in 3 zones; resolves when all its nodes are Ready. */
async function startHollow(srv: K8tsServer, client: H2Client, count: number): Promise<HollowNodes> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'k8ts.js'),
      'hollow-nodes',
      '--count',
      String(count),
      '--zones',
      String(ZONES),
      '--cpu',
      '32',
      '--memory',
      '256Gi',
    ],
    { cwd: ROOT, env: { ...process.env, KUBECONFIG: srv.kubeconfig }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-3000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };
  try {
    const t0 = performance.now();
    await pollUntil(
      `${count} hollow nodes Ready`,
      300_000,
      async () => {
        const res = await client.expect(200, 'GET', '/api/v1/nodes');
        const list = JSON.parse(res.body.toString('utf8')) as {
          items: { status?: { conditions?: { type: string; status: string }[] } }[];
        };
        const ready = list.items.filter((n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        return ready >= count ? true : undefined;
      },
      {
        everyMs: 1000,
        fatal: () =>
          child.exitCode !== null
            ? new Error(`k8ts hollow-nodes exited (${child.exitCode}): ${err}`)
            : undefined,
      },
    );
    process.stdout.write(
      `  ${count} hollow nodes Ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return { stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

interface Watched {
  /** performance.now() of each binding seen, in order. */
  times: number[];
  boundAtList: number;
  stop(): void;
}

/** Lists the namespace's pods, then watches them, recording when each one gets a node. */
async function watchBindings(client: H2Client, ns: string): Promise<Watched> {
  const res = await client.expect(200, 'GET', `/api/v1/namespaces/${ns}/pods`);
  const list = JSON.parse(res.body.toString('utf8')) as {
    metadata: { resourceVersion: string };
    items: { metadata: { name: string }; spec?: { nodeName?: string } }[];
  };
  const bound = new Set(list.items.filter((p) => p.spec?.nodeName).map((p) => p.metadata.name));
  const out: Watched = { times: [], boundAtList: bound.size, stop: () => undefined };
  const stream = client.openStream(
    `/api/v1/namespaces/${ns}/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`,
  );
  stream.setEncoding('utf8');
  let rest = '';
  stream.on('data', (chunk: string) => {
    const now = performance.now();
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (!line.includes('"nodeName"')) continue;
      const ev = JSON.parse(line) as {
        object?: { metadata?: { name?: string }; spec?: { nodeName?: string } };
      };
      const name = ev.object?.metadata?.name;
      if (!name || !ev.object?.spec?.nodeName || bound.has(name)) continue;
      bound.add(name);
      out.times.push(now);
    }
  });
  stream.on('error', () => undefined);
  out.stop = () => stream.close();
  return out;
}

interface ScheduledRun {
  mode: Mode;
  rate: number;
  firstToLastS: number;
  readyToAllS: number;
  syncS: number;
  cpuMsPerPod: number;
  rssMiB: number;
  load: number;
}

/** Creates nodes and pods with the scheduler off, restarts with it, and measures the bindings. */
async function scheduledRun(
  o: BenchOptions,
  mode: Mode,
  nodes: number,
  pods: number,
  floor: boolean,
  hollow: boolean,
): Promise<{ run: ScheduledRun; floorRate?: { rate: number; cpuMsPerPod: number }; profile?: string }> {
  // Node objects without kubelets: the node lifecycle controller would taint them unreachable.
  const controllers = hollow ? '*' : '*,-nodelifecycle';
  let srv: K8tsServer | undefined = await startK8ts({
    extraArgs: ['--disable-agent', '--controllers', `${controllers},-scheduler`],
  });
  const dataDir = srv.dataDir;
  const port = srv.port;
  let nodesProc: HollowNodes | undefined;
  try {
    let client = await H2Client.connect(srv.origin, srv.creds);
    process.stdout.write(
      `\n[${mode}] ${nodes} ${hollow ? 'hollow nodes' : 'Node objects'}, ${pods} pods (load ${loadAverage().toFixed(1)})\n`,
    );
    if (hollow) nodesProc = await startHollow(srv, client, nodes);
    else await createAll(client, nodes, 'nodes', '/api/v1/nodes', nodeJson);
    const nodeName = (i: number): string => (hollow ? `hollow-${i % nodes}` : `node-${i % nodes}`);
    let floorRate: { rate: number; cpuMsPerPod: number } | undefined;
    if (floor) {
      floorRate = await bindingFloor(client, srv.pid, nodeName, pods);
      process.stdout.write(
        `  floor: the benchmark client bound ${pods} pods at ${floorRate.rate.toFixed(0)}/s\n`,
      );
    }
    await ensureNamespace(client, NS);
    await createAll(client, pods, 'pending pods', `/api/v1/namespaces/${NS}/pods`, (i) =>
      podJson(`pod-${i}`, mode, 'default-scheduler'),
    );
    client.close();
    await srv.stop({ keep: true });
    srv = undefined;

    const profileDir = o.profile
      ? path.join(ROOT, 'bench', 'results', 'profiles', 'scheduler-throughput')
      : undefined;
    const started = performance.now();
    srv = await startK8ts({
      dataDir,
      port,
      extraArgs: ['--disable-agent', '--controllers', controllers],
      cpuProfileDir: profileDir,
    });
    const ready = performance.now();
    const cpu0 = procCpuSeconds(srv.pid);
    client = await H2Client.connect(srv.origin, srv.creds);
    const watched = await watchBindings(client, NS);
    const load0 = loadAverage();
    await pollUntil(
      `all ${pods} pods bound`,
      600_000,
      async () => (watched.boundAtList + watched.times.length >= pods ? true : undefined),
      { everyMs: 50 },
    );
    const done = performance.now();
    const cpu1 = procCpuSeconds(srv.pid);
    const rssMiB = procMemory(srv.pid).rssMiB;
    watched.stop();
    client.close();
    const first = watched.times[0] ?? done;
    const last = watched.times[watched.times.length - 1] ?? done;
    const seen = watched.times.length;
    const run: ScheduledRun = {
      mode,
      rate: seen > 1 ? (seen - 1) / ((last - first) / 1000) : 0,
      firstToLastS: (last - first) / 1000,
      readyToAllS: (done - ready) / 1000,
      syncS: (first - started) / 1000,
      cpuMsPerPod: ((cpu1 - cpu0) * 1000) / pods,
      rssMiB,
      load: (load0 + loadAverage()) / 2,
    };
    process.stdout.write(
      `  scheduler: ${run.rate.toFixed(0)} pods/s (first→last binding ${run.firstToLastS.toFixed(1)} s; ` +
        `${watched.boundAtList} already bound when the watch started)\n`,
    );
    let profile: string | undefined;
    if (profileDir) {
      await srv.stop({ keep: true });
      profile = newestProfile(profileDir);
    }
    return { run, ...(floorRate !== undefined ? { floorRate } : {}), ...(profile ? { profile } : {}) };
  } finally {
    await nodesProc?.stop();
    await srv?.stop();
    if (!srv) {
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

/** The built scheduler's framework and cache in this process: decisions per second, no API. */
async function algorithmOnly(
  mode: Mode,
  nodes: number,
  pods: number,
): Promise<{ rate: number; cpuUsPerPod: number }> {
  const dist = path.join(ROOT, 'dist', 'scheduler');
  const { SchedulerCache } = (await import(path.join(dist, 'cache.js'))) as typeof CacheModule;
  const { PodInfo } = (await import(path.join(dist, 'podinfo.js'))) as typeof PodInfoModule;
  const { buildFramework, defaultProfiles } = (await import(
    path.join(dist, 'profile.js')
  )) as typeof ProfileModule;
  const { CycleState } = (await import(path.join(dist, 'framework', 'types.js'))) as typeof TypesModule;
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) cache.addOrUpdateNode(JSON.parse(nodeJson(i)) as never);
  const profile = defaultProfiles()[0];
  if (!profile) throw new Error('no default profile');
  const fw = buildFramework(profile, undefined);
  const specs = Array.from({ length: pods }, (_, i) => {
    const p = JSON.parse(podJson(`pod-${i}`, mode, 'default-scheduler')) as {
      metadata: Record<string, unknown>;
    };
    p.metadata['namespace'] = NS;
    return p;
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const spec of specs) {
    const info = new PodInfo(spec as never);
    const r = fw.schedule(new CycleState(), info, cache);
    cache.assumePod(info, r.node);
  }
  const cu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  return { rate: pods / seconds, cpuUsPerPod: (cu.user + cu.system) / pods };
}

export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  const quick = isQuick(o);
  const sizes: { nodes: number; pods: number }[] = [
    { nodes: knob(o, 'nodes', 1000, 200), pods: knob(o, 'pods', 10_000, 2000) },
  ];
  if (knob(o, 'big', 0) > 0) sizes.push({ nodes: 5000, pods: 30_000 });
  // hollow=1: the nodes are `k8ts hollow-nodes` (heartbeats, pods made Running) instead of bare Node objects.
  const hollow = knob(o, 'hollow', 0) > 0;
  // modes=plain or modes=spread runs one of them; floor=0 skips the client-bindings floor.
  const modes = (o.knobs.get('modes') ?? 'plain,spread').split(',') as Mode[];
  const withFloor = knob(o, 'floor', 1) > 0;
  const rows: Cell[][] = [];
  const results: Record<string, unknown>[] = [];
  const goals: Goal[] = [];
  let headlineText = '';
  for (const { nodes, pods } of sizes) {
    const size = `${pods}→${nodes}${hollow ? ' hollow' : ''}`;
    for (const mode of modes) {
      const algo = await algorithmOnly(mode, nodes, pods);
      rows.push([
        `${size} ${mode}: algorithm only (this process, no API)`,
        algo.rate,
        algo.cpuUsPerPod / 1000,
        '',
        '',
        '',
        loadAverage(),
      ]);
      const {
        run: r,
        floorRate,
        profile,
      } = await scheduledRun(o, mode, nodes, pods, withFloor && mode === 'plain', hollow);
      if (floorRate !== undefined)
        rows.push([
          `${size}: floor, bench client POSTs pods/binding (no scheduler)`,
          floorRate.rate,
          floorRate.cpuMsPerPod,
          '',
          '',
          '',
          r.load,
        ]);
      rows.push([
        `${size} ${mode}: k8ts scheduler`,
        r.rate,
        r.cpuMsPerPod,
        r.syncS,
        r.readyToAllS,
        r.rssMiB,
        r.load,
      ]);
      results.push({ nodes, pods, floorRate, algorithmOnly: algo, ...r });
      if (mode === 'plain' && nodes === sizes[0]?.nodes) {
        goals.push({
          goal: `${size} plain ≥ 1,000 pods/s`,
          value: `${r.rate.toFixed(0)} pods/s`,
          met: r.rate >= 1000,
        });
        headlineText = `scheduler-throughput: ${r.rate.toFixed(0)} pods/s scheduling ${pods} pods onto ${nodes} nodes (floor: client bindings ${floorRate?.rate.toFixed(0) ?? '-'}/s; algorithm alone ${algo.rate.toFixed(0)}/s)`;
      }
      if (mode === 'spread' && nodes === sizes[0]?.nodes)
        headlineText += `; with zone spread ${r.rate.toFixed(0)} pods/s`;
      if (profile) printProfile(summarizeProfile(profile, 25));
    }
  }
  printTable(
    'Scheduling throughput',
    ['case', 'pods/s', 'cpu ms/pod', 'start→1st bind s', 'ready→all bound s', 'server RSS MiB', 'load'],
    rows,
  );
  printGoals(goals);
  writeResult('scheduler-throughput', { quick, hollow, results });
  headline(headlineText);
}

/**
 * deployment-scale: the control plane at scale on hollow nodes (`k8ts hollow-nodes`, no containers).
 * The built server (`--disable-agent`, `--cluster-cidr 10.0.0.0/8` so every node gets a pod range)
 * and one hollow-nodes process with 1,000 nodes in three zones.
 *
 * 1. Floor, same run: 1,000 pods created already bound (spec.nodeName round-robin, 32 requests in
 *    flight), time until all are Running. This is what the API server, storage and the hollow nodes
 *    alone need, without the Deployment and ReplicaSet controllers and the scheduler.
 * 2. A Deployment of 1,000 replicas: time from its creation until all its pods are Running
 *    (status.replicas = 1,000 and no pod of it in another phase), and until it reports 1,000 available.
 * 3. More Deployments of 1,000 until 30,000 pods run; then the server's VmRSS (the control plane:
 *    API server, storage, watch cache, controllers, scheduler) 10 s after, with the time it took.
 *
 * The server runs with `--node-monitor-grace-period 60s` (knob `grace`): while it creates and
 * schedules 30,000 pods on a shared 2-core machine, Lease renewals can wait longer than the default
 * 15 s, and nodes flapping NotReady would evict pods and skew the figures (the count of nodes not
 * Ready at the end is printed). Knobs: `nodes` (1000), `replicas` (1000), `pods` (30000), `grace`
 * (seconds, 60), `settleSeconds` (10), `heap=1` (also the server's V8 heap, used and committed, at
 * each memory point), `heapSnapshot=1` (and a heap snapshot there, in
 * bench/results/profiles/deployment-scale/; compare two with bench/lib/heap-diff.ts), `floor=0` (skip the floor), `bin=PATH` (another
 * build's server, for A/B runs; the hollow nodes stay this tree's). `--quick`: 100 nodes, 200
 * replicas, 1,000 pods.
 * Goal: control-plane RSS < 1 GiB with 1,000 nodes and 30,000 pods.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { H2Client } from './lib/h2client.js';
import { ensureNamespace } from './lib/k8s.js';
import { knob, type BenchOptions } from './lib/options.js';
import { loadAverage, pollUntil, procCpuSeconds, procMemory, sleep, type ProcMemory } from './lib/proc.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { heapReporterArgs, heapStats, type HeapStats } from './lib/heap-reporter.js';
import { ROOT, ensureBuilt, startK8ts, type K8tsServer } from './lib/server.js';

const GOAL_MIB = 1024;
const CONCURRENCY = 32;

interface Hollow {
  pid: number;
  stop(): Promise<void>;
}

async function startHollow(srv: K8tsServer, count: number): Promise<Hollow> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'k8ts.js'), 'hollow-nodes', '--count', String(count), '--zones', '3'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: srv.kubeconfig } },
  );
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 100_000) out = out.slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gone = (): Error | undefined =>
    child.exitCode !== null || child.signalCode !== null
      ? new Error(`hollow-nodes exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`)
      : undefined;
  await pollUntil(
    'hollow nodes to register',
    300_000,
    async () => (/registered in/.test(out) ? true : undefined),
    {
      fatal: gone,
      everyMs: 200,
    },
  );
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    },
  };
}

function json<T>(body: Buffer): T {
  return JSON.parse(body.toString('utf8')) as T;
}

interface NodeList {
  items: { status?: { conditions?: { type: string; status: string }[] } }[];
}

async function readyNodes(client: H2Client): Promise<number> {
  const res = await client.expect(200, 'GET', '/api/v1/nodes');
  return json<NodeList>(res.body).items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

/** True when no pod matching `labelSelector` in `ns` is in a phase other than Running. */
async function noneNotRunning(client: H2Client, ns: string, labelSelector: string): Promise<boolean> {
  const q = new URLSearchParams({ labelSelector, fieldSelector: 'status.phase!=Running', limit: '1' });
  const res = await client.expect(200, 'GET', `/api/v1/namespaces/${ns}/pods?${q.toString()}`);
  return json<{ items: unknown[] }>(res.body).items.length === 0;
}

async function inParallel(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      for (let i = next++; i < n; i = next++) await fn(i);
    }),
  );
}

function pod(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'floor' } },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/web:1.0',
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  });
}

function deployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/web:1.0',
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  });
}

interface DeploymentStatus {
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** Creates a Deployment and times it: all pods Running, then all available. */
async function timeDeployment(
  client: H2Client,
  ns: string,
  name: string,
  replicas: number,
  timeoutMs: number,
): Promise<{ runningMs: number; availableMs: number }> {
  const t0 = performance.now();
  await client.expect(201, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
    body: deployment(name, replicas),
  });
  let runningMs = 0;
  await pollUntil(
    `deployment ${name}: ${replicas} pods Running`,
    timeoutMs,
    async () => {
      const d = json<DeploymentStatus>(
        (await client.expect(200, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).body,
      );
      if ((d.status?.replicas ?? 0) < replicas) return undefined;
      return (await noneNotRunning(client, ns, `app=${name}`)) ? true : undefined;
    },
    { everyMs: 250 },
  );
  runningMs = performance.now() - t0;
  await pollUntil(
    `deployment ${name}: ${replicas} available`,
    timeoutMs,
    async () => {
      const d = json<DeploymentStatus>(
        (await client.expect(200, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).body,
      );
      return (d.status?.availableReplicas ?? 0) >= replicas ? true : undefined;
    },
    { everyMs: 250 },
  );
  return { runningMs, availableMs: performance.now() - t0 };
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  const nodes = knob(o, 'nodes', 1000, 100);
  const replicas = knob(o, 'replicas', 1000, 200);
  const totalPods = Math.max(replicas, knob(o, 'pods', 30_000, 1000));
  const settleMs = knob(o, 'settleSeconds', 10, 3) * 1000;
  const grace = knob(o, 'grace', 60);
  const runFloor = knob(o, 'floor', 1) !== 0;
  const snapshotDir = o.knobs.has('heapSnapshot')
    ? path.join(ROOT, 'bench', 'results', 'profiles', 'deployment-scale')
    : undefined;
  const withHeap = o.knobs.has('heap') || snapshotDir !== undefined;
  // The preloaded reporter and the server's smaps (outside the tree: they are not results to keep).
  const heapDir = path.join(os.tmpdir(), `k8ts-bench-heap-${process.pid}`);
  const bin = o.knobs.get('bin');
  const srv = await startK8ts({
    ...(bin ? { bin } : {}),
    ...(withHeap ? { nodeArgs: heapReporterArgs(heapDir, snapshotDir) } : {}),
    extraArgs: [
      '--disable-agent',
      '--cluster-cidr',
      '10.0.0.0/8',
      '--node-monitor-grace-period',
      `${grace}s`,
    ],
    ...(o.profile
      ? { cpuProfileDir: path.join(ROOT, 'bench', 'results', 'profiles', 'deployment-scale') }
      : {}),
  });
  let hollow: Hollow | undefined;
  const client = await H2Client.connect(srv.origin, srv.creds);
  const memory: Record<string, ProcMemory> = {};
  const times: [string, number, string][] = [];
  const heaps: Record<string, HeapStats> = {};
  const heapAt = async (moment: string): Promise<void> => {
    if (!withHeap) return;
    // The mappings too (which anonymous regions grew: V8's heap, malloc arenas, SQLite's cache).
    fs.mkdirSync(heapDir, { recursive: true });
    fs.writeFileSync(
      path.join(heapDir, `smaps-${Object.keys(heaps).length + 1}-${srv.pid}.txt`),
      fs.readFileSync(`/proc/${srv.pid}/smaps`),
    );
    heaps[moment] = await heapStats(srv.pid, srv.log);
  };
  try {
    memory['server idle, no nodes'] = procMemory(srv.pid);
    const t0 = performance.now();
    hollow = await startHollow(srv, nodes);
    await pollUntil(
      `${nodes} Ready nodes`,
      300_000,
      async () => ((await readyNodes(client)) >= nodes ? true : undefined),
      {
        everyMs: 500,
      },
    );
    times.push([`${nodes} hollow nodes registered and Ready`, performance.now() - t0, '']);
    await sleep(settleMs);
    memory[`server, ${nodes} nodes`] = procMemory(srv.pid);
    await heapAt(`server, ${nodes} nodes`);

    let floorMs = NaN;
    if (runFloor) {
      // Floor: pods created already bound, no controllers or scheduler involved.
      await ensureNamespace(client, 'floor');
      const tf = performance.now();
      await inParallel(replicas, async (i) => {
        await client.expect(201, 'POST', '/api/v1/namespaces/floor/pods', {
          body: pod(`floor-${i}`, `hollow-${i % nodes}`),
        });
      });
      const floorCreatedMs = performance.now() - tf;
      await pollUntil(`${replicas} bound pods Running`, 300_000, async () =>
        (await noneNotRunning(client, 'floor', 'app=floor')) ? true : undefined,
      );
      floorMs = performance.now() - tf;
      times.push([`floor: ${replicas} pods created bound (${CONCURRENCY} in flight)`, floorCreatedMs, '']);
      times.push([`floor: ${replicas} bound pods Running`, floorMs, '1.00x']);
      await client.expect(200, 'DELETE', '/api/v1/namespaces/floor');
      await pollUntil('the floor namespace gone', 300_000, async () =>
        (await client.request('GET', '/api/v1/namespaces/floor')).status === 404 ? true : undefined,
      );
    }

    // One Deployment.
    await ensureNamespace(client, 'bench');
    const cpu0 = procCpuSeconds(srv.pid);
    const first = await timeDeployment(client, 'bench', 'web-0', replicas, 600_000);
    const cpuFirst = procCpuSeconds(srv.pid) - cpu0;
    times.push([
      `Deployment of ${replicas}: all pods Running`,
      first.runningMs,
      `${fmt(first.runningMs / floorMs, 2)}x`,
    ]);
    times.push([
      `Deployment of ${replicas}: all available`,
      first.availableMs,
      `${fmt(first.availableMs / floorMs, 2)}x`,
    ]);

    // Up to the total: more Deployments at once.
    const more = Math.ceil((totalPods - replicas) / replicas);
    const tm = performance.now();
    if (more > 0) {
      await Promise.all(
        Array.from({ length: more }, (_, k) =>
          timeDeployment(client, 'bench', `web-${k + 1}`, replicas, 1_800_000),
        ),
      );
    }
    const scaleMs = performance.now() - tm;
    const pods = replicas * (more + 1);
    times.push([`${more} more Deployments at once (to ${pods} pods): all available`, scaleMs, '']);
    await sleep(settleMs);
    memory[`server, ${nodes} nodes, ${pods} pods`] = procMemory(srv.pid);
    await heapAt(`server, ${nodes} nodes, ${pods} pods`);
    memory[`hollow-nodes process, ${nodes} nodes, ${pods} pods`] = procMemory(hollow.pid);
    const notReady = nodes - (await readyNodes(client));

    printTable(
      'Times (ms)',
      ['step', 'ms', 'vs floor'],
      times.map(([a, b, c]) => [a, b, c]),
    );
    printTable(
      'Memory (MiB, /proc/PID/status)',
      ['process / moment', 'VmRSS', 'VmHWM', 'RssAnon'],
      Object.entries(memory).map(([k, m]) => [k, m.rssMiB, m.hwmMiB, m.anonMiB]),
    );
    if (withHeap) {
      const mib = (b: number | undefined): string => fmt((b ?? NaN) / 1048576, 1);
      printTable(
        'Server V8 heap (MiB: committed / used)',
        ['moment', 'heap total', 'heap used', 'old space', 'old used', 'external', 'array buffers'],
        Object.entries(heaps).map(([k, h]) => [
          k,
          mib(h.memory.heapTotal),
          mib(h.memory.heapUsed),
          mib(h.spaces['old_space']?.size),
          mib(h.spaces['old_space']?.used),
          mib(h.memory.external),
          mib(h.memory.arrayBuffers),
        ]),
      );
      process.stdout.write(`  the server's smaps at each moment: ${heapDir}\n`);
      for (const h of Object.values(heaps))
        if (h.snapshot) process.stdout.write(`  heap snapshot: ${h.snapshot}\n`);
    }
    process.stdout.write(
      `\n  server CPU for the first Deployment: ${fmt(cpuFirst, 1)} s; nodes not Ready at the end: ${notReady}; load average ${fmt(loadAverage(), 1)}\n`,
    );
    const rss = memory[`server, ${nodes} nodes, ${pods} pods`]?.rssMiB ?? NaN;
    const goals: Goal[] = [
      {
        goal: `control-plane RSS < ${GOAL_MIB} MiB with ${nodes} nodes and ${pods} pods`,
        value: `${fmt(rss, 0)} MiB`,
        met: rss < GOAL_MIB,
      },
      { goal: '(info) every hollow node stayed Ready', value: `${notReady} not Ready`, met: notReady === 0 },
    ];
    printGoals(goals);
    writeResult('deployment-scale', {
      options: { nodes, replicas, pods, settleMs, grace },
      timesMs: Object.fromEntries(times.map(([k, v]) => [k, v])),
      floorMs,
      firstDeployment: first,
      serverCpuSecondsFirstDeployment: cpuFirst,
      scaleMs,
      memory,
      heaps,
      notReady,
      goals,
    });
    headline(
      `deployment-scale: ${replicas} replicas Running in ${fmt(first.runningMs / 1000, 1)} s (${fmt(first.runningMs / floorMs, 2)}x the bound-pods floor of ${fmt(floorMs / 1000, 1)} s); ` +
        `control plane ${fmt(rss, 0)} MiB with ${nodes} nodes and ${pods} pods — ${goals[0]?.met ? 'goal met' : 'goal MISSED'}`,
    );
  } finally {
    client.close();
    await hollow?.stop();
    await srv.stop();
  }
}

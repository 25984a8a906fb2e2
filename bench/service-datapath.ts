/**
 * service-datapath: requests/s and latency through the node's service data path, wrk from the node's
 * host side, in one run: (a) one pod's IP directly, (b) the Service's ClusterIP (nftables DNAT in the
 * proxy's output chain: locally generated traffic is translated too), (c) its NodePort on the node's
 * address, (d) the Ingress (HAProxy on the node's port 80, routed by the Host header). Paths alternate
 * `rounds` times, each round starting one path further on; each figure is the median, each ratio the
 * median of per-round ratios to (a); the 1-minute load average is printed beside each run.
 * Goals (issue 5): ClusterIP ≥ 0.95 × direct, Ingress ≥ 0.7 × direct.
 *
 * Floors without k8ts, in the same rounds, show what the kernel and a proxy alone cost on this
 * machine: (e) `DNAT floor`: one nftables rule of this benchmark's own (a table of its own, output
 * hook and prerouting, the least a service VIP needs: no masquerade) turning a spare address into the
 * pod's IP; (f) `HAProxy floor`: a bare HAProxy started by this benchmark (HTTP mode, one thread,
 * keep-alive, no log, no header rewriting, one server: the pod) on another port of the node address;
 * (g) `nginx floor`: the same with Debian's nginx (one process, keep-alive to the pod, no access log).
 * ClusterIP is then also given as a ratio to (e), the Ingress to (f) and (g).
 *
 * It needs root and runs inside a network namespace of its own: the outer run re-executes itself
 * through scripts/in-netns.sh, which removes every process, mount, cgroup and the namespace at the
 * end, also on failure. Inside, the agent-net tier's helpers (test/agent-net/support.ts) start one
 * `k8ts server` with its agent on its own node address (a veth pair) and deploy `replicas` web pods
 * behind a NodePort Service and an Ingress.
 *
 * Backends (`--set backend=`): `nginx` (default; the test image k8ts.local/nginx:1 built by
 * scripts/build-test-images.sh from Debian's nginx: one worker, keep-alive, answers its host name)
 * or `busybox` (httpd, a fork per connection and a listen backlog of 9, so every request pays a
 * connect and more than 8 connections to one pod drop SYNs: what the data path adds on top of a slow
 * backend). wrk keeps its connections open, so with nginx the DNAT of (b) and (c) costs only at
 * connect and every path but (d) carries the same packets; with busybox every request reconnects.
 * SYN retransmits (TCPSynRetrans of the host side) are counted per run: a lost SYN costs 1 s that
 * shows in req/s but not in wrk's latency.
 *
 * CPU per request: around every run, the CPU time of the run's own processes (this namespace's and
 * those in the run's cgroup: the pods) from /proc, grouped as wrk (reaped child), proxy (HAProxy, or
 * the nginx floor's process), backend (nginx/httpd), k8ts (the server process: API server + agent;
 * HAProxy writes its access-log lines to the server's stdout itself), bench (this process, which
 * keeps the server's output like the test harness, and so reads every access-log line: the log's
 * reader), other; plus the machine's softirq time. (busybox httpd's per-connection children end unreaped by this
 * process, so the busybox backend's CPU is undercounted.) On the 2-core build VM shared with other
 * jobs, req/s and the ratios move by tens of percent between runs; CPU µs/request is the steadier
 * figure. When the machine is saturated, req/s follows CPU per request: the Ingress ratio then sits
 * near (CPU per request direct) / (CPU per request via the Ingress), somewhat above it because
 * HAProxy and the server, as more runnable processes, get a larger share of the contended CPU.
 *
 * `--set from=pod` runs wrk in the network namespace of an idle busybox pod on the node instead
 * (`nsenter --net=/proc/<its container's pid>/ns/net wrk …`): the pod's own path to a ClusterIP
 * (DNAT in prerouting, before routing, rather than in the host's output hook).
 *
 * Knobs: `--set backend=nginx|busybox`, `--set from=host|pod`, `--set connections=N` (32 with nginx; 8 with busybox, whose
 * backlog is 9), `--set threads=1` (wrk threads), `--set rounds=5`, `--set replicas=1` (with one pod
 * every path ends at the same nginx worker; with more, ClusterIP/NodePort/Ingress spread over pods
 * while direct uses one, and the backends' CPU per request differs),
 * `--set paths=clusterip,nodeport,ingress,dnat,haproxy,nginx` (which paths besides direct; the
 * default), `--duration S`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nftRunner } from '../src/agent/proxy/apply.js';
import { apply, waitRunningReady } from '../test/support/node.js';
import {
  clientPod,
  getService,
  hostIngress,
  importNginx,
  livePods,
  type NetNode,
  newNamespace,
  NGINX_PORT,
  nginxDeployment,
  NODE_IP,
  service,
  startNetNode,
  stopNetNode,
  waitEndpoints,
  waitHostAnswers,
  WAIT_MS,
  waitWebPods,
  WEB_PORT,
  webDeployment,
} from '../test/agent-net/support.js';
import { insideNetns, reexecInNetns } from './lib/in-netns.js';
import { cpuMsByCommand, cpuSnapshot, ourProcesses } from './lib/cpu.js';
import { containerPid } from './lib/pod-netns.js';
import { knob, type BenchOptions } from './lib/options.js';
import { sleep } from './lib/proc.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { median } from './lib/stats.js';
import { runWrk, type WrkResult } from './lib/wrk.js';

const NAME = 'service-datapath';
const HOST = 'web.bench.test';
const CLUSTER_IP_GOAL = 0.95;
const INGRESS_GOAL = 0.7;
/** The DNAT floor's address: routed like a ClusterIP (the default route), outside every k8ts range. */
const FLOOR_VIP = '10.99.0.80';
/** The DNAT floor's nftables table (this network namespace's own). */
const FLOOR_TABLE = 'k8ts_bench_floor';
/** The proxy floors' ports on the node address. */
const FLOOR_HAPROXY_PORT = 18080;
const FLOOR_NGINX_PORT = 18081;
/** The label of the nginx floor's process in the CPU table (its command is the backend's, nginx). */
const NGINX_FLOOR_LABEL = 'nginx floor';

/**
 * (e): one DNAT rule from {@link FLOOR_VIP}:80 to the pod, in a table of its own: in the output hook
 * for the host's own traffic, in prerouting for a pod's (`from=pod`).
 */
async function startDnatFloor(podIP: string, port: number): Promise<() => Promise<void>> {
  const nft = nftRunner();
  const rule = `ip daddr ${FLOOR_VIP} tcp dport 80 dnat to ${podIP}:${port}`;
  await nft(
    [
      `add table ip ${FLOOR_TABLE}`,
      `add chain ip ${FLOOR_TABLE} out { type nat hook output priority -100 ; }`,
      `add rule ip ${FLOOR_TABLE} out ${rule}`,
      `add chain ip ${FLOOR_TABLE} pre { type nat hook prerouting priority dstnat ; }`,
      `add rule ip ${FLOOR_TABLE} pre ${rule}`,
    ].join('\n'),
  );
  return () => nft(`delete table ip ${FLOOR_TABLE}`);
}

/** A proxy floor: its process (for the CPU table) and how to stop it. */
interface ProxyFloor {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a proxy of this benchmark's own in front of the pod, from `config` (written as `file` in a
 * scratch directory); resolves once `url` answers through it.
 */
async function startProxyFloor(
  what: string,
  url: string,
  file: string,
  config: (dir: string) => string[],
  command: (cfg: string, dir: string) => [string, string[]],
): Promise<ProxyFloor> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-floor-'));
  const cfg = path.join(dir, file);
  fs.writeFileSync(cfg, `${config(dir).join('\n')}\n`);
  const [cmd, args] = command(cfg, dir);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (e) => {
      err += e.message;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitHostAnswers(`the ${what} to answer`, url, {});
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}; ${cmd}: ${err.trim()}`);
  }
  return { pid: child.pid ?? 0, stop };
}

/** (f): a bare HAProxy (one thread, keep-alive, no log, no header rewriting) in front of the pod. */
function startHaproxyFloor(podIP: string, port: number): Promise<ProxyFloor> {
  return startProxyFloor(
    'HAProxy floor',
    `http://${NODE_IP}:${FLOOR_HAPROXY_PORT}/`,
    'haproxy.cfg',
    () => [
      'global',
      '  nbthread 1',
      'defaults',
      '  mode http',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  http-reuse safe',
      'frontend floor',
      `  bind ${NODE_IP}:${FLOOR_HAPROXY_PORT}`,
      '  default_backend pod',
      'backend pod',
      `  server pod ${podIP}:${port}`,
    ],
    (cfg) => ['haproxy', ['-db', '-f', cfg]],
  );
}

/**
 * (g): a bare nginx reverse proxy (one process, keep-alive to the pod, no access log), the other
 * proxy from Debian the issue names for the Ingress data path.
 */
function startNginxFloor(podIP: string, port: number): Promise<ProxyFloor> {
  return startProxyFloor(
    'nginx floor',
    `http://${NODE_IP}:${FLOOR_NGINX_PORT}/`,
    'nginx.conf',
    (dir) => [
      'daemon off;',
      'master_process off;',
      `error_log ${dir}/error.log;`,
      `pid ${dir}/nginx.pid;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${dir}/body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  upstream pod { server ${podIP}:${port}; keepalive 32; }`,
      '  server {',
      `    listen ${NODE_IP}:${FLOOR_NGINX_PORT};`,
      '    location / { proxy_pass http://pod; proxy_http_version 1.1; proxy_set_header Connection ""; }',
      '  }',
      '}',
    ],
    (cfg, dir) => ['nginx', ['-c', cfg, '-p', `${dir}/`]],
  );
}

/** TCPSynRetrans of this network namespace (/proc/net/netstat): SYNs sent again after a lost one. */
function synRetransmits(): number {
  const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i]?.split(/\s+/) ?? [];
    const values = lines[i + 1]?.split(/\s+/) ?? [];
    const at = names.indexOf('TCPSynRetrans');
    if (names[0] === 'TcpExt:' && at > 0) return Number(values[at] ?? NaN);
  }
  return NaN;
}

interface Path {
  name: string;
  url: string;
  host?: string;
}

/** One wrk run of one path. */
interface Sample extends WrkResult {
  load: number;
  synRetrans: number;
  /** CPU µs per request by process group (this run's processes only; softirq is machine-wide). */
  cpuUsPerReq: Record<string, number>;
}

/** Process groups the CPU table shows, by command name; everything else of the run is `other`. */
const CPU_GROUPS: Record<string, string> = {
  children: 'wrk',
  haproxy: 'proxy',
  [NGINX_FLOOR_LABEL]: 'proxy',
  nginx: 'backend',
  httpd: 'backend',
  busybox: 'backend',
  'k8ts server': 'k8ts',
  bench: 'bench',
  softirq: 'softirq',
};
const CPU_COLUMNS = ['wrk', 'proxy', 'backend', 'k8ts', 'bench', 'other', 'softirq'];

/** CPU ms by command → µs per request by {@link CPU_GROUPS}. */
function cpuPerRequest(ms: Map<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(CPU_COLUMNS.map((c) => [c, 0]));
  for (const [comm, v] of ms) {
    if (comm === 'all' || comm === 'wrk') continue; // wrk is counted once it is reaped (children)
    const group = CPU_GROUPS[comm] ?? 'other';
    out[group] = (out[group] ?? 0) + (v * 1000) / requests;
  }
  return out;
}

async function measure(o: BenchOptions): Promise<void> {
  const backend = o.knobs.get('backend') ?? 'nginx';
  if (backend !== 'nginx' && backend !== 'busybox')
    throw new Error(`--set backend=${backend}: expected nginx or busybox`);
  const keepAlive = backend === 'nginx';
  const from = o.knobs.get('from') ?? 'host';
  if (from !== 'host' && from !== 'pod') throw new Error(`--set from=${from}: expected host or pod`);
  const connections = knob(o, 'connections', keepAlive ? 32 : 8);
  const threads = Math.max(1, knob(o, 'threads', 1));
  const rounds = Math.max(1, knob(o, 'rounds', 5, 1));
  const replicas = Math.max(1, knob(o, 'replicas', 1));
  const seconds = Math.max(1, Math.round(o.durationMs / 1000));
  const wanted = (o.knobs.get('paths') ?? 'clusterip,nodeport,ingress,dnat,haproxy,nginx')
    .toLowerCase()
    .split(',');
  const ours = ourProcesses(process.env['K8TS_CI_CGROUP']);
  let net: NetNode | undefined;
  const samples = new Map<string, Sample[]>();
  let paths: Path[] = [];
  let stopDnatFloor: (() => Promise<void>) | undefined;
  const proxyFloors: ProxyFloor[] = [];
  try {
    process.stdout.write(`starting a node on ${NODE_IP} with ${replicas} ${backend} web pods…\n`);
    net = await startNetNode();
    const ns = await newNamespace(net, 'bench');
    if (keepAlive) await importNginx(net);
    await apply(net.node, [
      keepAlive ? nginxDeployment(ns, 'web', replicas) : webDeployment(ns, 'web', replicas),
      service(ns, 'web', { type: 'NodePort' }),
      hostIngress(ns, 'web', HOST),
      ...(from === 'pod' ? [clientPod(net.node, ns)] : []),
    ]);
    let netns: string | undefined;
    if (from === 'pod') {
      const pod = await waitRunningReady(net.node, ns, 'client', WAIT_MS);
      netns = `/proc/${containerPid(net, pod.status?.containerStatuses?.[0]?.containerID ?? '')}/ns/net`;
    }
    await waitWebPods(net.node, ns, 'web', replicas);
    await waitEndpoints(net.node, ns, 'web', replicas);
    const svc = await getService(net.node, ns, 'web');
    const clusterIP = svc.spec?.clusterIP ?? '';
    const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    const podIP = (await livePods(net.node, ns, 'web')).map((p) => p.status?.podIP).find(Boolean) ?? '';
    if (!clusterIP || !nodePort || !podIP)
      throw new Error(`missing address: clusterIP=${clusterIP} nodePort=${nodePort} podIP=${podIP}`);
    const podPort = keepAlive ? NGINX_PORT : WEB_PORT;
    paths = [
      { name: 'direct (pod IP)', url: `http://${podIP}:${podPort}/` },
      { name: 'ClusterIP', url: `http://${clusterIP}:80/` },
      { name: 'NodePort', url: `http://${NODE_IP}:${nodePort}/` },
      { name: 'Ingress', url: `http://${NODE_IP}:80/`, host: HOST },
      { name: 'DNAT floor', url: `http://${FLOOR_VIP}:80/` },
      { name: 'HAProxy floor', url: `http://${NODE_IP}:${FLOOR_HAPROXY_PORT}/`, host: HOST },
      { name: 'nginx floor', url: `http://${NODE_IP}:${FLOOR_NGINX_PORT}/`, host: HOST },
    ].filter((p, i) => i === 0 || wanted.some((w) => p.name.toLowerCase().startsWith(w)));
    if (paths.some((p) => p.name === 'DNAT floor')) stopDnatFloor = await startDnatFloor(podIP, podPort);
    if (paths.some((p) => p.name === 'HAProxy floor'))
      proxyFloors.push(await startHaproxyFloor(podIP, podPort));
    let nginxFloor: ProxyFloor | undefined;
    if (paths.some((p) => p.name === 'nginx floor')) {
      nginxFloor = await startNginxFloor(podIP, podPort);
      proxyFloors.push(nginxFloor);
    }
    for (const p of paths) {
      // From the host side: the rules are programmed the same for the pod.
      await waitHostAnswers(`${p.name} ${p.url} to answer`, p.url, p.host ? { host: p.host } : {});
      samples.set(p.name, []);
    }
    // The server (API server + agent; HAProxy, its child, writes the access log to the server's
    // stdout) and this process (which keeps the server's output, as the test harness does).
    const labels = new Map([
      [net.node.pid, 'k8ts server'],
      [process.pid, 'bench'],
    ]);
    if (nginxFloor) labels.set(nginxFloor.pid, NGINX_FLOOR_LABEL);
    const wrkOpts = (p: Path, secs: number): Parameters<typeof runWrk>[1] => ({
      connections,
      threads,
      seconds: secs,
      ...(p.host ? { host: p.host } : {}),
      ...(netns ? { netns } : {}),
    });
    for (const p of paths) await runWrk(p.url, wrkOpts(p, 1));
    for (let r = 0; r < rounds; r++) {
      // Each round starts one path further on, so that no path always follows the same one.
      const order = paths.map((_, i) => paths[(i + r) % paths.length]).filter((p) => p !== undefined);
      for (const p of order) {
        const syn0 = synRetransmits();
        const cpu0 = cpuSnapshot(ours);
        const w = await runWrk(p.url, wrkOpts(p, seconds));
        const cpu = cpuMsByCommand(cpu0, cpuSnapshot(ours), labels);
        const synRetrans = synRetransmits() - syn0;
        const load = os.loadavg()[0] ?? NaN;
        const cpuUsPerReq = cpuPerRequest(cpu, w.requests);
        samples.get(p.name)?.push({ ...w, load, synRetrans, cpuUsPerReq });
        const cpuText = CPU_COLUMNS.map((c) => `${c} ${fmt(cpuUsPerReq[c] ?? NaN, 1)}`).join(' ');
        process.stdout.write(
          `  round ${r + 1} ${p.name}: ${fmt(w.rps)} req/s p99 ${fmt(w.p99Ms, 2)} ms errors ${w.errors} SYN retransmits ${synRetrans} cpu µs/req ${cpuText} (load ${fmt(load, 2)})\n`,
        );
        await sleep(200);
      }
    }
  } finally {
    for (const f of proxyFloors) await f.stop();
    try {
      await stopDnatFloor?.();
    } catch (err) {
      process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    await stopNetNode(net).catch((err: unknown) => {
      process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  }
  /** Median over rounds of `name`'s req/s over `base`'s (every path runs in every round). */
  const ratioTo = (name: string, base: string): number => {
    const a = samples.get(name) ?? [];
    const b = samples.get(base) ?? [];
    return median(a.map((x, i) => x.rps / (b[i]?.rps ?? NaN)));
  };
  const direct = paths[0]?.name ?? '';
  const summary = paths.map((p) => {
    const s = samples.get(p.name) ?? [];
    return {
      name: p.name,
      url: p.url,
      rps: median(s.map((x) => x.rps)),
      ratio: ratioTo(p.name, direct),
      p50Ms: median(s.map((x) => x.p50Ms)),
      p99Ms: median(s.map((x) => x.p99Ms)),
      errors: s.reduce((a, x) => a + x.errors, 0),
      runs: s.map((x) => Math.round(x.rps)),
      loads: s.map((x) => x.load),
      synRetrans: s.reduce((a, x) => a + x.synRetrans, 0),
      cpuUsPerReq: Object.fromEntries(
        CPU_COLUMNS.map((c) => [c, median(s.map((x) => x.cpuUsPerReq[c] ?? NaN))]),
      ),
    };
  });
  const loads = summary.flatMap((s) => s.loads);
  const setup = `wrk -t${threads} -c${connections} -d${seconds}s from ${from === 'pod' ? 'a pod (its network namespace)' : "the node's host side"}, ${rounds} rounds, ${replicas} ${backend} pods (${keepAlive ? 'keep-alive' : 'a connection per request'}); load average ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}`;
  printTable(
    `service data path: ${setup}; median; ratio = median of per-round ratios to direct`,
    ['path', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'errors', 'SYN retrans', 'runs req/s'],
    summary.map((s) => [
      s.name,
      s.rps,
      fmt(s.ratio, 2),
      s.p50Ms,
      s.p99Ms,
      s.errors,
      s.synRetrans,
      s.runs.join(' '),
    ]),
  );
  printTable(
    "CPU µs per request (median of rounds; /proc of the run's processes: wrk, the proxy (HAProxy or the nginx floor), the backend pods, the k8ts server (API server + agent), this bench process, other; softirq is the whole machine's)",
    ['path', ...CPU_COLUMNS, 'sum'],
    summary.map((s) => {
      const v = CPU_COLUMNS.map((c) => s.cpuUsPerReq[c] ?? NaN);
      return [
        s.name,
        ...v.map((x) => fmt(x, 1)),
        fmt(
          v.reduce((a, b) => a + b, 0),
          1,
        ),
      ];
    }),
  );
  const ratioOf = (name: string): number => summary.find((s) => s.name === name)?.ratio ?? NaN;
  const cip = ratioOf('ClusterIP');
  const ing = ratioOf('Ingress');
  const floors = [
    { path: 'ClusterIP', floor: 'DNAT floor' },
    { path: 'Ingress', floor: 'HAProxy floor' },
    { path: 'Ingress', floor: 'nginx floor' },
  ].filter((f) => samples.has(f.path) && samples.has(f.floor));
  const errors = summary.reduce((a, s) => a + s.errors, 0);
  const goals: Goal[] = [
    {
      goal: `ClusterIP ≥ ${CLUSTER_IP_GOAL} × direct`,
      value: `${fmt(cip, 2)}×`,
      met: cip >= CLUSTER_IP_GOAL,
    },
    { goal: `Ingress ≥ ${INGRESS_GOAL} × direct`, value: `${fmt(ing, 2)}×`, met: ing >= INGRESS_GOAL },
    { goal: 'no failed requests', value: String(errors), met: errors === 0 },
    ...floors.map((f) => ({
      goal: `(info) ${f.path} vs the ${f.floor} (${fmt(ratioOf(f.floor), 2)}× direct)`,
      value: `${fmt(ratioTo(f.path, f.floor), 2)}×`,
      met: true,
    })),
  ];
  printGoals(goals);
  writeResult(NAME, {
    backend,
    from,
    connections,
    threads,
    seconds,
    rounds,
    replicas,
    paths: summary,
    goals,
  });
  headline(
    `${NAME} (${backend}, from ${from}): direct ${fmt(summary[0]?.rps)} req/s; ClusterIP ${fmt(cip, 2)}× (goal ≥ ${CLUSTER_IP_GOAL}), NodePort ${fmt(ratioOf('NodePort'), 2)}×, Ingress ${fmt(ing, 2)}× (goal ≥ ${INGRESS_GOAL}); floors: DNAT ${fmt(ratioOf('DNAT floor'), 2)}×, HAProxy ${fmt(ratioOf('HAProxy floor'), 2)}×, nginx ${fmt(ratioOf('nginx floor'), 2)}×; load ${fmt(median(loads), 1)}`,
  );
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  if (insideNetns()) return measure(o);
  return reexecInNetns(NAME, o);
}

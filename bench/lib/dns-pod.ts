/**
 * The `dns` benchmark from a pod (the default when root; see bench/dns.ts): a real node
 * (test/agent-net/support.ts: `k8ts server` with its agent on 10.250.0.1, in a network namespace
 * made by scripts/in-netns.sh), `services` ClusterIP Services in namespace `bench`, and one idle
 * busybox pod. The load client (bench/dns.ts, role `client`) runs in the pod's network namespace
 * (`nsenter --net=/proc/<pid of the pod's container>/ns/net`), so its queries take the pod's path:
 * eth0 → veth → the node's bridge → the proxy's DNAT of 10.43.0.10:53 (kube-dns, internalTrafficPolicy
 * Local) → the node's DNS server on 10.250.0.1:10053. The floor (a fixed-answer UDP server) listens
 * on the node's address and is queried from the same pod the same way, without the DNAT; so is the
 * k8ts DNS server at its own address (10.250.0.1:10053, column `node IP`), to tell the DNAT's share.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Service } from 'kubernetes-types/core/v1.js';
import { apply, waitRunningReady } from '../../test/support/node.js';
import {
  clientPod,
  newNamespace,
  NODE_IP,
  startNetNode,
  stopNetNode,
  WAIT_MS,
  type NetNode,
} from '../../test/agent-net/support.js';
import {
  dnsGoals,
  JOB_ENV,
  printDnsTable,
  ROLE_ENV,
  startChild,
  THIS_FILE,
  type Child,
  type ClientJob,
  type Point,
} from '../dns.js';
import { insideNetns, reexecInNetns } from './in-netns.js';
import { containerPid } from './pod-netns.js';
import { knob, knobList, type BenchOptions } from './options.js';
import { fmt, headline, printGoals, writeResult } from './report.js';
import { ROOT } from './server.js';

/** The cluster DNS Service's address (the 10th of the default service CIDR). */
const CLUSTER_DNS = '10.43.0.10';

/** Where every agent's DNS server listens on the node's address (the Service's endpoint). */
const NODE_DNS_PORT = 10053;

/** A ClusterIP Service `svc-i` in `ns` (no selector: DNS answers its ClusterIP all the same). */
function benchService(ns: string, i: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: ns },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

/** Creates `n` Services, 16 requests in flight. */
async function createServices(net: NetNode, ns: string, n: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const res = await net.node.admin.request(
        'POST',
        `/api/v1/namespaces/${ns}/services`,
        benchService(ns, i),
      );
      if (res.status !== 201) throw new Error(`create service svc-${i}: HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Runs one client job in the network namespace `netns` (a /proc/PID/ns/net path). */
async function runClient(netns: string, job: ClientJob): Promise<Point & { ok?: boolean }> {
  const child = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, '--import', 'tsx', THIS_FILE], {
    cwd: ROOT,
    env: { ...process.env, [ROLE_ENV]: 'client', [JOB_ENV]: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | string>((resolve) => {
    child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(err.message));
  });
  const m = /^RESULT (.*)$/m.exec(out);
  if (code !== 0 || !m?.[1]) throw new Error(`dns client in ${netns} exited ${code}: ${out}`);
  return JSON.parse(m[1]) as Point & { ok?: boolean };
}

async function measure(o: BenchOptions): Promise<void> {
  const services = knob(o, 'services', 1000, 200);
  const levels = knobList(o, 'concurrency', [1, 16, 64]);
  const rounds = Math.max(1, knob(o, 'rounds', 2, 1));
  let net: NetNode | undefined;
  let floor: Child | undefined;
  const rows: {
    k8ts: Point;
    floor: Point;
    /** The same DNS server queried at the node's address (no DNAT). */
    nodeIP: Point;
    load: number;
    rounds: { k8ts: Point[]; floor: Point[]; nodeIP: Point[] };
  }[] = [];
  try {
    process.stdout.write(`starting a node on ${NODE_IP}, ${services} services and a client pod…\n`);
    net = await startNetNode();
    const ns = await newNamespace(net, 'bench');
    await createServices(net, ns, services);
    await apply(net.node, [clientPod(net.node, ns)]);
    const pod = await waitRunningReady(net.node, ns, 'client', WAIT_MS);
    const containerId = pod.status?.containerStatuses?.[0]?.containerID ?? '';
    if (!containerId) throw new Error('the client pod has no container ID');
    const netns = `/proc/${containerPid(net, containerId)}/ns/net`;
    floor = await startChild('floor', services, undefined, NODE_IP);
    const serverPid = net.node.pid;
    const job = (host: string, port: number, pid: number, concurrency: number): ClientJob => ({
      host,
      port,
      concurrency,
      services,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      serverPid: pid,
    });
    // The DNS server answers once its cache holds every Service, and the proxy has the DNAT rule.
    const ready = await runClient(netns, {
      ...job(CLUSTER_DNS, 53, serverPid, 1),
      probe: true,
      durationMs: WAIT_MS,
    });
    if (!ready.ok) throw new Error(`svc-${services - 1} did not resolve through ${CLUSTER_DNS} from the pod`);
    for (const c of levels) {
      const runK8ts = (): Promise<Point> => runClient(netns, job(CLUSTER_DNS, 53, serverPid, c));
      const runFloor = (): Promise<Point> =>
        runClient(netns, job(NODE_IP, floor?.port ?? 0, floor?.pid ?? 0, c));
      const runNodeIP = (): Promise<Point> => runClient(netns, job(NODE_IP, NODE_DNS_PORT, serverPid, c));
      const ks: Point[] = [];
      const fl: Point[] = [];
      const nd: Point[] = [];
      for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
          ks.push(await runK8ts());
          fl.push(await runFloor());
          nd.push(await runNodeIP());
        } else {
          nd.push(await runNodeIP());
          fl.push(await runFloor());
          ks.push(await runK8ts());
        }
      }
      // Each side keeps its best round: other work on the machine only ever slows a round down.
      const best = (ps: Point[]): Point => ps.reduce((x, y) => (y.qps > x.qps ? y : x));
      const a = best(ks);
      const b = best(fl);
      const d = best(nd);
      const load = os.loadavg()[0] ?? NaN;
      rows.push({ k8ts: a, floor: b, nodeIP: d, load, rounds: { k8ts: ks, floor: fl, nodeIP: nd } });
      process.stdout.write(
        `concurrency ${c}: k8ts ${fmt(a.qps)} q/s (p99 ${fmt(a.latencyMs.p99)} ms), at the node IP ${fmt(d.qps)} q/s, floor ${fmt(b.qps)} q/s (p99 ${fmt(b.latencyMs.p99)} ms) (load ${fmt(load, 2)})\n`,
      );
    }
  } finally {
    await floor?.stop();
    await stopNetNode(net).catch((err: unknown) => {
      process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  }
  printDnsTable(
    `Service A queries over UDP from a pod to ${CLUSTER_DNS}:53 (the proxy's DNAT → the node's DNS on ${NODE_IP}:10053); floor: fixed answers on ${NODE_IP} from the same pod (${services} services; closed-loop clients, 1 query in flight each; best of ${rounds} rounds; server CPU is the whole k8ts server process; node IP: the same server at ${NODE_IP}:${NODE_DNS_PORT}, without the DNAT)`,
    rows,
  );
  const top = rows[rows.length - 1];
  // Server CPU is the whole k8ts server process here (API server and agent): not a goal.
  const goals = dnsGoals(top, false);
  printGoals(goals);
  writeResult('dns', { services, transport: `udp, from a pod to ${CLUSTER_DNS}:53`, points: rows, goals });
  if (top)
    headline(
      `dns (from a pod): ${fmt(top.k8ts.qps)} q/s at ${top.k8ts.concurrency} clients = ${fmt(top.k8ts.qps / top.floor.qps, 2)}× floor, p99 ${fmt(top.k8ts.latencyMs.p99, 3)} ms (load ${fmt(top.load, 1)})`,
    );
}

/** The `dns` benchmark from a pod: re-runs itself in a namespace of its own (needs root). */
export async function runFromPod(o: BenchOptions): Promise<void> {
  if (insideNetns()) return measure(o);
  return reexecInNetns('dns', o);
}

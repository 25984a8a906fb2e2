/**
 * Test nodes for the agent tier: a real `k8ts server` with its node agent (its own containerd, runc,
 * CNI bridge), run inside the network namespace that scripts/in-netns.sh made for the whole test run.
 * Several test files (vitest workers) run nodes side by side in that one namespace: each node takes a
 * numbered slot (an exclusive directory in the run's scratch dir) that gives it its own node name,
 * cgroup subtree, bridge name and cluster CIDR, and a free kubelet port.
 *
 * {@link stopNodeServer} deletes every pod, stops the server (which stops its containerd) and then
 * checks that nothing of the node is left: no process (containerd, shims, containers), no mount under
 * its directory, no cgroup under its cgroup root. It removes what it finds and fails the test file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { connectCri, type CriConnection } from '../../src/agent/cri/client.js';
import { jsonOf } from './api.js';
import { kubectl, describeRun } from './kubectl.js';
import { pollUntil, preview } from './poll.js';
import { ensureTestImages } from './registry.js';
import { REPO_ROOT, startServer, type TestServer } from './server.js';

/** The run's namespace, scratch dir and cgroup prefix, from scripts/in-netns.sh. */
export interface CiNetns {
  name: string;
  dir: string;
  cgroup: string;
  /** The TMPDIR from outside the run (where caches such as the test images live). */
  hostTmp: string;
}

/**
 * The environment scripts/in-netns.sh gives; throws (with how to run the tier) when the test process
 * is not inside that namespace, so that no agent ever touches the machine's own network.
 */
export function requireCiNetns(): CiNetns {
  const name = process.env['K8TS_CI_NETNS'];
  const dir = process.env['K8TS_CI_DIR'];
  const cgroup = process.env['K8TS_CI_CGROUP'];
  const how = 'run the agent tier through scripts/in-netns.sh: `npm test -- agent`';
  if (!name || !dir || !cgroup)
    throw new Error(`K8TS_CI_NETNS/K8TS_CI_DIR/K8TS_CI_CGROUP are not set: ${how}`);
  let inside = false;
  try {
    const mine = fs.statSync('/proc/self/ns/net');
    const theirs = fs.statSync(`/run/netns/${name}`);
    inside = mine.ino === theirs.ino && mine.dev === theirs.dev;
  } catch {
    inside = false;
  }
  if (!inside) throw new Error(`this process is not inside the network namespace ${name}: ${how}`);
  return { name, dir, cgroup, hostTmp: process.env['K8TS_CI_HOST_TMPDIR'] ?? '/tmp' };
}

/** A test server that runs a node agent. */
export interface NodeServer extends TestServer {
  /** The node's name (`node-<slot>`). */
  nodeName: string;
  /** The slot number, unique within the run. */
  slot: number;
  /** The cgroup path under which the node's pods live. */
  cgroupRoot: string;
  /** The node's CNI bridge. */
  bridge: string;
  /** `--cluster-cidr` (the node's podCIDR is carved from it). */
  clusterCidr: string;
  /** `<data-dir>/agent`. */
  agentDir: string;
  /** containerd's socket. */
  containerdSocket: string;
  /** Static pod manifests directory. */
  manifestsDir: string;
}

/** Options of {@link startNodeServer}. */
export interface NodeServerOptions {
  /** Extra `k8ts server` flags. */
  args?: string[];
  /** Put the busybox test image (`k8ts.local/busybox:1`) into the airgap dir (default true). */
  images?: boolean;
  /** How long to wait for the Node to be Ready (default 90 s). */
  readyTimeoutMs?: number;
  /**
   * Run the node's service proxy, cluster DNS and Ingress data path (default false: nodes of the
   * agent tier share one network namespace and 127.0.0.1, where those would collide).
   */
  networking?: boolean;
}

/** Takes the lowest free slot of the run (an exclusive directory, so worker processes never share one). */
function takeSlot(ci: CiNetns): number {
  const dir = path.join(ci.dir, 'node-slots');
  fs.mkdirSync(dir, { recursive: true });
  for (let slot = 1; slot < 150; slot++) {
    try {
      fs.mkdirSync(path.join(dir, String(slot)));
      return slot;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`no free node slot in ${dir}`);
}

/**
 * Starts `k8ts server` with its agent on a fresh data dir in this run's namespace and waits until its
 * Node is Ready. Stop it with {@link stopNodeServer}.
 */
export async function startNodeServer(opts: NodeServerOptions = {}): Promise<NodeServer> {
  const ci = requireCiNetns();
  const images =
    (opts.images ?? true) ? await ensureTestImages(path.join(ci.hostTmp, 'k8ts-test-images')) : undefined;
  const slot = takeSlot(ci);
  const nodeName = `node-${slot}`;
  const cgroupRoot = `${ci.cgroup}/${nodeName}`;
  const bridge = `k8ts-br${slot}`;
  const clusterCidr = `10.${100 + slot}.0.0/16`;
  const server = await startServer({
    agent: true,
    readyTimeoutMs: 90_000,
    args: [
      '--node-name',
      nodeName,
      '--node-ip',
      '127.0.0.1',
      '--cgroup-root',
      cgroupRoot,
      '--cni-bridge',
      bridge,
      '--cluster-cidr',
      clusterCidr,
      '--kubelet-port',
      '0',
      ...(opts.networking ? [] : ['--disable', 'proxy,dns,ingress']),
      ...(opts.args ?? []),
    ],
    prepare: (dataDir) => {
      if (!images) return;
      const airgap = path.join(dataDir, 'agent', 'images');
      fs.mkdirSync(airgap, { recursive: true });
      fs.copyFileSync(images.busybox, path.join(airgap, 'busybox.tar'));
    },
  });
  const agentDir = path.join(server.dataDir, 'agent');
  const node = Object.assign(server, {
    nodeName,
    slot,
    cgroupRoot,
    bridge,
    clusterCidr,
    agentDir,
    containerdSocket: path.join(agentDir, 'containerd', 'containerd.sock'),
    manifestsDir: path.join(agentDir, 'pod-manifests'),
  }) as NodeServer;
  try {
    await waitNodeReady(node, opts.readyTimeoutMs ?? 90_000);
  } catch (err) {
    await stopNodeServer(node).catch(() => undefined);
    throw err;
  }
  return node;
}

/** The Node's Ready condition status ('True', 'False', 'Unknown') or 'missing'. */
export function nodeReady(node: Node | undefined): string {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'missing';
}

/** Waits until the node's Node object says Ready=True; returns it. */
export async function waitNodeReady(node: NodeServer, timeoutMs = 90_000): Promise<Node> {
  try {
    const ready = await pollUntil(
      `Node ${node.nodeName} to be Ready`,
      async () => {
        const res = await node.admin.request('GET', `/api/v1/nodes/${node.nodeName}`);
        return res.status === 200 ? jsonOf<Node>(res) : undefined;
      },
      (n) => nodeReady(n) === 'True',
      { timeoutMs, intervalMs: 200 },
    );
    if (!ready) throw new Error(`Node ${node.nodeName} vanished`);
    return ready;
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver log tail:\n${node.log().slice(-6000)}`);
  }
}

const criConnections = new WeakMap<NodeServer, CriConnection>();

/** A CRI connection to the node's containerd (closed by {@link stopNodeServer}). */
export function criOf(node: NodeServer): CriConnection {
  let cri = criConnections.get(node);
  if (!cri) {
    cri = connectCri(`unix://${node.containerdSocket}`, { timeoutMs: 10_000 });
    criConnections.set(node, cri);
  }
  return cri;
}

/** Drops the cached CRI connection (after a server restart: containerd came back). */
export function resetCri(node: NodeServer): void {
  criConnections.get(node)?.close();
  criConnections.delete(node);
}

/** GET a pod; undefined when it does not exist. */
export async function getPod(node: TestServer, ns: string, name: string): Promise<Pod | undefined> {
  const res = await node.admin.request('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200)
    throw new Error(`GET pod ${ns}/${name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
  return jsonOf<Pod>(res);
}

/** The events about one object, oldest first. */
export async function eventsFor(node: TestServer, ns: string, name: string): Promise<Event[]> {
  const res = await node.admin.request(
    'GET',
    `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`,
  );
  if (res.status !== 200) throw new Error(`list events: HTTP ${res.status}`);
  const items = jsonOf<{ items: Event[] }>(res).items;
  return items.sort((a, b) =>
    String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')),
  );
}

/** Short text of a pod's status and events for failure messages. */
export async function describePod(node: TestServer, ns: string, name: string): Promise<string> {
  try {
    const pod = await getPod(node, ns, name);
    const events = await eventsFor(node, ns, name);
    const ev = events.map((e) => `  ${e.type} ${e.reason} x${e.count ?? 1}: ${e.message ?? ''}`).join('\n');
    return `pod ${ns}/${name} status: ${preview(pod?.status ?? 'gone', 3000)}\nevents:\n${ev}`;
  } catch (err) {
    return `(could not describe ${ns}/${name}: ${(err as Error).message})`;
  }
}

/**
 * Polls the pod until `accept` holds; on timeout fails naming `what` with the pod's status and events.
 * `accept` sees undefined once the pod is gone.
 */
export async function waitPod(
  node: TestServer,
  ns: string,
  name: string,
  what: string,
  accept: (pod: Pod | undefined) => boolean,
  timeoutMs = 60_000,
): Promise<Pod | undefined> {
  try {
    return await pollUntil(what, () => getPod(node, ns, name), accept, { timeoutMs, intervalMs: 100 });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await describePod(node, ns, name)}`);
  }
}

/** The status of one container (or init container) of a pod. */
export function containerStatusOf(
  pod: Pod | undefined,
  container: string,
): NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number] | undefined {
  const s = pod?.status;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? [])].find(
    (c) => c.name === container,
  );
}

/** True when the pod is Running and its Ready condition is True. */
export function runningAndReady(pod: Pod | undefined): boolean {
  return (
    pod?.status?.phase === 'Running' &&
    pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  );
}

/** Waits for Running and Ready; returns the pod. */
export async function waitRunningReady(
  node: TestServer,
  ns: string,
  name: string,
  timeoutMs = 60_000,
): Promise<Pod> {
  return (await waitPod(
    node,
    ns,
    name,
    `pod ${ns}/${name} to be Running and Ready`,
    runningAndReady,
    timeoutMs,
  ))!;
}

/** Waits until an event with `reason` (and a message matching `message`) is recorded for the object. */
export async function waitEvent(
  node: TestServer,
  ns: string,
  name: string,
  reason: string,
  message: RegExp = /.*/,
  timeoutMs = 60_000,
): Promise<Event> {
  const found = await pollUntil(
    `event ${reason} (${message}) for ${ns}/${name}`,
    async () => (await eventsFor(node, ns, name)).map((e) => ({ reason: e.reason, message: e.message, e })),
    (evs) => evs.some((e) => e.reason === reason && message.test(e.message ?? '')),
    { timeoutMs, intervalMs: 200 },
  );
  return found.find((e) => e.reason === reason && message.test(e.message ?? ''))!.e;
}

/** Creates objects with `kubectl apply -f -` (YAML or JSON text); throws with kubectl's output. */
export async function apply(node: TestServer, objects: object[]): Promise<void> {
  const doc = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
  const args = ['apply', '-f', '-'];
  const r = await kubectl(node, args, { stdin: doc });
  if (r.code !== 0) throw new Error(describeRun(args, r));
}

/** One row of `kubectl get pod NAME -n NS` as a map of column name → value. */
export async function podRow(node: TestServer, ns: string, name: string): Promise<Record<string, string>> {
  const args = ['get', 'pod', name, '-n', ns];
  const r = await kubectl(node, args);
  if (r.code !== 0) throw new Error(describeRun(args, r));
  const [header, row] = r.stdout.trimEnd().split('\n');
  const cols = (header ?? '').split(/\s{2,}/);
  const vals = (row ?? '').split(/\s{2,}/);
  return Object.fromEntries(cols.map((c, i) => [c, vals[i] ?? '']));
}

/** Waits until the `kubectl get pod` row satisfies `accept`; returns it. */
export async function waitPodRow(
  node: TestServer,
  ns: string,
  name: string,
  what: string,
  accept: (row: Record<string, string>) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, string>> {
  try {
    return await pollUntil(what, () => podRow(node, ns, name), accept, { timeoutMs, intervalMs: 250 });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await describePod(node, ns, name)}`);
  }
}

/** Imports image archives with `k8ts images import --data-dir`; returns what it printed. */
export function importImages(node: NodeServer, files: string[]): string {
  const r = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'k8ts.js'), 'images', 'import', '--data-dir', node.dataDir, ...files],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`k8ts images import failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// --- leftovers -------------------------------------------------------------------------------------

/** Mount points at or below `dir` (deepest first). */
export function mountsUnder(dir: string): string[] {
  const points: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const decoded = mp.replace(/\\(\d{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (decoded === dir || decoded.startsWith(`${dir}/`)) points.push(decoded);
  }
  return points.sort((a, b) => b.length - a.length);
}

/** IP leases the host-local IPAM still holds in `<agent>/cni-ipam` (file names that are addresses). */
export function ipamLeases(node: NodeServer): string[] {
  const root = path.join(node.agentDir, 'cni-ipam');
  const leases: string[] = [];
  let networks: string[] = [];
  try {
    networks = fs.readdirSync(root);
  } catch {
    return [];
  }
  for (const net of networks) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(path.join(root, net));
    } catch {
      continue;
    }
    for (const e of entries) if (/^\d+\.\d+\.\d+\.\d+$/.test(e)) leases.push(`${net}/${e}`);
  }
  return leases;
}

/**
 * What pods left in the runtime and on the host: CRI sandboxes and containers, mounts under the data
 * dir other than containerd's own, IPAM leases. Empty when everything is clean.
 */
export async function runtimeLeftovers(node: NodeServer): Promise<string[]> {
  const problems: string[] = [];
  const cri = criOf(node);
  const sandboxes = (await cri.runtime.listPodSandbox({})).items;
  if (sandboxes.length)
    problems.push(
      `sandboxes: ${sandboxes.map((s) => `${s.metadata?.namespace}/${s.metadata?.name} ${s.state}`).join(', ')}`,
    );
  const containers = (await cri.runtime.listContainers({})).containers;
  if (containers.length)
    problems.push(`containers: ${containers.map((c) => `${c.metadata?.name} ${c.state}`).join(', ')}`);
  const mounts = mountsUnder(node.dataDir);
  if (mounts.length) problems.push(`mounts: ${mounts.join(', ')}`);
  const leases = ipamLeases(node);
  if (leases.length) problems.push(`IPAM leases: ${leases.join(', ')}`);
  return problems;
}

/** Waits (bounded) until {@link runtimeLeftovers} is empty; throws with what is left. */
export async function waitRuntimeClean(node: NodeServer, timeoutMs = 30_000): Promise<void> {
  await pollUntil(
    'the runtime to hold no pods (sandboxes, containers, mounts, IPs)',
    () => runtimeLeftovers(node),
    (p) => p.length === 0,
    {
      timeoutMs,
      intervalMs: 250,
    },
  );
}

function processTable(): Map<number, { ppid: number; cmd: string }> {
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), cmd });
    } catch {
      // gone
    }
  }
  return table;
}

/** Processes whose command line names `dir` (containerd, shims), with all their descendants. */
export function processesOf(dir: string): { pid: number; cmd: string }[] {
  const table = processTable();
  const found = new Set<number>();
  for (const [pid, p] of table) if (pid !== process.pid && p.cmd.includes(dir)) found.add(pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (!found.has(pid) && found.has(p.ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].map((pid) => ({ pid, cmd: table.get(pid)?.cmd ?? '' }));
}

/** cgroup hierarchies' mount points. */
function cgroupMounts(): string[] {
  const points: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [before, after] = line.split(' - ');
    const fstype = after?.split(' ')[0];
    const mp = before?.split(' ')[4];
    if (mp && (fstype === 'cgroup' || fstype === 'cgroup2')) points.push(mp);
  }
  return points;
}

/** Directories below `root` in every cgroup hierarchy (the root itself excluded). */
export function cgroupsUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const sub = path.join(dir, e.name);
      walk(sub);
      found.push(sub);
    }
  };
  for (const mp of cgroupMounts()) walk(path.join(mp, root));
  return found;
}

function removeCgroups(root: string): void {
  for (const mp of cgroupMounts()) {
    const top = path.join(mp, root);
    const dirs = [...cgroupsUnder(root).filter((d) => d.startsWith(`${top}/`)), top];
    for (const d of dirs) {
      try {
        fs.rmdirSync(d);
      } catch {
        // busy or gone
      }
    }
  }
}

/**
 * Deletes every pod (and static pod manifest), waits until the runtime holds none, stops the server,
 * checks that no process, mount or cgroup of the node is left, cleans up what is, and removes the
 * server's directories. Throws naming the leftovers (after cleaning them).
 */
export async function stopNodeServer(node: NodeServer | undefined): Promise<void> {
  if (!node) return;
  const problems: string[] = [];
  const root = path.dirname(node.dataDir);
  const running = fs.existsSync(`/proc/${node.pid}`) && node.pid > 0;
  if (running) {
    try {
      fs.rmSync(node.manifestsDir, { recursive: true, force: true });
      fs.mkdirSync(node.manifestsDir, { recursive: true });
      const res = await node.admin.request('GET', '/api/v1/pods');
      const pods = res.status === 200 ? jsonOf<{ items: Pod[] }>(res).items : [];
      await Promise.all(
        pods.map((p) =>
          node.admin.request(
            'DELETE',
            `/api/v1/namespaces/${p.metadata?.namespace}/pods/${p.metadata?.name}`,
            { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 },
          ),
        ),
      );
      await waitRuntimeClean(node, 60_000);
    } catch (err) {
      problems.push(`pods not cleaned up before stop: ${(err as Error).message}`);
    }
  }
  resetCri(node);
  await node.shutdown();
  const procs = processesOf(root);
  if (procs.length) {
    problems.push(`processes left: ${procs.map((p) => `${p.pid} ${p.cmd.slice(0, 160)}`).join('; ')}`);
    for (const p of procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await pollUntil(
      'leftover processes to die',
      () => processesOf(root),
      (l) => l.length === 0,
      {
        timeoutMs: 10_000,
      },
    ).catch(() => undefined);
  }
  const mounts = mountsUnder(root);
  if (mounts.length) {
    problems.push(`mounts left: ${mounts.join(', ')}`);
    for (const mp of mounts) spawnSync('umount', ['-l', mp]);
  }
  // The QoS tiers (kubepods, kubepods/burstable, kubepods/besteffort) belong to the node; any cgroup
  // of a pod (pod<uid>, and its sandbox and containers below) must be gone with the pod.
  const cgroups = cgroupsUnder(node.cgroupRoot).filter((d) => /\/pod[^/]*(\/|$)/.test(d));
  if (cgroups.length) problems.push(`pod cgroups left: ${cgroups.join(', ')}`);
  removeCgroups(node.cgroupRoot);
  if (mountsUnder(root).length === 0) await node.stop();
  if (problems.length) throw new Error(`node ${node.nodeName} leaked: ${problems.join('\n')}`);
}

/** A scratch directory for one test on the host (under the run's dir). */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** HTTP GET from the test process (inside the run's namespace); rejects on connection errors. */
export function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

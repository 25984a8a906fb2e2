/**
 * Helpers of the agent-net tier (service networking on real pods): one node with its own address
 * ({@link NODE_IP}, on an interface of the tier's namespace), web pods that answer with their
 * own name, Services, a client pod that sends request loops with busybox wget, and per-test
 * namespaces removed at the end.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Container, Node, Pod, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { loadCertificateAuthority, issueClientCertificate } from '../../src/pki/certs.js';
import { clusterPkiPaths } from '../../src/pki/cluster.js';
import { issueKubeletServingCertificate } from '../../src/pki/kubelet.js';
import { jsonOf } from '../support/api.js';
import { describeRun, kubectl, kubectlJson, kubectlOk } from '../support/kubectl.js';
import {
  apply,
  cgroupsUnder,
  mountsUnder,
  nodeReady,
  processesOf,
  requireCiNetns,
  runningAndReady,
  startNodeServer,
  stopNodeServer,
  waitRunningReady,
  type NodeServer,
} from '../support/node.js';
import { createNamespace } from '../support/objects.js';
import { REPO_ROOT } from '../support/server.js';
import { pollUntil } from '../support/poll.js';
import { ensureTestImages } from '../support/registry.js';
import { BUSYBOX, IDLE, podOn, shContainer } from '../support/pods.js';

/** The node's address in this tier (the host's side: NodePorts, LoadBalancer, Ingress). */
export const NODE_IP = '10.250.0.1';

/** A second tag of the busybox test image (same content), so that a rollout changes the image. */
export const BUSYBOX_2 = 'k8ts.local/busybox:2';

/** The port the web pods' httpd listens on. */
export const WEB_PORT = 8080;

/** Bound on waits for pods, endpoints and rules in this tier. */
export const WAIT_MS = 90_000;

/** A started node and the namespaces its tests made (all removed by {@link stopNetNode}). */
export interface NetNode {
  node: NodeServer;
  /** Every namespace made, and how many of them {@link dropNamespaces} already deleted. */
  namespaces: string[];
  dropped: number;
}

/** Starts the tier's node on {@link NODE_IP} and tags the busybox image a second time. */
export async function startNetNode(): Promise<NetNode> {
  const node = await startNodeServer({ nodeIP: NODE_IP });
  const r = spawnSync(
    'ctr',
    ['--address', node.containerdSocket, '--namespace', 'k8s.io', 'images', 'tag', BUSYBOX, BUSYBOX_2],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    await stopNodeServer(node).catch(() => undefined);
    throw new Error(`ctr images tag failed: ${r.stderr}`);
  }
  return { node, namespaces: [], dropped: 0 };
}

/** The keep-alive web image (scripts/build-test-images.sh: Debian's nginx answering its host name on :80). */
export const NGINX = 'k8ts.local/nginx:1';

/** The port the nginx web pods listen on. */
export const NGINX_PORT = 80;

/**
 * Imports the nginx test image into the node's containerd (built beside busybox.tar by
 * scripts/build-test-images.sh; needs the Debian package nginx-light).
 */
export async function importNginx(net: NetNode): Promise<void> {
  const images = await ensureTestImages(path.join(requireCiNetns().hostTmp, 'k8ts-test-images'));
  const archive = path.join(path.dirname(images.busybox), 'nginx.tar');
  const r = spawnSync(
    'ctr',
    ['--address', net.node.containerdSocket, '--namespace', 'k8s.io', 'images', 'import', archive],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0)
    throw new Error(
      `ctr images import ${archive} failed (is nginx-light installed?): ${r.stderr}${r.stdout}`,
    );
}

/**
 * A Deployment of `replicas` nginx pods labelled `app: NAME` (see {@link NGINX}): each answers
 * every request with its pod name and keeps connections open; ready when it answers on `/`.
 */
export function nginxDeployment(ns: string, name: string, replicas: number): Deployment {
  const container: Container = {
    name: 'web',
    image: NGINX,
    ports: [{ name: 'http', containerPort: NGINX_PORT }],
    readinessProbe: {
      httpGet: { path: '/', port: NGINX_PORT },
      periodSeconds: 1,
      timeoutSeconds: 5,
      failureThreshold: 1,
    },
  };
  return appDeployment(ns, name, replicas, container, 5);
}

/** A Deployment of `replicas` pods labelled `app: NAME` running `container`. */
function appDeployment(
  ns: string,
  name: string,
  replicas: number,
  container: Container,
  graceSeconds: number,
  strategy?: NonNullable<Deployment['spec']>['strategy'],
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      ...(strategy ? { strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: graceSeconds, containers: [container] },
      },
    },
  };
}

/** Creates a namespace that {@link dropNamespaces} removes. */
export async function newNamespace(net: NetNode, name: string): Promise<string> {
  net.namespaces.push(await createNamespace(net.node, name));
  return name;
}

/** Starts the deletion of the namespaces made since the last call (without waiting). */
export async function dropNamespaces(net: NetNode): Promise<void> {
  const names = net.namespaces.slice(net.dropped);
  net.dropped = net.namespaces.length;
  if (names.length === 0) return;
  const args = ['delete', 'namespace', ...names, '--wait=false', '--ignore-not-found'];
  const r = await kubectl(net.node, args);
  if (r.code !== 0) throw new Error(describeRun(args, r));
}

/** Deletes every namespace made and waits (bounded) until they are gone, then stops the node. */
export async function stopNetNode(net: NetNode | undefined): Promise<void> {
  if (!net) return;
  const problems: string[] = [];
  try {
    await dropNamespaces(net);
    await pollUntil(
      `namespaces ${net.namespaces.join(', ')} to be gone`,
      async () => {
        const left: string[] = [];
        for (const ns of net.namespaces) {
          const res = await net.node.admin.request('GET', `/api/v1/namespaces/${ns}`);
          if (res.status !== 404) left.push(ns);
        }
        return left;
      },
      (left) => left.length === 0,
      { timeoutMs: WAIT_MS, intervalMs: 500 },
    );
  } catch (err) {
    problems.push((err as Error).message);
  }
  await stopNodeServer(net.node);
  if (problems.length) throw new Error(problems.join('\n'));
}

/**
 * Shell for a web container: httpd on {@link WEB_PORT} serving the pod's name at `/` and `/api/`,
 * ready while /tmp/ready exists, and ending at once on SIGTERM (no preStop, no draining: the worst
 * case for requests in flight).
 */
export const WEB_SCRIPT = [
  'mkdir -p /www/api',
  'hostname > /www/index.html',
  'hostname > /www/api/index.html',
  'touch /tmp/ready',
  'trap "exit 0" TERM',
  `httpd -f -p ${WEB_PORT} -h /www & wait $!`,
].join('; ');

/** The web container: {@link WEB_SCRIPT} with a readiness probe (file + HTTP) every second. */
export function webContainer(image = BUSYBOX): Container {
  return {
    ...shContainer('web', WEB_SCRIPT),
    image,
    ports: [{ name: 'http', containerPort: WEB_PORT }],
    readinessProbe: {
      exec: {
        command: ['sh', '-c', `test -e /tmp/ready && wget -q -O /dev/null http://127.0.0.1:${WEB_PORT}/`],
      },
      periodSeconds: 1,
      timeoutSeconds: 5,
      failureThreshold: 1,
    },
  };
}

/** A Deployment of `replicas` web pods labelled `app: NAME`. */
export function webDeployment(ns: string, name: string, replicas: number, image = BUSYBOX): Deployment {
  return appDeployment(ns, name, replicas, webContainer(image), 10, {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  });
}

/** A Service selecting `app: SELECT` (default: its own name), port 80 → the pods' named port `http`. */
export function service(ns: string, name: string, spec: ServiceSpec = {}, select = name): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: {
      selector: { app: select },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      ...spec,
    },
  };
}

/** An Ingress `name` routing every path of `host` to port 80 of the Service `name`. */
export function hostIngress(ns: string, name: string, host: string): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }],
          },
        },
      ],
    },
  };
}

/** An idle busybox pod to run request loops from. */
export function clientPod(node: NodeServer, ns: string, name = 'client'): Pod {
  return podOn(node.nodeName, ns, name, [shContainer('app', IDLE)], { terminationGracePeriodSeconds: 1 });
}

/** The live (not terminating) pods of `app: NAME`. */
export async function livePods(node: NodeServer, ns: string, app: string): Promise<Pod[]> {
  const res = await node.admin.request(
    'GET',
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`app=${app}`)}`,
  );
  if (res.status !== 200) throw new Error(`list pods: HTTP ${res.status}`);
  return jsonOf<{ items: Pod[] }>(res).items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** One line per pod: name, phase, readiness, image and container state (for failure messages). */
export function podSummary(pods: Pod[]): string[] {
  return pods.map((p) => {
    const c = p.status?.containerStatuses?.[0];
    const state = c?.state ? Object.entries(c.state).map(([k, v]) => `${k}${JSON.stringify(v)}`)[0] : '-';
    return `${p.metadata?.name} ${p.status?.phase} ready=${runningAndReady(p)} ${p.spec?.containers[0]?.image} restarts=${c?.restartCount ?? 0} ${state}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`;
  });
}

/** Waits for `n` live pods of `app: NAME`, all Running and Ready (on `image` when given); returns their names. */
export async function waitWebPods(
  node: NodeServer,
  ns: string,
  app: string,
  n: number,
  image?: string,
): Promise<string[]> {
  const ok = (ps: Pod[]): boolean =>
    ps.length === n &&
    ps.every((p) => runningAndReady(p) && (!image || p.spec?.containers[0]?.image === image));
  const seen = await pollUntil(
    `${n} ready pods app=${app} in ${ns}${image ? ` on ${image}` : ''}`,
    async () => {
      const pods = await livePods(node, ns, app);
      return { summary: podSummary(pods), pods };
    },
    (v) => ok(v.pods),
    { timeoutMs: WAIT_MS, intervalMs: 250 },
  );
  return seen.pods.map((p) => p.metadata?.name ?? '').sort();
}

/** The ready endpoint addresses of a Service, from its EndpointSlices. */
export async function readyEndpoints(node: NodeServer, ns: string, svc: string): Promise<string[]> {
  const res = await node.admin.request(
    'GET',
    `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${svc}`)}`,
  );
  if (res.status !== 200) throw new Error(`list endpointslices: HTTP ${res.status}`);
  const slices = jsonOf<{ items: EndpointSlice[] }>(res).items;
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .flatMap((e) => e.addresses)
    .sort();
}

/** Waits until the Service's EndpointSlices list exactly `n` ready endpoints. */
export async function waitEndpoints(node: NodeServer, ns: string, svc: string, n: number): Promise<string[]> {
  return pollUntil(
    `${n} ready endpoints of service ${ns}/${svc}`,
    () => readyEndpoints(node, ns, svc),
    (eps) => eps.length === n,
    { timeoutMs: WAIT_MS, intervalMs: 250 },
  );
}

/** The Service as stored (after allocation). */
export async function getService(node: NodeServer, ns: string, name: string): Promise<Service> {
  return kubectlJson<Service>(node, ['get', 'service', name, '-n', ns]);
}

/** `sh -c SCRIPT` in a pod's first container; returns what it printed and its exit code. */
export async function sh(
  node: NodeServer,
  ns: string,
  pod: string,
  script: string,
  timeoutMs = 120_000,
): Promise<{ code: number | null; out: string; err: string }> {
  const r = await kubectl(node, ['exec', '-n', ns, pod, '--', 'sh', '-c', script], { timeoutMs });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** Like {@link sh}, throwing (with the output) unless it exits 0. */
export async function shOk(node: NodeServer, ns: string, pod: string, script: string): Promise<string> {
  const args = ['exec', '-n', ns, pod, '--', 'sh', '-c', script];
  const r = await kubectl(node, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(describeRun(args, r));
  return r.stdout;
}

/** What `count` requests answered: the count per body (trimmed), and the failures. */
export interface Tally {
  answers: Map<string, number>;
  failed: number;
  total: number;
}

/** Counts the lines a request loop printed (`FAIL` for a failed request). */
export function tally(lines: string[]): Tally {
  const answers = new Map<string, number>();
  let failed = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (line === 'FAIL') failed++;
    else answers.set(line, (answers.get(line) ?? 0) + 1);
  }
  return { answers, failed, total: [...answers.values()].reduce((a, b) => a + b, 0) + failed };
}

/** Shows a tally in a failure message. */
export function showTally(t: Tally): string {
  return `${t.total} requests, ${t.failed} failed, answers ${JSON.stringify(Object.fromEntries(t.answers))}`;
}

/**
 * Sends `count` GETs to `url` from inside a pod with busybox wget (a new connection each), and tallies
 * the bodies (one line each: the answering pod's name).
 */
export async function requestsFromPod(
  node: NodeServer,
  ns: string,
  pod: string,
  url: string,
  count: number,
): Promise<Tally> {
  const script =
    `i=0; while [ $i -lt ${count} ]; do ` +
    `timeout 5 wget -q -O - '${url}' 2>/dev/null || echo FAIL; i=$((i+1)); done`;
  const r = await sh(node, ns, pod, script, 180_000);
  if (r.code !== 0) throw new Error(`request loop in ${ns}/${pod} exited ${r.code}: ${r.err}`);
  return tally(r.out.split('\n'));
}

/** One GET from the test process: status and body, or the error code (ECONNREFUSED, …). */
export function hostGet(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

/** Sends `count` GETs from the test process, `parallel` at a time, and tallies them (non-200 fails). */
export async function requestsFromHost(
  url: string,
  count: number,
  headers: Record<string, string> = {},
  parallel = 4,
): Promise<Tally> {
  const lines: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const r = await hostGet(url, headers);
      lines.push('status' in r && r.status === 200 ? r.body : 'FAIL');
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return tally(lines);
}

/** Waits until a GET from the test process answers 200 (rules programmed); returns the body. */
export async function waitHostAnswers(
  what: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const r = await pollUntil(
    what,
    () => hostGet(url, headers, 2000),
    (v) => 'status' in v && v.status === 200,
    { timeoutMs: WAIT_MS, intervalMs: 250 },
  );
  return 'body' in r ? r.body.trim() : '';
}

/** Waits until one wget from the pod answers (rules programmed); returns the body. */
export async function waitPodAnswers(
  node: NodeServer,
  ns: string,
  pod: string,
  url: string,
): Promise<string> {
  const r = await pollUntil(
    `${url} to answer from pod ${ns}/${pod}`,
    () => sh(node, ns, pod, `timeout 5 wget -q -O - '${url}'`, 20_000),
    (v) => v.code === 0,
    { timeoutMs: WAIT_MS, intervalMs: 500 },
  );
  return r.out.trim();
}

/** Applies objects and waits for the client pod (when among them) to be Ready. */
export async function applyAndWaitClient(node: NodeServer, ns: string, objects: object[]): Promise<void> {
  await apply(node, objects);
  if (objects.some((o) => (o as Pod).kind === 'Pod' && (o as Pod).metadata?.name === 'client'))
    await waitRunningReady(node, ns, 'client', WAIT_MS);
}

/** `kubectl rollout status` of a Deployment, bounded. */
export async function rolloutStatus(node: NodeServer, ns: string, name: string): Promise<string> {
  return kubectlOk(node, ['rollout', 'status', `deploy/${name}`, '-n', ns, '--timeout=120s'], {
    timeoutMs: 130_000,
  });
}

// --- a second node -----------------------------------------------------------------------------------

/** The link between the tier's namespace and a {@link PeerNode}'s: this side's address (/24). */
export const PEER_GATEWAY_IP = '10.250.1.1';

/** A second node: `k8ts agent` alone in a network namespace of its own, joined to the server node. */
export interface PeerNode {
  nodeName: string;
  /** Its address (InternalIP), on its side of the veth pair. */
  nodeIP: string;
  /** Its network namespace (`ip netns` name). */
  netns: string;
  /** The agent's process id (SIGSTOP/SIGCONT it to make the node slow or unresponsive). */
  pid: number;
  dataDir: string;
  cgroupRoot: string;
  /** Its kubelet API (`https://<nodeIP>:<port>`, from its Node's daemonEndpoints). */
  kubeletUrl: string;
  /** The CA of kubelet serving certificates (the cluster's server CA). */
  serverCaPem: string;
  /** A client certificate of the cluster's client CA (CN = name, O = groups). */
  clientCertificate(name: string, groups?: string[]): Promise<{ certPem: string; keyPem: string }>;
  /** What the agent printed (tail). */
  log(): string;
  /** `nft list table ip k8ts-proxy` in its namespace ('' when there is no table). */
  proxyRules(): Promise<string>;
  /**
   * SIGCONT (in case it was stopped), SIGTERM (SIGKILL after 20 s), deletes its Node, and removes its
   * namespace, cgroups and data dir. Throws naming what it left behind (after removing it).
   */
  stop(): Promise<void>;
}

/** Runs `ip ARGS…`; throws with its output on failure. */
function ipCmd(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A kubeconfig for `server` with a client certificate and key (PEM), trusting `caPem`. */
function kubeconfigText(server: string, caPem: string, certPem: string, keyPem: string): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: k8ts\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${b64(caPem)}`,
    'users:',
    `- name: node\n  user:\n    client-certificate-data: ${b64(certPem)}\n    client-key-data: ${b64(keyPem)}`,
    'contexts:',
    '- name: k8ts\n  context:\n    cluster: k8ts\n    user: node',
    'current-context: k8ts',
    '',
  ].join('\n');
}

/**
 * Forwards TCP from `listen` (host, port 0: any free one) to `target`; resolves with the port. The
 * server listens on 127.0.0.1 only; a node in another namespace reaches it through this.
 */
async function tcpForwarder(
  host: string,
  target: { host: string; port: number },
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a second node as `k8ts agent` (the built bin/k8ts.js) in a new network namespace joined to
 * the tier's by a veth pair (this side {@link PEER_GATEWAY_IP}/24, the node `10.250.1.2`/24, default
 * route back), with its own data dir, cgroup root and CNI bridge, credentials made from the server's
 * PKI as an operator would (a `system:node:<name>` certificate, a kubelet serving certificate for its
 * address), and the taint `k8ts.io/peer=true:NoSchedule` so that no test pod lands there. It runs the
 * service proxy (and DNS, Ingress) like any node. Resolves once its Node is Ready.
 */
export async function startPeerNode(server: NodeServer, name = 'peer'): Promise<PeerNode> {
  const ci = requireCiNetns();
  const nodeName = `${server.nodeName}-${name}`;
  const nodeIP = '10.250.1.2';
  const netns = `k8ts-${name}-${process.pid}`;
  const link = `k8ts-${name}${process.pid % 10000}`.slice(0, 15);
  const dataDir = path.join(ci.dir, `${nodeName}-data`);
  const cgroupRoot = `${ci.cgroup}/${nodeName}`;
  let forwarder: { port: number; close(): Promise<void> } | undefined;
  let child: ChildProcess | undefined;
  let out = '';
  let kubeletUrl = '';
  let serverCaPem = '';
  let clientCA: Awaited<ReturnType<typeof loadCertificateAuthority>> | undefined;
  const running = (): boolean => !!child && child.exitCode === null && child.signalCode === null;

  /** Stops everything started so far; returns what was left behind. */
  const teardown = async (): Promise<string[]> => {
    const problems: string[] = [];
    const c = child;
    if (c?.pid && running()) {
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      process.kill(c.pid, 'SIGCONT');
      process.kill(c.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (running() && c.pid) process.kill(c.pid, 'SIGKILL');
      }, 20_000);
      await exited;
      clearTimeout(timer);
      if (c.signalCode === 'SIGKILL') problems.push(`agent ${nodeName} did not stop on SIGTERM`);
    }
    // Its Node goes with it (other nodes would ask it until it turns NotReady).
    const res = await server.admin.request('DELETE', `/api/v1/nodes/${nodeName}`).catch(() => undefined);
    if (res && res.status !== 200 && res.status !== 404) problems.push(`delete node: HTTP ${res.status}`);
    const procs = processesOf(dataDir);
    if (procs.length) {
      problems.push(`processes left: ${procs.map((p) => `${p.pid} ${p.cmd.slice(0, 120)}`).join('; ')}`);
      for (const p of procs) spawnSync('kill', ['-KILL', String(p.pid)]);
    }
    const mounts = mountsUnder(dataDir);
    if (mounts.length) {
      problems.push(`mounts left: ${mounts.join(', ')}`);
      for (const mp of mounts) spawnSync('umount', ['-l', mp]);
    }
    const cgroups = cgroupsUnder(cgroupRoot).filter((d) => /\/pod[^/]*(\/|$)/.test(d));
    if (cgroups.length) problems.push(`pod cgroups left: ${cgroups.join(', ')}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    await forwarder?.close();
    spawnSync('ip', ['link', 'del', link]);
    spawnSync('ip', ['netns', 'del', netns]);
    return problems.map((p) => `node ${nodeName} leaked: ${p}`);
  };

  try {
    // The network: a namespace, a veth pair, addresses and the route back.
    spawnSync('ip', ['netns', 'del', netns]);
    ipCmd('netns', 'add', netns);
    ipCmd('link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    ipCmd('addr', 'add', `${PEER_GATEWAY_IP}/24`, 'dev', link);
    ipCmd('link', 'set', link, 'up');
    ipCmd('-n', netns, 'link', 'set', 'lo', 'up');
    ipCmd('-n', netns, 'addr', 'add', `${nodeIP}/24`, 'dev', 'eth0');
    ipCmd('-n', netns, 'link', 'set', 'eth0', 'up');
    ipCmd('-n', netns, 'route', 'add', 'default', 'via', PEER_GATEWAY_IP);

    // The API server, reached through the server node's address (a SAN of its serving certificate).
    forwarder = await tcpForwarder(server.nodeIP, { host: '127.0.0.1', port: server.port });

    // Credentials, from the cluster's CAs in the server's data dir.
    const p = clusterPkiPaths(server.dataDir);
    const serverCA = await loadCertificateAuthority(
      fs.readFileSync(p.serverCaCert, 'utf8'),
      fs.readFileSync(p.serverCaKey, 'utf8'),
    );
    serverCaPem = serverCA.certPem;
    clientCA = await loadCertificateAuthority(
      fs.readFileSync(p.clientCaCert, 'utf8'),
      fs.readFileSync(p.clientCaKey, 'utf8'),
    );
    const nodeCert = await issueClientCertificate(clientCA, {
      name: `system:node:${nodeName}`,
      groups: ['system:nodes'],
    });
    const serving = await issueKubeletServingCertificate(serverCA, {
      nodeName,
      addresses: [nodeIP, nodeName],
    });
    const credDir = path.join(dataDir, 'credentials');
    fs.mkdirSync(credDir, { recursive: true, mode: 0o700 });
    const files = {
      kubeconfig: path.join(credDir, 'kubelet.kubeconfig'),
      cert: path.join(credDir, 'kubelet.crt'),
      key: path.join(credDir, 'kubelet.key'),
      clientCa: path.join(credDir, 'client-ca.crt'),
    };
    const apiUrl = `https://${server.nodeIP}:${forwarder.port}`;
    fs.writeFileSync(
      files.kubeconfig,
      kubeconfigText(apiUrl, serverCA.certPem, nodeCert.certPem, nodeCert.keyPem),
      {
        mode: 0o600,
      },
    );
    fs.writeFileSync(files.cert, serving.certPem, { mode: 0o600 });
    fs.writeFileSync(files.key, serving.keyPem, { mode: 0o600 });
    fs.writeFileSync(files.clientCa, clientCA.certPem, { mode: 0o600 });

    // The agent, inside its namespace (nsenter execs it: the PID is the agent's).
    child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${netns}`,
        '--',
        process.execPath,
        path.join(REPO_ROOT, 'bin', 'k8ts.js'),
        'agent',
        '--kubeconfig',
        files.kubeconfig,
        '--data-dir',
        dataDir,
        '--node-name',
        nodeName,
        '--node-ip',
        nodeIP,
        '--cgroup-root',
        cgroupRoot,
        '--cni-bridge',
        `k8ts-br${name}`.slice(0, 15),
        '--kubelet-port',
        '0',
        '--node-taint',
        'k8ts.io/peer=true:NoSchedule',
        '--tls-cert-file',
        files.cert,
        '--tls-private-key-file',
        files.key,
        '--client-ca-file',
        files.clientCa,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'test' } },
    );
    const keep = (d: Buffer): void => {
      out += d.toString();
      if (out.length > 400_000) out = out.slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + WAIT_MS;
    while (!out.includes('k8ts agent is running')) {
      if (!running()) throw new Error(`k8ts agent ${nodeName} exited:\n${out.slice(-4000)}`);
      if (Date.now() > deadline)
        throw new Error(`k8ts agent ${nodeName} did not start:\n${out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ready = await pollUntil(
      `Node ${nodeName} to be Ready`,
      async () => {
        const res = await server.admin.request('GET', `/api/v1/nodes/${nodeName}`);
        return res.status === 200 ? jsonOf<Node>(res) : undefined;
      },
      (n) => nodeReady(n) === 'True',
      { timeoutMs: WAIT_MS, intervalMs: 250 },
    );
    kubeletUrl = `https://${nodeIP}:${ready?.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0}`;
  } catch (err) {
    const left = await teardown();
    throw new Error([(err as Error).message, ...left].join('\n'));
  }
  return {
    nodeName,
    nodeIP,
    netns,
    pid: child.pid ?? 0,
    kubeletUrl,
    serverCaPem,
    clientCertificate: async (name, groups = []) => {
      if (!clientCA) throw new Error('no client CA');
      const c = await issueClientCertificate(clientCA, { name, groups });
      return { certPem: c.certPem, keyPem: c.keyPem };
    },
    dataDir,
    cgroupRoot,
    log: () => out,
    proxyRules: () =>
      new Promise((resolve) => {
        execFile(
          'nsenter',
          [`--net=/run/netns/${netns}`, '--', 'nft', 'list', 'table', 'ip', 'k8ts-proxy'],
          { encoding: 'utf8', timeout: 10_000 },
          (err, stdout) => resolve(err ? '' : stdout),
        );
      }),
    stop: async () => {
      const problems = await teardown();
      if (problems.length) throw new Error(problems.join('\n'));
    },
  };
}

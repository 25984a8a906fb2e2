/**
 * Issue 5 item 5 across nodes: before a deleted pod gets SIGTERM, its kubelet waits until the pod's
 * address has left the data path of every node, the other nodes included, within a bounded budget.
 *
 * Node A is the tier's server node (its pods run here); node B is a second node, `k8ts agent` in a
 * network namespace of its own (see startPeerNode). There is no pod network between the nodes, but
 * B's proxy programs rules for A's pods, which is what the kubelet of A must wait for. The container
 * records when SIGTERM came (a trap touches a file on a hostPath: its mtime is the moment), and the
 * test watches B's nft table for the pod's address: SIGTERM must come after the last moment B still
 * routed to the pod. A second pod (web-0) stays ready throughout, so that the proxies have a ready
 * endpoint to send to instead.
 */
import fs from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/api.js';
import { apply, getPod, scratchDir, waitPod, waitRunningReady } from '../support/node.js';
import { pollUntil } from '../support/poll.js';
import { podOn, shContainer } from '../support/pods.js';
import {
  hostIngress,
  type NetNode,
  newNamespace,
  type PeerNode,
  service,
  startNetNode,
  startPeerNode,
  stopNetNode,
  WAIT_MS,
  waitEndpoints,
  WEB_PORT,
} from './support.js';

/** The kubelet's drain budget for a pod with a 30 s grace period (pod-sync.ts MAX_DRAIN_MS). */
const BUDGET_MS = 5000;

let net: NetNode;
let peer: PeerNode | undefined;
let ns: string;
let marks: string;

/** A web pod on node A whose SIGTERM trap touches `<marks>/<name>/term` and exits at once. */
function webPod(name: string): Pod {
  const dir = path.join(marks, name);
  fs.mkdirSync(dir, { recursive: true });
  const script = [
    'mkdir -p /www',
    'hostname > /www/index.html',
    'trap "touch /mark/term; exit 0" TERM',
    `httpd -f -p ${WEB_PORT} -h /www & wait $!`,
  ].join('; ');
  return podOn(
    net.node.nodeName,
    ns,
    name,
    [
      shContainer('web', script, {
        ports: [{ name: 'http', containerPort: WEB_PORT }],
        readinessProbe: {
          exec: { command: ['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${WEB_PORT}/`] },
          periodSeconds: 1,
        },
        volumeMounts: [{ name: 'mark', mountPath: '/mark' }],
      }),
    ],
    {
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: 'mark', hostPath: { path: dir, type: 'Directory' } }],
    },
    { app: 'web' },
  );
}

/** The address as a whole word of an nft listing. */
function mentions(rules: string, ip: string): boolean {
  return new RegExp(`(^|[^0-9.])${ip.replace(/\./g, '\\.')}([^0-9]|$)`).test(rules);
}

/** Watches B's nft table until the address is gone: when it was last seen there (listing start). */
function watchPeerRules(p: PeerNode, ip: string): Promise<{ lastSeenAt: number; goneAt: number }> {
  return (async () => {
    let lastSeenAt = 0;
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const started = Date.now();
      const rules = await p.proxyRules();
      if (!mentions(rules, ip)) return { lastSeenAt, goneAt: started };
      lastSeenAt = started;
      if (Date.now() > deadline) throw new Error(`${ip} stayed in ${p.nodeName}'s rules`);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
}

/** Waits until the peer's proxy rules route to `ip`. */
async function peerRoutes(p: PeerNode, ip: string): Promise<void> {
  await pollUntil(
    `${ip} in ${p.nodeName}'s proxy rules`,
    () => p.proxyRules(),
    (r) => mentions(r, ip),
    { timeoutMs: WAIT_MS, intervalMs: 100 },
  );
}

/**
 * Starts a web pod and waits until it is Ready, an endpoint beside web-0, and in B's rules; returns
 * its IP.
 */
async function readyWebPod(name: string): Promise<string> {
  await apply(net.node, [webPod(name)]);
  const pod = await waitRunningReady(net.node, ns, name, WAIT_MS);
  const ip = pod.status?.podIP ?? '';
  expect(ip).not.toBe('');
  await waitEndpoints(net.node, ns, 'web', 2);
  await peerRoutes(peer!, ip);
  return ip;
}

/** Deletes the pod; resolves with when the delete was sent and when its container got SIGTERM. */
async function deleteAndWaitTerm(
  name: string,
  during?: () => Promise<void>,
): Promise<{ deleted: number; term: number }> {
  const file = path.join(marks, name, 'term');
  const deleted = Date.now();
  const res = await net.node.admin.request('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`);
  expect(res.status).toBe(200);
  await during?.();
  await pollUntil(
    `SIGTERM in ${name} (${file})`,
    () => fs.existsSync(file),
    (x) => x,
    {
      timeoutMs: WAIT_MS,
      intervalMs: 10,
    },
  );
  const term = fs.statSync(file).mtimeMs;
  await waitPod(net.node, ns, name, `pod ${name} to be gone`, (p) => p === undefined, WAIT_MS);
  return { deleted, term };
}

/** GET on B's kubelet API with a client certificate. */
function kubeletGet(
  p: PeerNode,
  path: string,
  cert: { certPem: string; keyPem: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, p.kubeletUrl),
      { ca: p.serverCaPem, cert: cert.certPem, key: cert.keyPem, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

/** A's kubelet metrics, through the API server (nodes/proxy). */
async function drainCounts(): Promise<Record<string, number>> {
  const res = await net.node.admin.request('GET', `/api/v1/nodes/${net.node.nodeName}/proxy/metrics`);
  expect(res.status).toBe(200);
  const out: Record<string, number> = {};
  for (const m of res.body.matchAll(
    /^k8ts_kubelet_pod_drain_duration_seconds_count\{result="(\w+)"\} (\d+)/gm,
  ))
    out[m[1] ?? ''] = Number(m[2]);
  return out;
}

beforeAll(async () => {
  net = await startNetNode();
  ns = await newNamespace(net, 'peer-drain');
  marks = scratchDir('drain-marks');
  peer = await startPeerNode(net.node);
  // A pod that stays: with no other ready endpoint the proxies keep sending to a terminating one
  // (upstream's fallback), and the drain would rightly wait for the whole budget.
  // The Ingress puts the pods into every node's HAProxy too, which the drain also waits for.
  await apply(net.node, [service(ns, 'web'), hostIngress(ns, 'web', 'drain.example.com'), webPod('web-0')]);
  await waitRunningReady(net.node, ns, 'web-0', WAIT_MS);
});

afterAll(async () => {
  const problems: string[] = [];
  try {
    await peer?.stop();
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    await stopNetNode(net);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (marks) fs.rmSync(marks, { recursive: true, force: true });
  if (problems.length) throw new Error(problems.join('\n'));
});

describe('a deleted pod leaves the data path of every node before SIGTERM', () => {
  it('labels the nodes that run a service proxy', async () => {
    for (const name of [net.node.nodeName, peer!.nodeName]) {
      const res = await net.node.admin.request('GET', `/api/v1/nodes/${name}`);
      expect(jsonOf<Node>(res).metadata?.labels?.['k8ts.io/service-proxy'], name).toBe('nftables');
    }
  });

  it('answers other nodes on the kubelet API whether it routes to an address, others as nodes/proxy', async () => {
    const p = peer!;
    const ip = (await getPod(net.node, ns, 'web-0'))?.status?.podIP ?? '';
    await peerRoutes(p, ip);
    const node = await p.clientCertificate('system:node:elsewhere', ['system:nodes']);
    expect(await kubeletGet(p, `/k8ts/routes?ip=${ip}&waitMs=0`, node)).toEqual({
      status: 200,
      body: '{"routed":true}',
    });
    expect(await kubeletGet(p, '/k8ts/routes?ip=10.9.9.9&waitMs=0', node)).toEqual({
      status: 200,
      body: '{"routed":false}',
    });
    const jane = await p.clientCertificate('jane', ['dev']);
    expect(await kubeletGet(p, `/k8ts/routes?ip=${ip}`, jane)).toEqual({
      status: 403,
      body: 'Forbidden (user=jane, verb=get, resource=nodes, subresource=proxy)\n',
    });
  });

  it('waits for the other node, quickly when it follows at once', async () => {
    const ip = await readyWebPod('web-1');
    const watch = watchPeerRules(peer!, ip);
    const t = await deleteAndWaitTerm('web-1');
    const w = await watch;
    console.log(
      `drain with a healthy peer: SIGTERM ${Math.round(t.term - t.deleted)} ms after the delete, ` +
        `${Math.round(t.term - w.lastSeenAt)} ms after ${peer!.nodeName} last routed to the pod`,
    );
    expect(t.term).toBeGreaterThan(w.lastSeenAt);
    expect(t.term - t.deleted).toBeLessThan(BUDGET_MS / 2);
  });

  it('waits for a node that is late (stopped for 2.5 s), no longer than it needs', async () => {
    const ip = await readyWebPod('web-2');
    const p = peer!;
    const watch = watchPeerRules(p, ip);
    process.kill(p.pid, 'SIGSTOP');
    let resumed = false;
    try {
      const t = await deleteAndWaitTerm('web-2', async () => {
        await new Promise((r) => setTimeout(r, 2500));
        process.kill(p.pid, 'SIGCONT');
        resumed = true;
      });
      const w = await watch;
      console.log(
        `drain with a peer 2.5 s late: SIGTERM ${Math.round(t.term - t.deleted)} ms after the delete, ` +
          `${Math.round(t.term - w.lastSeenAt)} ms after ${p.nodeName} last routed to the pod`,
      );
      expect(w.lastSeenAt - t.deleted).toBeGreaterThanOrEqual(2400);
      expect(t.term).toBeGreaterThan(w.lastSeenAt);
      expect(t.term - t.deleted).toBeLessThan(BUDGET_MS);
    } finally {
      if (!resumed) process.kill(p.pid, 'SIGCONT');
    }
  });

  it('gives up on a node that does not answer at the end of the budget, and stops the pod', async () => {
    await readyWebPod('web-3');
    const p = peer!;
    const before = await drainCounts();
    process.kill(p.pid, 'SIGSTOP');
    try {
      const t = await deleteAndWaitTerm('web-3');
      console.log(`drain with a stopped peer: SIGTERM ${Math.round(t.term - t.deleted)} ms after the delete`);
      expect(t.term - t.deleted).toBeGreaterThanOrEqual(BUDGET_MS - 300);
      expect(t.term - t.deleted).toBeLessThan(BUDGET_MS + 4000);
      expect(await getPod(net.node, ns, 'web-3')).toBeUndefined();
    } finally {
      process.kill(p.pid, 'SIGCONT');
    }
    const after = await drainCounts();
    expect((after['timeout'] ?? 0) - (before['timeout'] ?? 0)).toBe(1);
    expect(after['drained'] ?? 0).toBeGreaterThanOrEqual(2);
  });
});

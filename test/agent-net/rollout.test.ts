/**
 * Issue 5 acceptance, rollouts that drop no request: a rolling update of a 3-replica Deployment whose
 * pods stop at once on SIGTERM (no preStop hook, no draining in the app) while a load generator on
 * the host sends requests through the Service's NodePort, then through an Ingress. Every request must
 * succeed: the kubelet waits until a terminating pod's endpoint has left the data path before it
 * sends SIGTERM. The figures (requests sent and failed) are printed for the record.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/api.js';
import { kubectlJson, kubectlOk } from '../support/kubectl.js';
import { apply } from '../support/node.js';
import { pollUntil } from '../support/poll.js';
import { BUSYBOX } from '../support/pods.js';
import {
  BUSYBOX_2,
  getService,
  hostGet,
  hostIngress,
  type NetNode,
  newNamespace,
  NODE_IP,
  rolloutStatus,
  service,
  startNetNode,
  stopNetNode,
  WAIT_MS,
  waitEndpoints,
  waitHostAnswers,
  waitWebPods,
  webDeployment,
} from './support.js';

const HOST = 'roll.example.com';

let net: NetNode;
let ns: string;
let nodePortUrl: string;

/** What a load generator saw. */
interface LoadReport {
  sent: number;
  failed: number;
  /** Failures by kind (`HTTP 503`, `ECONNRESET`, …). */
  kinds: Record<string, number>;
  /** The first failures, with their time since the start. */
  first: string[];
  /** Distinct pods that answered. */
  pods: number;
  ms: number;
}

/** Sends GETs (a new connection each) from `parallel` loops until stopped. */
function startLoad(
  url: string,
  headers: Record<string, string>,
  parallel = 4,
): { sent(): number; stop(): Promise<LoadReport> } {
  const start = Date.now();
  let stopping = false;
  let sent = 0;
  let failed = 0;
  const kinds: Record<string, number> = {};
  const first: string[] = [];
  const pods = new Set<string>();
  const loop = async (): Promise<void> => {
    while (!stopping) {
      const r = await hostGet(url, headers, 5000);
      sent++;
      if ('status' in r && r.status === 200) {
        pods.add(r.body.trim());
        continue;
      }
      failed++;
      const kind = 'status' in r ? `HTTP ${r.status}` : r.error;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      if (first.length < 20) first.push(`+${Date.now() - start} ms ${kind}`);
    }
  };
  const loops = Promise.all(Array.from({ length: parallel }, loop));
  return {
    sent: () => sent,
    stop: async () => {
      stopping = true;
      await loops;
      return { sent, failed, kinds, first, pods: pods.size, ms: Date.now() - start };
    },
  };
}

/** Every pod of the Deployment, terminating ones included. */
async function allPods(): Promise<Pod[]> {
  const res = await net.node.admin.request(
    'GET',
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('app=web')}`,
  );
  if (res.status !== 200) throw new Error(`list pods: HTTP ${res.status}`);
  return jsonOf<{ items: Pod[] }>(res).items;
}

/**
 * Rolls the Deployment to the other busybox tag under load on `url` and returns what the load saw.
 * The load runs from before the update until the last old pod is gone, and a little after.
 */
async function rollUnderLoad(url: string, headers: Record<string, string>): Promise<LoadReport> {
  const current = (await kubectlJson<Deployment>(net.node, ['get', 'deploy', 'web', '-n', ns])).spec?.template
    .spec?.containers[0]?.image;
  const image = current === BUSYBOX ? BUSYBOX_2 : BUSYBOX;
  await waitWebPods(net.node, ns, 'web', 3);
  const load = startLoad(url, headers);
  let report: LoadReport | undefined;
  try {
    await pollUntil(
      'the load to be flowing',
      () => load.sent(),
      (n) => n >= 50,
      {
        timeoutMs: WAIT_MS,
        intervalMs: 100,
      },
    );
    await kubectlOk(net.node, ['set', 'image', 'deploy/web', '-n', ns, `web=${image}`]);
    await rolloutStatus(net.node, ns, 'web');
    await pollUntil(
      `only the 3 new pods on ${image}, the old ones gone`,
      allPods,
      (ps) =>
        ps.length === 3 &&
        ps.every((p) => p.spec?.containers[0]?.image === image && !p.metadata?.deletionTimestamp),
      { timeoutMs: WAIT_MS, intervalMs: 250 },
    );
    const after = load.sent();
    await pollUntil(
      'more load after the rollout',
      () => load.sent(),
      (n) => n >= after + 50,
      {
        timeoutMs: WAIT_MS,
        intervalMs: 100,
      },
    );
  } finally {
    report = await load.stop();
    console.log(
      `rollout to ${image} under load on ${url} (Host ${headers['host'] ?? '-'}): ${JSON.stringify(report)}`,
    );
  }
  return report;
}

beforeAll(async () => {
  net = await startNetNode();
  ns = await newNamespace(net, 'roll');
  await apply(net.node, [
    webDeployment(ns, 'web', 3),
    service(ns, 'web', { type: 'NodePort' }),
    hostIngress(ns, 'web', HOST),
  ]);
  await waitWebPods(net.node, ns, 'web', 3);
  await waitEndpoints(net.node, ns, 'web', 3);
  const nodePort = (await getService(net.node, ns, 'web')).spec?.ports?.[0]?.nodePort ?? 0;
  nodePortUrl = `http://${NODE_IP}:${nodePort}/`;
  await waitHostAnswers(`the NodePort ${nodePortUrl} to answer`, nodePortUrl);
  await waitHostAnswers('the ingress to answer', `http://${NODE_IP}/`, { host: HOST });
});

afterAll(async () => {
  await stopNetNode(net);
});

describe('rolling updates under load, without a preStop hook', () => {
  it('drop no request through the NodePort', async () => {
    const r = await rollUnderLoad(nodePortUrl, {});
    expect(r.sent).toBeGreaterThan(100);
    expect(r.failed, JSON.stringify(r)).toBe(0);
  });

  it('drop no request through the Ingress', async () => {
    const r = await rollUnderLoad(`http://${NODE_IP}/`, { host: HOST });
    expect(r.sent).toBeGreaterThan(100);
    expect(r.failed, JSON.stringify(r)).toBe(0);
  });
});

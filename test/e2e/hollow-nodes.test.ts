/**
 * Hollow nodes end to end: `k8ts hollow-nodes` processes register 100 + 5 nodes across three zones,
 * their pods go Running with IPs from the nodes' pod CIDRs; when one process is stopped its nodes go
 * NotReady (Ready=Unknown), get the unreachable taints and lose their pods within the grace period
 * plus the toleration, and a Deployment's pods are replaced on the nodes of the other process, which
 * keeps its nodes and pods; started again, the nodes are
 * Ready, untainted, and the pods left terminating on them are finished. The server runs with short
 * knobs (grace 4 s, tolerations 2 s) to keep the test quick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHollowNodes, type HollowProcess } from '../support/hollow.js';
import { kubectlJson, kubectlOk } from '../support/kubectl.js';
import { create, createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

const GRACE_S = 4;
const TOLERATION_S = 2;
const REPLICAS = 10;

let server: TestServer;
const hollows: HollowProcess[] = [];

beforeAll(async () => {
  server = await startServer({
    args: [
      '--node-monitor-grace-period',
      `${GRACE_S}s`,
      '--default-not-ready-toleration-seconds',
      String(TOLERATION_S),
      '--default-unreachable-toleration-seconds',
      String(TOLERATION_S),
    ],
  });
});

afterAll(async () => {
  for (const h of hollows) await h.stop();
  await server?.stop();
});

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface NodeView {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { podCIDR?: string; taints?: { key: string; effect: string }[] };
  status?: { conditions?: Condition[] };
}
interface PodView {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; tolerations?: { key?: string; effect?: string; tolerationSeconds?: number }[] };
  status?: { phase?: string; podIP?: string; hostIP?: string; conditions?: Condition[] };
}
interface DeploymentView {
  status?: { availableReplicas?: number };
}
interface List<T> {
  items: T[];
}

const ready = (n: NodeView): string => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';

async function nodes(): Promise<NodeView[]> {
  return (await kubectlJson<List<NodeView>>(server, ['get', 'nodes'])).items;
}

async function pods(ns: string): Promise<PodView[]> {
  return (await kubectlJson<List<PodView>>(server, ['get', 'pods', '-n', ns])).items;
}

function hollow(count: number, prefix: string): Promise<HollowProcess> {
  return startHollowNodes(server, count, [
    '--name-prefix',
    prefix,
    '--zones',
    '3',
    '--lease-interval',
    '1s',
    '--status-interval',
    '20s',
  ]);
}

describe('hollow nodes', () => {
  it('run pods, and a stopped process has its nodes marked unreachable and its pods evicted', async () => {
    const a = await hollow(100, 'a-');
    hollows.push(a);
    const b = await hollow(5, 'b-');
    hollows.push(b);

    // kubectl get nodes: 105 Ready nodes, a-* spread over three zones.
    const table = await pollUntil(
      '105 Ready nodes in kubectl get nodes',
      () => kubectlOk(server, ['get', 'nodes', '--no-headers']),
      (out) =>
        out
          .trim()
          .split('\n')
          .filter((l) => / Ready /.test(l)).length === 105,
      { timeoutMs: 30_000 },
    );
    expect(table).toMatch(/^a-0\s+Ready\s+<none>\s+\S+\s+v1\.33\.0\+k8ts/m);
    const zones = new Map<string, number>();
    for (const n of await nodes())
      if (n.metadata.name.startsWith('a-')) {
        const z = n.metadata.labels?.['topology.kubernetes.io/zone'] ?? '';
        zones.set(z, (zones.get(z) ?? 0) + 1);
      }
    expect(Object.fromEntries(zones)).toEqual({ 'zone-a': 34, 'zone-b': 33, 'zone-c': 33 });

    // Pods bound to nodes of both processes (and one the scheduler places) go Running with IPs.
    const ns = await createNamespace(server, 'hollow');
    const pinned = ['a-0', 'a-1', 'a-2', 'a-3', 'b-0', 'b-1'];
    for (const node of pinned)
      await create(server, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `on-${node}`, namespace: ns },
        spec: { nodeName: node, containers: [{ name: 'app', image: 'k8ts.local/busybox:1.36' }] },
      });
    await create(server, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scheduled', namespace: ns },
      spec: { containers: [{ name: 'app', image: 'k8ts.local/busybox:1.36' }] },
    });
    const running = await pollUntil(
      'every pod Running with an IP',
      () => pods(ns),
      (ps) => ps.length === 7 && ps.every((p) => p.status?.phase === 'Running' && !!p.status.podIP),
      { timeoutMs: 30_000 },
    );
    const byNode = new Map((await nodes()).map((n) => [n.metadata.name, n]));
    for (const p of running) {
      const cidr = byNode.get(p.spec.nodeName ?? '')?.spec?.podCIDR ?? '';
      expect(cidr, `podCIDR of ${p.spec.nodeName}`).toMatch(/^10\.42\.\d+\.0\/24$/);
      expect(p.status?.podIP?.startsWith(cidr.replace(/0\/24$/, ''))).toBe(true);
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      // The DefaultTolerationSeconds admission plugin gave every pod the configured seconds.
      expect(p.spec.tolerations).toContainEqual({
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: TOLERATION_S,
      });
    }
    // A Deployment, placed by the scheduler (mostly on a-*: there are more of them).
    await create(server, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'k8ts.local/busybox:1.36' }] },
        },
      },
    });
    await pollUntil(
      `deployment web: ${REPLICAS} available`,
      () => kubectlJson<DeploymentView>(server, ['get', 'deployment', 'web', '-n', ns]),
      (d) => d.status?.availableReplicas === REPLICAS,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const wide = await kubectlOk(server, ['get', 'pods', '-n', ns, '-o', 'wide']);
    expect(wide).toMatch(/^on-a-0\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.\d+\.\d+\s+a-0\s/m);

    // Stop process a: its heartbeats stop.
    const killedAt = Date.now();
    await a.stop();
    const onA = (p: PodView): boolean => (p.spec.nodeName ?? '').startsWith('a-');
    const web = (p: PodView): boolean => p.metadata.labels?.['app'] === 'web';
    const evicted = await pollUntil(
      'the pods of a-* evicted',
      () => pods(ns),
      (ps) => ps.filter(onA).length > 0 && ps.filter(onA).every((p) => !!p.metadata.deletionTimestamp),
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    const failoverMs = Date.now() - killedAt;
    // Lease silent for the grace period (plus up to a renewal interval and a monitor pass), then the toleration.
    expect(failoverMs).toBeLessThan((GRACE_S + TOLERATION_S + 6) * 1000);
    // The Deployment's pods are replaced on the nodes still alive.
    await pollUntil(
      `deployment web: ${REPLICAS} pods Running on b-* nodes`,
      () => pods(ns),
      (ps) => {
        const live = ps.filter((p) => web(p) && !p.metadata.deletionTimestamp);
        return (
          live.length === REPLICAS &&
          live.every((p) => (p.spec.nodeName ?? '').startsWith('b-') && p.status?.phase === 'Running')
        );
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    const replacedMs = Date.now() - killedAt;
    process.stderr.write(
      `hollow-nodes e2e: pods of the stopped nodes evicted ${failoverMs} ms, replaced ${replacedMs} ms after the stop\n`,
    );
    expect(replacedMs).toBeLessThan((GRACE_S + TOLERATION_S + 8) * 1000);
    for (const p of evicted.filter(onA)) {
      expect(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
        status: 'True',
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
      });
      // Ready=False, or no Ready condition for a pod whose Running status was never posted (under
      // load the process may stop first); never Ready on an unreachable node.
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).not.toBe('True');
    }
    for (const p of evicted.filter((x) => !onA(x) && !web(x))) {
      expect(p.metadata.deletionTimestamp).toBeUndefined();
      expect(p.status?.phase).toBe('Running');
    }
    const after = await nodes();
    const a0 = after.find((n) => n.metadata.name === 'a-0');
    expect(a0?.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'MemoryPressure=Unknown',
      'DiskPressure=Unknown',
      'PIDPressure=Unknown',
      'Ready=Unknown',
    ]);
    expect(a0?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(a0?.spec?.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    expect(after.filter((n) => n.metadata.name.startsWith('b-')).every((n) => ready(n) === 'True')).toBe(
      true,
    );
    const table2 = await kubectlOk(server, ['get', 'nodes', '--no-headers']);
    expect(table2.split('\n').filter((l) => /^a-\d+\s+NotReady\s/.test(l))).toHaveLength(100);
    const events = await kubectlJson<List<{ reason: string; message: string }>>(server, [
      'get',
      'events',
      '-n',
      ns,
    ]);
    expect(events.items.map((e) => `${e.reason}: ${e.message}`)).toContain(
      `TaintManagerEviction: Marking for deletion Pod ${ns}/on-a-0`,
    );

    // Started again, the nodes are Ready and untainted, and the pods left terminating are finished.
    const again = await hollow(100, 'a-');
    hollows.push(again);
    await pollUntil(
      'a-* Ready without taints',
      () => nodes(),
      (ns2) =>
        ns2
          .filter((n) => n.metadata.name.startsWith('a-'))
          .every((n) => ready(n) === 'True' && !n.spec?.taints?.length),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await pollUntil(
      'the evicted pods gone',
      () => pods(ns),
      (ps) => ps.filter(onA).length === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });
});

/**
 * The scheduler on hollow nodes (`k8ts hollow-nodes`), as the acceptance asks: 100 nodes
 * across 3 zones; a Deployment's topology spread evens its pods over the zones, required
 * anti-affinity keeps replicas on different nodes, tainted nodes only get pods that tolerate them,
 * and the bin-packing profile fills nodes in order. Pods go Running on the hollow nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHollowNodes, type HollowProcess } from '../support/hollow.js';
import { uniqueName, type Obj } from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

const GROUP = 'e2e.k8ts.io/group';
const ZONE = 'topology.kubernetes.io/zone';

let server: TestServer;
const hollows: HollowProcess[] = [];
let group = '';
let ns = '';

beforeAll(async () => {
  server = await startServer();
  group = uniqueName('hz');
  ns = await createNamespace(server, group);
  hollows.push(
    await startHollowNodes(server, 100, [
      '--zones',
      '3',
      '--name-prefix',
      `${group}-`,
      '--labels',
      `${GROUP}=${group}`,
    ]),
    await startHollowNodes(server, 3, [
      '--name-prefix',
      `${group}-gpu-`,
      '--labels',
      `${GROUP}=${group}-gpu`,
      '--taints',
      'dedicated=gpu:NoSchedule',
    ]),
    await startHollowNodes(server, 4, [
      '--name-prefix',
      `${group}-pack-`,
      '--labels',
      `${GROUP}=${group}-pack`,
      '--cpu',
      '4',
    ]),
  );
});

afterAll(async () => {
  for (const h of hollows) await h.stop();
  await server?.stop();
});

interface PodView {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}
interface NodeView {
  metadata: { name: string; labels?: Record<string, string> };
}

function deployment(name: string, replicas: number, podSpec: Obj, labels: Record<string, string> = {}): Obj {
  const match = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: match },
      template: {
        metadata: { labels: { ...match, ...labels } },
        spec: {
          containers: [
            { name: 'app', image: 'k8ts.local/busybox:1.36', resources: { requests: { cpu: '100m' } } },
          ],
          ...podSpec,
        },
      },
    },
  };
}

/** Waits until `n` pods of app `name` are Running, and returns them. */
async function runningPods(name: string, n: number): Promise<PodView[]> {
  const list = await pollUntil(
    `${n} pods of ${name} Running`,
    () => getPath<{ items: PodView[] }>(server, `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${name}`),
    (l) => (l?.items ?? []).filter((p) => p.status?.phase === 'Running').length >= n,
    { timeoutMs: 60_000 },
  );
  return (list?.items ?? []).filter((p) => p.status?.phase === 'Running');
}

async function zoneOf(): Promise<Map<string, string>> {
  const nodes = await getPath<{ items: NodeView[] }>(server, '/api/v1/nodes');
  return new Map((nodes?.items ?? []).map((n) => [n.metadata.name, n.metadata.labels?.[ZONE] ?? '']));
}

describe('scheduler on 100 hollow nodes in 3 zones', () => {
  it('topology spread evens a Deployment over the zones', async () => {
    await create(
      server,
      deployment('spread', 30, {
        nodeSelector: { [GROUP]: group },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: ZONE,
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 'spread' } },
          },
        ],
      }),
    );
    const pods = await runningPods('spread', 30);
    const zones = await zoneOf();
    const perZone = new Map<string, number>();
    for (const p of pods) {
      const z = zones.get(p.spec?.nodeName ?? '') ?? '?';
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    expect([...perZone.values()].sort()).toEqual([10, 10, 10]);
  });

  it('required anti-affinity puts every replica on its own node', async () => {
    await create(
      server,
      deployment('anti', 8, {
        nodeSelector: { [GROUP]: group },
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { app: 'anti' } }, topologyKey: 'kubernetes.io/hostname' },
            ],
          },
        },
      }),
    );
    const pods = await runningPods('anti', 8);
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(8);
  });

  it('tainted nodes get only pods that tolerate the taint', async () => {
    const toGpu = { [GROUP]: `${group}-gpu` };
    await create(server, deployment('no-toleration', 2, { nodeSelector: toGpu }));
    await create(
      server,
      deployment('tolerant', 3, {
        nodeSelector: toGpu,
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      }),
    );
    const tolerant = await runningPods('tolerant', 3);
    expect(tolerant.every((p) => p.spec?.nodeName?.startsWith(`${group}-gpu-`))).toBe(true);
    const pending = await getPath<{ items: PodView[] }>(
      server,
      `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dno-toleration`,
    );
    expect(pending?.items.length).toBe(2);
    expect(pending?.items.every((p) => !p.spec?.nodeName)).toBe(true);
  });

  it('the bin-packing profile fills one node before the next', async () => {
    // 4 nodes of 4 CPUs; 1-CPU pods, one Deployment scaled up one pod at a time.
    const spec = {
      schedulerName: 'bin-packing-scheduler',
      nodeSelector: { [GROUP]: `${group}-pack` },
      containers: [{ name: 'app', image: 'k8ts.local/busybox:1.36', resources: { requests: { cpu: '1' } } }],
    };
    await create(server, deployment('pack', 1, spec));
    /** After each scale step: `node:pods` of the nodes in use. */
    const order: string[] = [];
    for (let n = 1; n <= 8; n++) {
      if (n > 1) {
        const res = await server.admin.request(
          'PATCH',
          `/apis/apps/v1/namespaces/${ns}/deployments/pack/scale`,
          { spec: { replicas: n } },
          { contentType: 'application/merge-patch+json' },
        );
        expect(res.status).toBe(200);
      }
      const pods = await runningPods('pack', n);
      const counts = new Map<string, number>();
      for (const p of pods) counts.set(p.spec?.nodeName ?? '', (counts.get(p.spec?.nodeName ?? '') ?? 0) + 1);
      order.push(
        [...counts.entries()]
          .map(([k, v]) => `${k}:${v}`)
          .sort()
          .join(','),
      );
    }
    // After 4 pods one node holds all four; after 8, two nodes hold four each.
    const final = (order[7] ?? '').split(',').map((e) => Number(e.split(':')[1]));
    const four = (order[3] ?? '').split(',').map((e) => Number(e.split(':')[1]));
    expect(four).toEqual([4]);
    expect(final).toEqual([4, 4]);
  });
});

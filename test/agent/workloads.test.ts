/**
 * Issue 4 acceptance for Deployments on real containers (one node, the scheduler places the pods):
 * a rolling update between two image tags with maxUnavailable=0 never has fewer than `replicas`
 * Ready pods (checked from a watch); `kubectl rollout undo` returns to the old ReplicaSet; a killed
 * container is restarted and a deleted pod replaced; scale up and down; the three cascading deletes
 * of Deployment → ReplicaSets → Pods; deleting a namespace empties it.
 */
import { spawnSync } from 'node:child_process';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFromKubeconfig } from '../../src/client/http.js';
import { PODS } from '../../src/client/resources.js';
import type { ApiObject, Client } from '../../src/client/types.js';
import { jsonOf } from '../support/api.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { apply, runningAndReady, startNodeServer, stopNodeServer, type NodeServer } from '../support/node.js';
import { createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { BUSYBOX, IDLE } from '../support/pods.js';

/** A second tag of the busybox test image (same content), so that a rollout changes the image. */
const BUSYBOX_2 = 'k8ts.local/busybox:2';
const ROLLOUT_MS = 90_000;

let node: NodeServer;
let client: Client;
const namespaces: string[] = [];

function deployment(
  ns: string,
  name: string,
  replicas: number,
  image = BUSYBOX,
  extra: Partial<NonNullable<Deployment['spec']>> = {},
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'app',
              image,
              command: ['sh', '-c', `touch /tmp/ready; ${IDLE}`],
              readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
            },
          ],
        },
      },
      ...extra,
    },
  };
}

async function podsOf(ns: string, selector: string): Promise<Pod[]> {
  const res = await node.admin.request(
    'GET',
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  return res.status === 200 ? jsonOf<{ items: Pod[] }>(res).items : [];
}

async function replicaSetsOf(ns: string, selector: string): Promise<ReplicaSet[]> {
  const res = await node.admin.request(
    'GET',
    `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=${encodeURIComponent(selector)}`,
  );
  return res.status === 200 ? jsonOf<{ items: ReplicaSet[] }>(res).items : [];
}

/** Waits for `n` live pods, all Running and Ready, of `selector` (and of `image` when given). */
async function waitReady(ns: string, selector: string, n: number, image?: string): Promise<Pod[]> {
  return pollUntil(
    `${n} ready pods ${selector}${image ? ` on ${image}` : ''} in ${ns}`,
    async () => (await podsOf(ns, selector)).filter((p) => !p.metadata?.deletionTimestamp),
    (pods) =>
      pods.length === n &&
      pods.every((p) => runningAndReady(p) && (!image || p.spec?.containers[0]?.image === image)),
    { timeoutMs: ROLLOUT_MS, intervalMs: 250 },
  );
}

async function rolloutStatus(ns: string, name: string): Promise<string> {
  return kubectlOk(node, ['rollout', 'status', `deploy/${name}`, '-n', ns, '--timeout=90s'], {
    timeoutMs: 100_000,
  });
}

/**
 * Follows the pods of `ns` from a watch: the fewest Ready and not terminating pods seen, and the most
 * pods not terminating.
 */
function watchReady(ns: string): {
  stop(): Promise<{ minReady: number; maxPods: number; removed: number }>;
  seen: string[];
} {
  const abort = new AbortController();
  const pods = new Map<string, Pod & ApiObject>();
  const seen: string[] = [];
  let min = Infinity;
  let max = 0;
  let listed = false;
  const removed = new Set<string>();
  const done = (async () => {
    const list = await client.resource<Pod & ApiObject>(PODS, ns).list();
    for (const p of list.items) pods.set(p.metadata.name ?? '', p);
    listed = true;
    const count = (): number =>
      [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && runningAndReady(p)).length;
    min = count();
    for await (const ev of client
      .resource<Pod & ApiObject>(PODS, ns)
      .watch({ resourceVersion: list.metadata.resourceVersion ?? '', signal: abort.signal })) {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
      const name = ev.object.metadata.name ?? '';
      if (ev.type === 'DELETED') pods.delete(name);
      else pods.set(name, ev.object);
      if (ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp) removed.add(name);
      const n = count();
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp).length;
      seen.push(`${ev.type} ${name} ready=${n} live=${live}`);
      min = Math.min(min, n);
      max = Math.max(max, live);
    }
  })();
  return {
    seen,
    stop: async () => {
      abort.abort();
      await done.catch(() => undefined);
      if (!listed) throw new Error('the pod watch never listed');
      return { minReady: min, maxPods: max, removed: removed.size };
    },
  };
}

async function newNamespace(name: string): Promise<string> {
  namespaces.push(await createNamespace(node, name));
  return name;
}

beforeAll(async () => {
  node = await startNodeServer();
  client = clientFromKubeconfig(node.kubeconfig);
  // The image under a second tag: `ctr images tag` in the node's containerd (CRI sees it at once).
  const r = spawnSync(
    'ctr',
    ['--address', node.containerdSocket, '--namespace', 'k8s.io', 'images', 'tag', BUSYBOX, BUSYBOX_2],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ctr images tag failed: ${r.stderr}`);
});

afterAll(async () => {
  // Deployments and ReplicaSets first (waiting until they are gone), so that no controller replaces
  // the pods the node's clean-up deletes.
  for (const ns of namespaces)
    await kubectlOk(node, ['delete', 'deploy,rs', '--all', '-n', ns, '--wait=true', '--timeout=60s'], {
      timeoutMs: 70_000,
    }).catch(() => undefined);
  client?.close();
  await stopNodeServer(node);
});

describe('Deployments on a real node', () => {
  it('rolls out a new image with maxUnavailable=0 never below replicas Ready, and undoes it', async () => {
    const ns = await newNamespace('rollout');
    await apply(node, [
      deployment(ns, 'web', 3, BUSYBOX, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    ]);
    await rolloutStatus(ns, 'web');
    const before = await waitReady(ns, 'app=web', 3, BUSYBOX);
    expect(before.every((p) => p.spec?.nodeName === node.nodeName)).toBe(true);
    const [oldRs] = await replicaSetsOf(ns, 'app=web');

    const watch = watchReady(ns);
    await kubectlOk(node, ['set', 'image', 'deploy/web', '-n', ns, `app=${BUSYBOX_2}`]);
    expect(await rolloutStatus(ns, 'web')).toContain('deployment "web" successfully rolled out');
    await waitReady(ns, 'app=web', 3, BUSYBOX_2);
    const { minReady, maxPods, removed } = await watch.stop();
    const story = `pods seen:\n${watch.seen.join('\n')}`;
    expect(removed, story).toBe(3); // the three old pods
    expect(minReady, story).toBeGreaterThanOrEqual(3);
    expect(maxPods, story).toBeLessThanOrEqual(4); // maxSurge 1
    expect(await replicaSetsOf(ns, 'app=web')).toHaveLength(2);

    await kubectlOk(node, ['rollout', 'undo', 'deploy/web', '-n', ns], { version: '1.33' });
    await rolloutStatus(ns, 'web');
    const after = await waitReady(ns, 'app=web', 3, BUSYBOX);
    const hash = oldRs?.metadata?.labels?.['pod-template-hash'];
    expect(after.every((p) => p.metadata?.labels?.['pod-template-hash'] === hash)).toBe(true);
    const rss = await replicaSetsOf(ns, 'app=web');
    expect(rss).toHaveLength(2);
    expect(
      rss.find((r) => r.metadata?.name === oldRs?.metadata?.name)?.metadata?.annotations?.[
        'deployment.kubernetes.io/revision'
      ],
    ).toBe('3');
  });

  it('restarts a killed container, replaces a deleted pod, and scales up and down', async () => {
    const ns = await newNamespace('heal');
    await apply(node, [deployment(ns, 'app', 2)]);
    const [victim, other] = await waitReady(ns, 'app=app', 2);
    if (!victim || !other) throw new Error('expected 2 pods');

    // Kill the container's main process: the kubelet restarts the container in place.
    // The exec'd `kill` itself may be SIGKILLed (137) when PID 1 dies and the kernel tears down the
    // container's PID namespace before `kill` exits; either way PID 1 got the signal.
    const killed = await kubectl(node, ['exec', '-n', ns, victim.metadata?.name ?? '', '--', 'kill', '1']);
    expect([0, 137], killed.stderr).toContain(killed.code);
    await pollUntil(
      'the killed container to be restarted and Ready',
      async () => (await podsOf(ns, 'app=app')).find((p) => p.metadata?.name === victim.metadata?.name),
      (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && runningAndReady(p),
      { timeoutMs: ROLLOUT_MS, intervalMs: 250 },
    );

    // Delete a pod: the ReplicaSet creates a replacement.
    await kubectlOk(node, ['delete', 'pod', '-n', ns, other.metadata?.name ?? '', '--wait=false']);
    const healed = await waitReady(ns, 'app=app', 2);
    expect(healed.map((p) => p.metadata?.name)).not.toContain(other.metadata?.name);

    await kubectlOk(node, ['scale', 'deploy/app', '-n', ns, '--replicas=4']);
    await waitReady(ns, 'app=app', 4);
    await kubectlOk(node, ['scale', 'deploy/app', '-n', ns, '--replicas=1']);
    await waitReady(ns, 'app=app', 1);
    const table = await kubectlOk(node, ['get', 'deploy', 'app', '-n', ns]);
    expect(table).toMatch(/app\s+1\/1\s+1\s+1\s/);
  });

  it('deletes Deployment → ReplicaSets → Pods in background, foreground and orphan mode', async () => {
    const ns = await newNamespace('cascade');
    await apply(node, [deployment(ns, 'bg', 2), deployment(ns, 'fg', 2), deployment(ns, 'or', 2)]);
    await Promise.all(['bg', 'fg', 'or'].map((n) => waitReady(ns, `app=${n}`, 2)));

    await kubectlOk(node, ['delete', 'deploy/bg', '-n', ns, '--cascade=background']);
    await pollUntil(
      'the background-deleted replica sets and pods to be gone',
      async () => [...(await replicaSetsOf(ns, 'app=bg')), ...(await podsOf(ns, 'app=bg'))],
      (l) => l.length === 0,
      { timeoutMs: ROLLOUT_MS, intervalMs: 250 },
    );

    // Foreground: the Deployment stays (with its finalizer) until its pods and ReplicaSets are gone.
    await kubectlOk(node, ['delete', 'deploy/fg', '-n', ns, '--cascade=foreground', '--wait=false']);
    const held = await getPath<Deployment>(node, `/apis/apps/v1/namespaces/${ns}/deployments/fg`);
    if (held) expect(held.metadata?.finalizers).toContain('foregroundDeletion');
    await pollUntil(
      'the foreground-deleted deployment to go after its dependents',
      async () => ({
        d: await getPath<Deployment>(node, `/apis/apps/v1/namespaces/${ns}/deployments/fg`),
        deps: (await replicaSetsOf(ns, 'app=fg')).length + (await podsOf(ns, 'app=fg')).length,
      }),
      (v) => v.d === undefined && v.deps === 0,
      { timeoutMs: ROLLOUT_MS, intervalMs: 250 },
    );

    await kubectlOk(node, ['delete', 'deploy/or', '-n', ns, '--cascade=orphan']);
    await pollUntil(
      'the orphaned replica set to lose its owner',
      () => replicaSetsOf(ns, 'app=or'),
      (l) => l.length === 1 && !l[0]?.metadata?.ownerReferences?.length,
      { timeoutMs: 30_000 },
    );
    const orphans = await waitReady(ns, 'app=or', 2);
    expect(orphans.every((p) => p.metadata?.ownerReferences?.[0]?.kind === 'ReplicaSet')).toBe(true);
    await kubectlOk(node, ['delete', 'rs', '-n', ns, '-l', 'app=or']);
    await pollUntil(
      "the orphans' pods to go with their replica set",
      () => podsOf(ns, 'app=or'),
      (l) => l.length === 0,
      {
        timeoutMs: ROLLOUT_MS,
        intervalMs: 250,
      },
    );
  });

  it('empties a namespace that is deleted', async () => {
    const ns = await createNamespace(node, 'doomed');
    await apply(node, [deployment(ns, 'web', 2)]);
    await waitReady(ns, 'app=web', 2);
    await kubectlOk(node, ['delete', 'namespace', ns, '--wait=false']);
    await pollUntil(
      'the namespace and everything in it to be gone',
      async () => ({
        ns: await getPath(node, `/api/v1/namespaces/${ns}`),
        pods: (await podsOf(ns, 'app=web')).length,
        rss: (await replicaSetsOf(ns, 'app=web')).length,
      }),
      (v) => v.ns === undefined && v.pods === 0 && v.rss === 0,
      { timeoutMs: ROLLOUT_MS, intervalMs: 500 },
    );
  });
});

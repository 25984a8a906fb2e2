/**
 * PodDisruptionBudgets, the eviction API and `kubectl drain|cordon|uncordon` with the real kubectl.
 * No node agent runs: the test creates Node objects and sets its pods Running and Ready through the
 * status subresource, which is all a budget counts. Pods have terminationGracePeriodSeconds 0, so an
 * eviction removes them at once (there is no kubelet to finish a graceful deletion).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/api.js';
import { kubectl, kubectlOk, kubectlStream } from '../support/kubectl.js';
import { uniqueName, writeFile, yamlStream, type Obj } from '../support/manifests.js';
import { create, createNamespace, getPath, mergePatch } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { parseTable, rowNamed } from '../support/table.js';

let server: TestServer;
let ns: string;
let node1: string;
let node2: string;

beforeAll(async () => {
  // Node lifecycle would treat these heartbeat-less nodes as lost and evict their pods.
  server = await startServer({
    args: ['--controllers', '*,-nodelifecycle,-taint-eviction-controller,-podgc'],
  });
  ns = await createNamespace(server, uniqueName('drain'));
  node1 = `${ns}-n1`;
  node2 = `${ns}-n2`;
  for (const name of [node1, node2]) {
    await create(server, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    });
    await mergePatch(server, `/api/v1/nodes/${name}/status`, {
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test node' }],
      },
    });
  }
});

afterAll(async () => {
  await server?.stop();
});

/** A Running, Ready pod labelled app=web on `node`. */
async function readyPod(name: string, node: string, extra: Obj = {}): Promise<void> {
  await create(server, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'web' } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'k8ts.local/busybox:1.36' }],
      ...extra,
    },
  });
  await mergePatch(server, `/api/v1/namespaces/${ns}/pods/${name}/status`, {
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    },
  });
}

async function pdbStatus(name: string): Promise<Record<string, unknown>> {
  const pdb = await getPath(server, `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${name}`);
  return (pdb?.['status'] ?? {}) as Record<string, unknown>;
}

function evict(name: string) {
  return server.admin.request('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace: ns },
  });
}

async function podNames(): Promise<string[]> {
  const out = await kubectlOk(server, ['get', 'pods', '-n', ns, '-o', 'name']);
  return out.split('\n').filter(Boolean).sort();
}

describe('PodDisruptionBudget and eviction', () => {
  it('shows budget status in kubectl get pdb and refuses an eviction that would break it (429)', async () => {
    for (const p of ['a', 'b', 'c']) await readyPod(p, node1);
    const manifest = writeFile(
      server,
      'pdb.yaml',
      yamlStream([
        {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'web', namespace: ns },
          spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
        },
      ]),
    );
    await kubectlOk(server, ['apply', '-f', manifest]);
    const table = await pollUntil(
      'kubectl get pdb to show one allowed disruption',
      () => kubectlOk(server, ['get', 'pdb', '-n', ns]),
      (out) => rowNamed(out, 'web')?.['ALLOWED DISRUPTIONS'] === '1',
    );
    expect(parseTable(table).header).toEqual([
      'NAME',
      'MIN AVAILABLE',
      'MAX UNAVAILABLE',
      'ALLOWED DISRUPTIONS',
      'AGE',
    ]);
    expect(rowNamed(table, 'web')).toMatchObject({ 'MIN AVAILABLE': '2', 'MAX UNAVAILABLE': 'N/A' });
    expect(await pdbStatus('web')).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }],
    });

    const described = await kubectlOk(server, ['describe', 'pdb', 'web', '-n', ns]);
    expect(described).toMatch(/Min available:\s+2/);
    expect(described).toMatch(/Allowed disruptions:\s+1\n\s+Current:\s+3\n\s+Desired:\s+2\n\s+Total:\s+3/);

    const first = await evict('a');
    expect(first.status).toBe(201);
    expect(await podNames()).toEqual(['pod/b', 'pod/c']);
    // The eviction spent the budget and recorded the pod until the controller sees it gone.
    const spent = await pdbStatus('web');
    expect(spent['disruptionsAllowed']).toBe(0);

    const refused = await evict('b');
    expect(refused.status).toBe(429);
    expect(jsonOf(refused)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      code: 429,
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: 'The disruption budget web needs 2 healthy pods and has 2 currently',
          },
        ],
      },
    });
    expect(await podNames()).toEqual(['pod/b', 'pod/c']);
    await pollUntil(
      'the controller to settle the budget',
      () => pdbStatus('web'),
      (s) => s['currentHealthy'] === 2 && s['disruptedPods'] === undefined,
    );
  });

  it('kubectl drain cordons the node, blocks while the budget allows nothing, then finishes', async () => {
    const drain = kubectlStream(server, [
      'drain',
      node1,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      // The test's pods have no controller.
      '--force',
      '--timeout=100s',
    ]);
    try {
      await drain.waitFor(new RegExp(`node/${node1} cordoned`));
      await drain.waitForStderr(
        /error when evicting pods\/"[bc]" -n "[^"]+" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./,
        30_000,
      );
      const nodes = await kubectlOk(server, ['get', 'node', node1]);
      expect(rowNamed(nodes, node1)?.['STATUS']).toBe('Ready,SchedulingDisabled');
      expect(await podNames()).toEqual(['pod/b', 'pod/c']);

      // Replacements come up on the other node: the budget can spare the drained node's pods.
      await readyPod('d', node2);
      await readyPod('e', node2);
      const code = await drain.exited;
      expect(code, `drain output: ${drain.stdout()} ${drain.stderr()}`).toBe(0);
      expect(drain.stdout()).toContain(`node/${node1} drained`);
      expect(drain.stdout()).toMatch(/pod\/b evicted/);
      expect(drain.stdout()).toMatch(/pod\/c evicted/);
    } finally {
      await drain.kill();
    }
    expect(await podNames()).toEqual(['pod/d', 'pod/e']);
  });

  it('kubectl uncordon and cordon flip spec.unschedulable', async () => {
    expect(await kubectlOk(server, ['uncordon', node1])).toContain(`node/${node1} uncordoned`);
    const node = await getPath(server, `/api/v1/nodes/${node1}`);
    expect((node?.['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable).toBeFalsy();
    expect(rowNamed(await kubectlOk(server, ['get', 'node', node1]), node1)?.['STATUS']).toBe('Ready');
    expect(await kubectlOk(server, ['cordon', node2])).toContain(`node/${node2} cordoned`);
    expect(rowNamed(await kubectlOk(server, ['get', 'node', node2]), node2)?.['STATUS']).toBe(
      'Ready,SchedulingDisabled',
    );
    const again = await kubectl(server, ['cordon', node2]);
    expect(again.stdout).toContain(`node/${node2} already cordoned`);
  });
});

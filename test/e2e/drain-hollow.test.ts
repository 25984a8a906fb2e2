/**
 * `kubectl drain` on hollow nodes with the whole control plane at work: a Deployment spread over
 * three hollow nodes, a PodDisruptionBudget counted from the Deployment's scale, the scheduler
 * placing replacements on the nodes still schedulable. The drain blocks while the budget allows no
 * disruption, then, once it allows one, evicts the node's pods one at a time (each waits for the
 * replacement of the last to be Ready) and finishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHollowNodes, type HollowProcess } from '../support/hollow.js';
import { kubectlJson, kubectlOk, kubectlStream } from '../support/kubectl.js';
import { uniqueName, writeFile, yamlStream, type Obj } from '../support/manifests.js';
import { createNamespace, mergePatch } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
let hollow: HollowProcess | undefined;
let ns: string;
let prefix: string;

beforeAll(async () => {
  server = await startServer();
  ns = await createNamespace(server, uniqueName('hdrain'));
  prefix = `${ns}-`;
  hollow = await startHollowNodes(server, 3, ['--name-prefix', prefix, '--lease-interval', '1s']);
});

afterAll(async () => {
  await hollow?.stop();
  await server?.stop();
});

interface PodView {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

async function pods(): Promise<PodView[]> {
  return (await kubectlJson<{ items: PodView[] }>(server, ['get', 'pods', '-n', ns, '-l', 'app=web'])).items;
}

const ready = (p: PodView): boolean =>
  !p.metadata.deletionTimestamp &&
  !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('kubectl drain on hollow nodes', () => {
  it('blocks while the budget allows nothing, then drains one pod at a time', async () => {
    const objects: Obj[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          replicas: 6,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 1,
              containers: [{ name: 'app', image: 'k8ts.local/busybox:1.36' }],
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: { matchLabels: { app: 'web' } },
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'web', namespace: ns },
        spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } },
      },
    ];
    await kubectlOk(server, ['apply', '-f', writeFile(server, 'web.yaml', yamlStream(objects))]);
    const placed = await pollUntil(
      'six Ready replicas',
      () => pods(),
      (ps) => ps.length === 6 && ps.every(ready),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const target = placed[0]?.spec.nodeName ?? '';
    const onTarget = placed.filter((p) => p.spec.nodeName === target).map((p) => p.metadata.name);
    expect(onTarget.length).toBeGreaterThan(0);
    await pollUntil(
      'the budget counted from the Deployment',
      () => kubectlJson<{ status?: Record<string, unknown> }>(server, ['get', 'pdb', 'web', '-n', ns]),
      (pdb) => pdb.status?.['expectedPods'] === 6 && pdb.status['currentHealthy'] === 6,
    );

    const drain = kubectlStream(server, [
      'drain',
      target,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=120s',
    ]);
    try {
      await drain.waitForStderr(/Cannot evict pod as it would violate the pod's disruption budget\./, 30_000);
      expect((await pods()).filter(ready)).toHaveLength(6);

      // Allow one disruption at a time: the drain goes on, never below five Ready replicas.
      await mergePatch(server, `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/web`, {
        spec: { maxUnavailable: 1 },
      });
      let fewest = 6;
      while (drain.child.exitCode === null && drain.child.signalCode === null) {
        const alive = (await pods()).filter(ready).length;
        fewest = Math.min(fewest, alive);
        await Promise.race([drain.exited, new Promise((r) => setTimeout(r, 100))]);
      }
      expect(await drain.exited, `${drain.stdout()}\n${drain.stderr()}`).toBe(0);
      expect(drain.stdout()).toContain(`node/${target} drained`);
      for (const name of onTarget) expect(drain.stdout()).toContain(`pod/${name} evicted`);
      expect(fewest).toBeGreaterThanOrEqual(5);
    } finally {
      await drain.kill();
    }
    const after = await pollUntil(
      'six Ready replicas off the drained node',
      () => pods(),
      (ps) => ps.filter(ready).length === 6,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(after.filter(ready).every((p) => p.spec.nodeName !== target)).toBe(true);
  });
});

/**
 * Issue 4 acceptance on real containers, one node: a StatefulSet creates web-0, web-1 and web-2 in
 * order (each once its predecessor is Ready) and, scaled to zero, deletes them in reverse order, each
 * after the one above it is gone — both checked from a watch; a DaemonSet runs its pod on the node
 * (placed there by the scheduler through the node affinity the controller sets).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFromKubeconfig } from '../../src/client/http.js';
import { PODS } from '../../src/client/resources.js';
import type { ApiObject, Client } from '../../src/client/types.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { apply, startNodeServer, stopNodeServer, type NodeServer } from '../support/node.js';
import { createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { IDLE, shContainer } from '../support/pods.js';
import { rowNamed } from '../support/table.js';

const NS = 'stateful';
let node: NodeServer;
let client: Client;
const abort = new AbortController();
/** What the watch saw, in order: `create web-0`, `ready web-0`, `delete web-2`, `gone web-2`. */
const seen: string[] = [];

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Records the life of the StatefulSet's pods from one watch. */
async function watchPods(): Promise<void> {
  const ready = new Set<string>();
  const deleting = new Set<string>();
  for await (const ev of client
    .resource<Pod & ApiObject>(PODS, NS)
    .watch({ signal: abort.signal, labelSelector: 'app=web' })) {
    const p = ev.object;
    const name = p.metadata.name ?? '';
    if (ev.type === 'ADDED') seen.push(`create ${name}`);
    if (ev.type === 'DELETED') {
      seen.push(`gone ${name}`);
      ready.delete(name);
      deleting.delete(name);
      continue;
    }
    if (isReady(p) && !ready.has(name)) {
      ready.add(name);
      seen.push(`ready ${name}`);
    }
    if (p.metadata.deletionTimestamp && !deleting.has(name)) {
      deleting.add(name);
      seen.push(`delete ${name}`);
    }
  }
}

beforeAll(async () => {
  node = await startNodeServer();
  await createNamespace(node, NS);
  client = clientFromKubeconfig(node.kubeconfig);
});

afterAll(async () => {
  abort.abort();
  // Controllers would bring back the pods that stopping the node deletes.
  if (node) await kubectl(node, ['delete', 'sts,ds', '--all', '-n', NS, '--wait=false']);
  client?.close();
  await stopNodeServer(node);
});

describe('StatefulSet on a real node', () => {
  it('creates web-0, web-1, web-2 in order and deletes them in reverse', async () => {
    const watching = watchPods().catch((err: unknown) => {
      if (!abort.signal.aborted) throw err;
    });
    await apply(node, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: NS },
        spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: NS },
        spec: {
          serviceName: 'web',
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 5,
              containers: [
                shContainer('web', `hostname > /tmp/name; ${IDLE}`, {
                  readinessProbe: { exec: { command: ['cat', '/tmp/name'] }, periodSeconds: 1 },
                }),
              ],
            },
          },
        },
      },
    ]);
    await pollUntil(
      'the StatefulSet READY 3/3',
      () => kubectlOk(node, ['get', 'sts', 'web', '-n', NS]),
      (out) => rowNamed(out, 'web')?.['READY'] === '3/3',
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const creates = seen.filter((e) => e.startsWith('create '));
    expect(creates).toEqual(['create web-0', 'create web-1', 'create web-2']);
    for (const [prev, next] of [
      ['web-0', 'web-1'],
      ['web-1', 'web-2'],
    ])
      expect(seen.indexOf(`ready ${prev}`)).toBeLessThan(seen.indexOf(`create ${next}`));

    const hostname = await kubectlOk(node, ['exec', '-n', NS, 'web-1', '--', 'cat', '/tmp/name']);
    expect(hostname.trim()).toBe('web-1');
    const pods = await client.resource<Pod & ApiObject>(PODS, NS).list({ labelSelector: 'app=web' });
    expect(pods.items.map((p) => p.spec?.nodeName)).toEqual([node.nodeName, node.nodeName, node.nodeName]);

    const before = seen.length;
    await kubectlOk(node, ['scale', 'sts/web', '-n', NS, '--replicas=0']);
    await pollUntil(
      'every pod gone',
      () => seen.filter((e) => e.startsWith('gone ')).length,
      (n) => n === 3,
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const teardown = seen.slice(before).filter((e) => e.startsWith('delete ') || e.startsWith('gone '));
    expect(teardown).toEqual([
      'delete web-2',
      'gone web-2',
      'delete web-1',
      'gone web-1',
      'delete web-0',
      'gone web-0',
    ]);
    abort.abort();
    await watching;
  });
});

describe('DaemonSet on a real node', () => {
  it('runs its pod on the node', async () => {
    await apply(node, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: NS },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { terminationGracePeriodSeconds: 5, containers: [shContainer('agent', IDLE)] },
          },
        },
      },
    ]);
    const table = await pollUntil(
      'the DaemonSet available on the node',
      () => kubectlOk(node, ['get', 'ds', 'agent', '-n', NS]),
      (out) => rowNamed(out, 'agent')?.['AVAILABLE'] === '1',
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(rowNamed(table, 'agent')).toMatchObject({
      DESIRED: '1',
      CURRENT: '1',
      READY: '1',
      'UP-TO-DATE': '1',
    });
    const pods = await client.resource<Pod & ApiObject>(PODS, NS).list({ labelSelector: 'app=agent' });
    expect(pods.items).toHaveLength(1);
    const pod = pods.items[0] as Pod & ApiObject;
    expect(pod.spec?.nodeName).toBe(node.nodeName);
    expect(pod.status?.phase).toBe('Running');
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'agent',
      controller: true,
    });
  });
});

/**
 * The scheduler end to end: Node objects created through the API (no agent), pods created with
 * kubectl get bound to nodes that fit; a pod that fits nowhere gets a FailedScheduling event with
 * upstream's wording, shown by `kubectl describe pod`, and is scheduled once a node appears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from '../support/kubectl.js';
import { uniqueName, writeFile } from '../support/manifests.js';
import { create, createNamespace, getPath } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

interface PodView {
  spec?: { nodeName?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

function node(
  name: string,
  cpu: string,
  extra: { labels?: Record<string, string>; taints?: unknown[] } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
    spec: extra.taints ? { taints: extra.taints } : {},
    status: {
      capacity: { cpu, memory: '8Gi', pods: '110' },
      allocatable: { cpu, memory: '8Gi', pods: '110' },
    },
  };
}

function pod(ns: string, name: string, cpu: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      containers: [{ name: 'c', image: 'k8ts.local/test:1', resources: { requests: { cpu } } }],
      ...spec,
    },
  };
}

async function boundNode(ns: string, name: string): Promise<string> {
  const p = await pollUntil(
    `pod ${ns}/${name} bound`,
    () => getPath<PodView>(server, `/api/v1/namespaces/${ns}/pods/${name}`),
    (v) => !!v?.spec?.nodeName,
  );
  return p?.spec?.nodeName ?? '';
}

describe('scheduler', () => {
  it('binds pods to fitting nodes and explains pods that fit nowhere', async () => {
    const prefix = uniqueName('sch');
    const cp = `${prefix}-cp`;
    const small = `${prefix}-small`;
    await create(
      server,
      node(cp, '8', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
    );
    await create(server, node(small, '1'));
    const ns = await createNamespace(server, prefix);

    const manifest = writeFile(server, `${prefix}-web.json`, JSON.stringify(pod(ns, 'web', '500m')));
    await kubectlOk(server, ['apply', '-f', manifest]);
    expect(await boundNode(ns, 'web')).toBe(small);
    const events = await pollUntil(
      'Scheduled event',
      () =>
        kubectlOk(server, ['get', 'events', '-n', ns, '--field-selector', 'reason=Scheduled', '-o', 'json']),
      (out) => out.includes('Successfully assigned'),
    );
    expect(events).toContain(`Successfully assigned ${ns}/web to ${small}`);

    await create(server, pod(ns, 'big', '2'));
    const described = await pollUntil(
      'FailedScheduling in kubectl describe',
      () => kubectlOk(server, ['describe', 'pod', '-n', ns, 'big']),
      (out) => out.includes('FailedScheduling'),
    );
    // Other tests' nodes may exist: check the parts this test controls.
    expect(described).toMatch(/nodes are available: .*1 Insufficient cpu/);
    expect(described).toContain('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
    expect(described).toMatch(/default-scheduler/);
    const pending = await getPath<PodView>(server, `/api/v1/namespaces/${ns}/pods/big`);
    const cond = pending?.status?.conditions?.find((c) => c.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(cond?.message).toMatch(/^0\/\d+ nodes are available: /);

    const roomy = `${prefix}-roomy`;
    await create(server, node(roomy, '4'));
    expect(await boundNode(ns, 'big')).toBe(roomy);
  });
});

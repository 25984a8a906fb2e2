/**
 * StatefulSets and DaemonSets end to end without containers: the server's controllers create the
 * pods, the test plays the kubelet (it sets pod status through the API and finishes deletions) and
 * creates the Node objects, and the real kubectl checks `get` columns and `rollout
 * status|history|undo|restart`, which read ControllerRevisions and apply their data as a patch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlJson, kubectlOk } from '../support/kubectl.js';
import { uniqueName, writeFile, yamlStream, type Obj } from '../support/manifests.js';
import { create, createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { rowNamed } from '../support/table.js';

interface PodLike {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: {
    containers: { image: string }[];
    hostname?: string;
    subdomain?: string;
    nodeName?: string;
    affinity?: unknown;
  };
  status?: { phase?: string };
}

let server: TestServer;

beforeAll(async () => {
  // The node lifecycle controller would taint the test's heartbeat-less Node objects.
  server = await startServer({ args: ['--controllers', '*,-nodelifecycle'] });
});

afterAll(async () => {
  await server?.stop();
});

async function podsOf(ns: string, selector: string): Promise<PodLike[]> {
  const list = await kubectlJson<{ items: PodLike[] }>(server, ['get', 'pods', '-n', ns, '-l', selector]);
  return list.items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name, 'en', { numeric: true }));
}

/**
 * Plays the kubelet for the pods of `ns`: Pending pods become Running and Ready, and deletions are
 * finished (a bound pod waits for its kubelet, and there is none).
 */
async function kubelet(ns: string): Promise<void> {
  const list = await server.admin.getJson<{ items: PodLike[] }>(`/api/v1/namespaces/${ns}/pods`);
  for (const p of list.items) {
    const path = `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`;
    if (p.metadata.deletionTimestamp) {
      await server.admin.request('DELETE', path, { gracePeriodSeconds: 0 });
    } else if (p.status?.phase === 'Pending') {
      const now = new Date().toISOString().slice(0, 19) + 'Z';
      await server.admin.request(
        'PATCH',
        `${path}/status`,
        {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
          },
        },
        { contentType: 'application/merge-patch+json' },
      );
    }
  }
}

/** Polls (playing the kubelet each time) until `check` holds. */
async function settle<T>(
  ns: string,
  what: string,
  probe: () => Promise<T>,
  check: (v: T) => boolean,
): Promise<T> {
  return pollUntil(
    what,
    async () => {
      await kubelet(ns);
      return probe();
    },
    check,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

function statefulSet(ns: string, name: string, replicas: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns },
    spec: {
      serviceName: name,
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'k8ts.local/web:1' }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  };
}

describe('StatefulSet', () => {
  it('creates pods in order, each after the previous is Ready, with stable identities and claims', async () => {
    const ns = await createNamespace(server, uniqueName('sts'));
    await kubectlOk(server, [
      'apply',
      '-f',
      writeFile(server, `${ns}.yaml`, yamlStream([statefulSet(ns, 'web', 3)])),
    ]);
    const names = async (): Promise<string[]> => (await podsOf(ns, 'app=web')).map((p) => p.metadata.name);
    for (let i = 0; i < 3; i++) {
      const seen = await pollUntil(`web-${i}`, names, (n) => n.includes(`web-${i}`));
      // Its successor waits until it is Ready.
      expect(seen).toEqual(Array.from({ length: i + 1 }, (_, k) => `web-${k}`));
      await kubelet(ns);
    }
    const pods = await podsOf(ns, 'app=web');
    const web1 = pods[1] as PodLike;
    expect(web1.spec.hostname).toBe('web-1');
    expect(web1.spec.subdomain).toBe('web');
    expect(web1.metadata.labels).toMatchObject({
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    const claims = await kubectlOk(server, ['get', 'pvc', '-n', ns, '-o', 'name']);
    expect(claims.trim().split('\n')).toEqual([
      'persistentvolumeclaim/data-web-0',
      'persistentvolumeclaim/data-web-1',
      'persistentvolumeclaim/data-web-2',
    ]);

    await settle(
      ns,
      'READY 3/3',
      () => kubectlOk(server, ['get', 'sts', '-n', ns]),
      (out) => rowNamed(out, 'web')?.['READY'] === '3/3',
    );
    const wide = rowNamed(await kubectlOk(server, ['get', 'sts', 'web', '-n', ns, '-o', 'wide']), 'web');
    expect(wide).toMatchObject({ READY: '3/3', CONTAINERS: 'web', IMAGES: 'k8ts.local/web:1' });
    expect(await kubectlOk(server, ['rollout', 'status', 'sts/web', '-n', ns, '--timeout=20s'])).toContain(
      'partitioned roll out complete: 3 new pods have been updated...',
    );
    const events = await kubectlOk(server, [
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'reason=SuccessfulCreate',
    ]);
    expect(events).toContain('create Pod web-0 in StatefulSet web successful');
    expect(events).toContain('create Claim data-web-0 Pod web-0 in StatefulSet web success');

    // Scale down: from the highest ordinal.
    const deleted: string[] = [];
    await kubectlOk(server, ['scale', 'sts/web', '-n', ns, '--replicas=1']);
    await settle(
      ns,
      'scale down to web-0',
      async () => {
        const now = await names();
        for (const n of ['web-2', 'web-1']) if (!now.includes(n) && !deleted.includes(n)) deleted.push(n);
        return now;
      },
      (n) => n.length === 1,
    );
    expect(deleted).toEqual(['web-2', 'web-1']);
  });

  it('rolls out, lists and undoes revisions with kubectl rollout', async () => {
    const ns = await createNamespace(server, uniqueName('sts-roll'));
    await create(server, {
      ...statefulSet(ns, 'db', 2),
      spec: { ...(statefulSet(ns, 'db', 2)['spec'] as Obj), volumeClaimTemplates: [] },
    });
    const images = async (): Promise<string[]> =>
      (await podsOf(ns, 'app=db')).map((p) => p.spec.containers[0]?.image ?? '');
    const rolledTo = (image: string) => (v: string[]) => v.length === 2 && v.every((i) => i === image);
    await settle(ns, 'two pods at v1', images, rolledTo('k8ts.local/web:1'));

    await kubectlOk(server, ['set', 'image', 'sts/db', '-n', ns, 'web=k8ts.local/web:2']);
    await settle(ns, 'two pods at v2', images, rolledTo('k8ts.local/web:2'));
    await settle(
      ns,
      'rollout complete',
      () => kubectl(server, ['rollout', 'status', 'sts/db', '-n', ns, '--watch=false']),
      (r) => r.stdout.includes('partitioned roll out complete: 2 new pods'),
    );
    const history = await kubectlOk(server, ['rollout', 'history', 'sts/db', '-n', ns]);
    expect(history.replace(/ +\n/g, '\n')).toBe(
      'statefulset.apps/db\nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
    );
    expect(await kubectlOk(server, ['rollout', 'history', 'sts/db', '-n', ns, '--revision=1'])).toContain(
      'Image:\tk8ts.local/web:1',
    );
    for (const version of ['1.27', '1.33'])
      expect(await kubectlOk(server, ['rollout', 'history', 'sts/db', '-n', ns], { version })).toContain(
        '2         <none>',
      );

    expect(await kubectlOk(server, ['rollout', 'undo', 'sts/db', '-n', ns])).toBe(
      'statefulset.apps/db rolled back\n',
    );
    await settle(ns, 'back at v1', images, rolledTo('k8ts.local/web:1'));
    const revs = await settle(
      ns,
      'revision 1 renumbered to 3',
      () => kubectlOk(server, ['rollout', 'history', 'sts/db', '-n', ns]),
      (out) => /\n3 +<none>/.test(out) && !/\n1 +<none>/.test(out),
    );
    expect(revs).toContain('2         <none>');
    expect(await kubectlOk(server, ['rollout', 'undo', 'sts/db', '-n', ns, '--to-revision=3'])).toBe(
      'statefulset.apps/db skipped rollback (current template already matches revision 3)\n',
    );
    const missing = await kubectl(server, ['rollout', 'undo', 'sts/db', '-n', ns, '--to-revision=7']);
    expect(missing.stderr).toContain('unable to find specified revision 7 in history');

    const before = (await podsOf(ns, 'app=db'))[0]?.metadata.labels?.['controller-revision-hash'];
    await kubectlOk(server, ['rollout', 'restart', 'sts/db', '-n', ns]);
    await settle(
      ns,
      'restart rolled every pod',
      () => podsOf(ns, 'app=db'),
      (pods) =>
        pods.length === 2 &&
        pods.every(
          (p) => p.status?.phase === 'Running' && p.metadata.labels?.['controller-revision-hash'] !== before,
        ),
    );
    await settle(
      ns,
      'revision 4',
      () => kubectlOk(server, ['rollout', 'history', 'sts/db', '-n', ns]),
      (out) => /\n4 +<none>/.test(out),
    );
  });
});

function node(name: string, labels: Record<string, string>, taints: Obj[] = []): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { taints },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

describe('DaemonSet', () => {
  it('runs one pod per eligible node, follows nodes, and rolls out and back with kubectl', async () => {
    const ns = await createNamespace(server, uniqueName('ds'));
    const n = (i: number): string => `${ns}-n${i}`;
    await create(server, node(n(1), { tier: 'edge' }));
    await create(
      server,
      node(n(2), { tier: 'edge' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
    );
    await create(server, node(n(3), { tier: 'core' }));
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: {
            nodeSelector: { tier: 'edge' },
            containers: [{ name: 'agent', image: 'k8ts.local/agent:1' }],
          },
        },
      },
    };
    await kubectlOk(server, ['apply', '-f', writeFile(server, `${ns}.yaml`, yamlStream([ds]))]);
    const placement = async (): Promise<string[]> =>
      (await podsOf(ns, 'app=agent'))
        .filter((p) => !p.metadata.deletionTimestamp)
        .map(
          (p) =>
            p.spec.nodeName ?? JSON.stringify(p.spec.affinity).match(/"values":\["([^"]+)"\]/)?.[1] ?? '?',
        )
        .sort();
    expect(await settle(ns, 'a pod on the untainted edge node', placement, (p) => p.length === 1)).toEqual([
      n(1),
    ]);
    const table = await settle(
      ns,
      'ds columns',
      () => kubectlOk(server, ['get', 'ds', 'agent', '-n', ns]),
      (out) => rowNamed(out, 'agent')?.['AVAILABLE'] === '1',
    );
    expect(rowNamed(table, 'agent')).toMatchObject({
      DESIRED: '1',
      CURRENT: '1',
      READY: '1',
      'UP-TO-DATE': '1',
      AVAILABLE: '1',
      'NODE SELECTOR': 'tier=edge',
    });

    // A new matching node gets a pod; a node that stops matching loses its pod.
    await create(server, node(n(4), { tier: 'edge' }));
    expect(await settle(ns, 'pod on the new node', placement, (p) => p.length === 2)).toEqual([n(1), n(4)]);
    await kubectlOk(server, ['label', 'node', n(1), 'tier=core', '--overwrite']);
    expect(await settle(ns, 'pod gone from the relabelled node', placement, (p) => p.length === 1)).toEqual([
      n(4),
    ]);

    // Roll out v2, then back.
    const images = async (): Promise<string[]> =>
      (await podsOf(ns, 'app=agent'))
        .filter((p) => !p.metadata.deletionTimestamp)
        .map((p) => p.spec.containers[0]?.image ?? '');
    await kubectlOk(server, ['set', 'image', 'ds/agent', '-n', ns, 'agent=k8ts.local/agent:2']);
    await settle(ns, 'v2 everywhere', images, (v) => v.length === 1 && v[0] === 'k8ts.local/agent:2');
    await settle(
      ns,
      'rollout status',
      () => kubectl(server, ['rollout', 'status', 'ds/agent', '-n', ns, '--watch=false']),
      (r) => r.stdout.includes('daemon set "agent" successfully rolled out'),
    );
    const history = await kubectlOk(server, ['rollout', 'history', 'ds/agent', '-n', ns]);
    expect(history.replace(/ +\n/g, '\n')).toBe(
      'daemonset.apps/agent\nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n',
    );
    expect(await kubectlOk(server, ['rollout', 'undo', 'ds/agent', '-n', ns])).toBe(
      'daemonset.apps/agent rolled back\n',
    );
    await settle(ns, 'back at v1', images, (v) => v.length === 1 && v[0] === 'k8ts.local/agent:1');
    await settle(
      ns,
      'revision 3',
      () => kubectlOk(server, ['rollout', 'history', 'ds/agent', '-n', ns]),
      (out) => /\n3 +<none>/.test(out),
    );
    expect(await kubectlOk(server, ['rollout', 'undo', 'ds/agent', '-n', ns, '--to-revision=3'])).toBe(
      'daemonset.apps/agent skipped rollback (current template already matches revision 3)\n',
    );
    const revisions = await kubectlOk(server, ['get', 'controllerrevisions', '-n', ns]);
    expect(rowNamed(revisions, revisions.match(/agent-\S+/)?.[0] ?? '')?.['CONTROLLER']).toBe(
      'daemonset.apps/agent',
    );
  });
});

describe('bad input', () => {
  it('is refused by validation with upstream wording', async () => {
    const ns = await createNamespace(server, uniqueName('bad'));
    await create(server, {
      ...statefulSet(ns, 'web', 1),
      spec: { ...(statefulSet(ns, 'web', 1)['spec'] as Obj), volumeClaimTemplates: [] },
    });
    const scale = await kubectl(server, [
      'patch',
      'sts',
      'web',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"replicas":-1}}',
    ]);
    expect(scale.stderr).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const immutable = await kubectl(server, [
      'patch',
      'sts',
      'web',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"serviceName":"x"}}',
    ]);
    expect(immutable.stderr).toContain(
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
    const mismatch = statefulSet(ns, 'other', 1);
    (mismatch['spec'] as { selector: Obj }).selector = { matchLabels: { app: 'nope' } };
    const r = await kubectl(server, [
      'apply',
      '-f',
      writeFile(server, `${ns}-bad.yaml`, yamlStream([mismatch])),
    ]);
    expect(r.stderr).toContain('`selector` does not match template `labels`');
  });
});

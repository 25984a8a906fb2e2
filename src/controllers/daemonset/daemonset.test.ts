import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS } from '../../client/resources.js';
import { rfc3339 } from '../../util/time.js';
import { Harness } from '../history/testing/harness.js';
import type { Revision } from '../history/revision.js';
import { DaemonSetSync, daemonSetController } from './controller.js';
import { targetNodeName, type Ds, type DsNode, type DsPod } from './eligibility.js';

const REFS = [DAEMONSETS, NODES, PODS, CONTROLLERREVISIONS];
type Spec = NonNullable<Ds['spec']>;

function daemonSet(spec: Partial<Spec> = {}): Ds {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'agent', image: 'k8ts.local/agent:1' }] },
      },
      ...spec,
    },
  };
}

function node(name: string, labels: Record<string, string> = {}, spec: DsNode['spec'] = {}): DsNode {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec };
}

describe('DaemonSet controller', () => {
  let h: Harness;
  let s: DaemonSetSync;

  beforeEach(async () => {
    h = new Harness(REFS);
    s = new DaemonSetSync(h.ctx);
    await h.start();
  });
  afterEach(() => h.stop());

  const sync = async (): Promise<void> => {
    await h.settle();
    await s.sync('default/agent');
    await h.settle();
  };
  const pods = (): DsPod[] => h.list<DsPod>(PODS);
  const live = (): DsPod[] => pods().filter((p) => !p.metadata.deletionTimestamp);
  const placement = (): string[] =>
    live()
      .map((p) => targetNodeName(p) ?? '?')
      .sort();
  const ds = (): Ds => h.get<Ds>(DAEMONSETS, 'default/agent') as Ds;
  const revisions = (): Revision[] => h.list<Revision>(CONTROLLERREVISIONS);
  /** Plays the scheduler and kubelet: binds each pod to its node and makes it Running and Ready. */
  const runPods = (): void => {
    for (const p of pods()) {
      if (p.status?.phase === 'Running') continue;
      h.mutate<DsPod>(PODS, `default/${p.metadata.name}`, (pod) =>
        Object.assign(pod, {
          spec: { ...pod.spec, nodeName: targetNodeName(pod) },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(h.now()) }],
          },
        }),
      );
    }
  };
  const converge = async (max = 30): Promise<void> => {
    for (let i = 0; i < max; i++) {
      const before = h.fake.rv;
      await sync();
      runPods();
      await h.settle();
      if (h.fake.rv === before) return;
    }
    throw new Error('did not converge');
  };
  const updateSpec = (fn: (spec: Spec) => void): void => {
    h.mutate<Ds>(DAEMONSETS, 'default/agent', (o) => fn(o.spec as Spec));
  };
  const setImage = (image: string): void =>
    updateSpec((spec) => {
      const c = spec.template.spec?.containers[0];
      if (c) c.image = image;
    });

  it('creates one pod per node, pinned to the node by affinity, with daemon tolerations and revision labels', async () => {
    for (const n of ['n1', 'n2', 'n3']) h.create(NODES, node(n));
    h.create(DAEMONSETS, daemonSet());
    await sync();
    expect(placement()).toEqual(['n1', 'n2', 'n3']);
    const [rev] = revisions();
    const hash = rev?.metadata.labels?.['controller-revision-hash'];
    expect(rev?.metadata.name).toBe(`agent-${hash}`);
    expect(rev?.revision).toBe(1);
    const p = pods()[0] as DsPod;
    expect(p.metadata.name).toMatch(/^agent-/);
    expect(p.metadata.labels).toEqual({
      app: 'agent',
      'controller-revision-hash': hash,
      'pod-template-generation': '1',
    });
    expect(p.spec?.nodeName).toBeUndefined();
    expect(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [targetNodeName(p)] }] },
      ],
    });
    expect(p.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(h.events().filter((e) => e.startsWith('SuccessfulCreate'))).toHaveLength(3);
    expect(h.events()[0]).toMatch(/^SuccessfulCreate: Created pod: agent-/);
    expect(ds().status).toMatchObject({ observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 0 });

    await converge();
    expect(ds().status).toEqual({
      observedGeneration: 1,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      numberReady: 3,
      numberAvailable: 3,
      updatedNumberScheduled: 3,
    });
  });

  it('does not create twice while its creates are not yet seen', async () => {
    h.create(NODES, node('n1'));
    h.create(DAEMONSETS, daemonSet());
    await h.settle();
    await s.sync('default/agent');
    // The cache has not seen the new pod: the expectations hold the next sync back.
    await s.sync('default/agent');
    await h.settle();
    expect(pods()).toHaveLength(1);
  });

  it('follows nodes: new nodes get a pod, nodes that stop matching lose theirs', async () => {
    h.create(NODES, node('n1', { role: 'edge' }));
    h.create(NODES, node('n2', { role: 'core' }));
    h.create(
      DAEMONSETS,
      daemonSet({
        template: {
          ...daemonSet().spec!.template,
          spec: { containers: [{ name: 'a', image: 'i' }], nodeSelector: { role: 'edge' } },
        },
      }),
    );
    await converge();
    expect(placement()).toEqual(['n1']);
    h.create(NODES, node('n3', { role: 'edge' }));
    await converge();
    expect(placement()).toEqual(['n1', 'n3']);
    h.mutate<DsNode>(NODES, 'n1', (n) => Object.assign(n.metadata, { labels: { role: 'core' } }));
    await converge();
    expect(placement()).toEqual(['n3']);
    expect(ds().status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberMisscheduled: 0,
    });
  });

  it('honours taints: NoSchedule keeps an existing pod, NoExecute removes it, tolerations allow', async () => {
    h.create(NODES, node('n1'));
    h.create(NODES, node('n2', {}, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
    h.create(DAEMONSETS, daemonSet());
    await converge();
    expect(placement()).toEqual(['n1']);

    h.mutate<DsNode>(NODES, 'n1', (n) =>
      Object.assign(n, { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } }),
    );
    await converge();
    expect(placement()).toEqual(['n1']);
    expect(ds().status).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 });

    h.mutate<DsNode>(NODES, 'n1', (n) =>
      Object.assign(n, { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } }),
    );
    await converge();
    expect(placement()).toEqual([]);

    updateSpec((spec) => {
      if (spec.template.spec) spec.template.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
    });
    await converge();
    expect(placement()).toEqual(['n1', 'n2']);
  });

  it('runs on cordoned and unreachable nodes (the daemon tolerations)', async () => {
    h.create(
      NODES,
      node(
        'n1',
        {},
        { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
      ),
    );
    h.create(
      NODES,
      node('n2', {}, { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
    );
    h.create(DAEMONSETS, daemonSet());
    await converge();
    expect(placement()).toEqual(['n1', 'n2']);
  });

  it('rolls out a new template keeping at most maxUnavailable nodes without an available pod', async () => {
    for (const n of ['n1', 'n2', 'n3', 'n4']) h.create(NODES, node(n));
    h.create(DAEMONSETS, daemonSet());
    await converge();
    setImage('k8ts.local/agent:2');
    for (let i = 0; i < 30; i++) {
      const before = h.fake.rv;
      await sync();
      const availableNodes = live().filter((p) => p.status?.phase === 'Running').length;
      expect(availableNodes).toBeGreaterThanOrEqual(3);
      runPods();
      await h.settle();
      if (h.fake.rv === before) break;
    }
    expect(live().map((p) => p.spec?.containers[0]?.image)).toEqual(Array(4).fill('k8ts.local/agent:2'));
    const hash2 = revisions().find((r) => r.revision === 2)?.metadata.labels?.['controller-revision-hash'];
    expect(live().every((p) => p.metadata.labels?.['controller-revision-hash'] === hash2)).toBe(true);
    expect(ds().status).toMatchObject({
      updatedNumberScheduled: 4,
      numberAvailable: 4,
      observedGeneration: 2,
    });
  });

  it('with maxSurge starts the new pod beside the old one and removes the old once the new is available', async () => {
    h.create(NODES, node('n1'));
    h.create(NODES, node('n2'));
    h.create(
      DAEMONSETS,
      daemonSet({
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      }),
    );
    await converge();
    setImage('k8ts.local/agent:2');
    await sync();
    expect(live()).toHaveLength(3);
    const images = (): string[] =>
      live()
        .map((p) => `${targetNodeName(p)}:${p.spec?.containers[0]?.image}`)
        .sort();
    const surged = images().filter((x) => x.endsWith(':2'));
    expect(surged).toHaveLength(1);
    await sync();
    expect(live()).toHaveLength(3);
    runPods();
    await converge();
    expect(images()).toEqual(['n1:k8ts.local/agent:2', 'n2:k8ts.local/agent:2']);
  });

  it('with OnDelete replaces a pod only when it is deleted', async () => {
    h.create(NODES, node('n1'));
    h.create(NODES, node('n2'));
    h.create(DAEMONSETS, daemonSet({ updateStrategy: { type: 'OnDelete' } }));
    await converge();
    setImage('k8ts.local/agent:2');
    await converge();
    expect(live().map((p) => p.spec?.containers[0]?.image)).toEqual(Array(2).fill('k8ts.local/agent:1'));
    expect(ds().status?.updatedNumberScheduled ?? 0).toBe(0);
    const victim = live().find((p) => targetNodeName(p) === 'n2') as DsPod;
    h.remove(PODS, `default/${victim.metadata.name}`);
    await converge();
    const byNode = Object.fromEntries(live().map((p) => [targetNodeName(p), p.spec?.containers[0]?.image]));
    expect(byNode).toEqual({ n1: 'k8ts.local/agent:1', n2: 'k8ts.local/agent:2' });
    expect(ds().status?.updatedNumberScheduled).toBe(1);
  });

  it('rolls back to an old template by renumbering its revision, and trims history', async () => {
    h.create(NODES, node('n1'));
    h.create(DAEMONSETS, daemonSet({ revisionHistoryLimit: 1 }));
    await converge();
    const [rev1] = revisions();
    setImage('k8ts.local/agent:2');
    await converge();
    setImage('k8ts.local/agent:1');
    await converge();
    expect(revisions().map((r) => [r.metadata.name === rev1?.metadata.name, r.revision])).toEqual([
      [true, 3],
      [false, 2],
    ]);
    setImage('k8ts.local/agent:3');
    await converge();
    setImage('k8ts.local/agent:4');
    await converge();
    expect(
      revisions()
        .map((r) => r.revision)
        .sort(),
    ).toEqual([4, 5]);
  });

  it('deletes a failed pod (with backoff) and replaces it', async () => {
    h.create(NODES, node('n1'));
    h.create(DAEMONSETS, daemonSet());
    await converge();
    const failed = live()[0] as DsPod;
    h.mutate<DsPod>(PODS, `default/${failed.metadata.name}`, (p) =>
      Object.assign(p, { status: { phase: 'Failed' } }),
    );
    await sync();
    expect(h.events()).toContain(
      `FailedDaemonPod: Found failed daemon pod default/${failed.metadata.name} on node n1, will try to kill it`,
    );
    await sync();
    expect(live()).toHaveLength(1);
    expect(live()[0]?.metadata.name).not.toBe(failed.metadata.name);

    // A second failure right away waits out the backoff.
    const again = live()[0] as DsPod;
    h.mutate<DsPod>(PODS, `default/${again.metadata.name}`, (p) =>
      Object.assign(p, { spec: { ...p.spec, nodeName: 'n1' }, status: { phase: 'Failed' } }),
    );
    await sync();
    expect(h.get(PODS, `default/${again.metadata.name}`)).toBeDefined();
    h.time.advance(2000);
    await sync();
    expect(h.get(PODS, `default/${again.metadata.name}`)).toBeUndefined();
  });

  it('keeps the oldest of duplicate pods on a node and removes pods for nodes that are gone', async () => {
    h.create(NODES, node('n1'));
    h.create(DAEMONSETS, daemonSet());
    await converge();
    const first = live()[0] as DsPod;
    h.time.advance(1000);
    const dup = structuredClone(first);
    Object.assign(dup.metadata, {
      name: 'agent-dup',
      uid: undefined,
      resourceVersion: undefined,
      creationTimestamp: undefined,
    });
    h.create(PODS, dup);
    await sync();
    expect(live().map((p) => p.metadata.name)).toEqual([first.metadata.name]);

    h.create(PODS, {
      ...structuredClone(first),
      metadata: { ...first.metadata, name: 'agent-ghost', uid: undefined, resourceVersion: undefined },
      spec: {
        ...first.spec,
        nodeName: undefined,
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gone'] }] },
              ],
            },
          },
        },
      },
    });
    await sync();
    expect(live().map((p) => p.metadata.name)).toEqual([first.metadata.name]);
  });

  it('refuses to act on a selector that selects everything', async () => {
    h.create(NODES, node('n1'));
    h.create(DAEMONSETS, daemonSet({ selector: {} }));
    await sync();
    expect(pods()).toEqual([]);
    expect(h.events()).toContain(
      'SelectingAll: This daemon set is selecting all pods. A non-empty selector is required.',
    );
  });
});

describe('daemonSetController', () => {
  it('puts a pod on each node through its queue, including nodes added later, and stops when aborted', async () => {
    const h = new Harness(REFS);
    const abort = new AbortController();
    const done = daemonSetController().run(h.ctx, abort.signal);
    await h.start();
    h.create(NODES, node('n1'));
    h.create(DAEMONSETS, daemonSet());
    const nodesWithPods = (): string[] =>
      h
        .list<DsPod>(PODS)
        .map((p) => targetNodeName(p) ?? '')
        .sort();
    const until = async (want: string[]): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (JSON.stringify(nodesWithPods()) !== JSON.stringify(want)) {
        if (Date.now() > deadline)
          throw new Error(`expected pods on ${want.join(',')}, saw ${nodesWithPods().join(',')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(['n1']);
    h.create(NODES, node('n2'));
    await until(['n1', 'n2']);
    abort.abort();
    await done;
    await h.stop();
  });
});

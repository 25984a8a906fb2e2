import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import { PODS, REPLICASETS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { rfc3339 } from '../../util/time.js';
import { ReplicaSetController } from './controller.js';
import { fakeKubelet, harness, setPodReady, storedPods, type Harness } from './testing/harness.js';

let current: Harness | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

function rs(name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ApiObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'ns', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
      ...extra,
    },
  };
}

function status(h: Harness, name: string): NonNullable<ReplicaSet['status']> {
  const got = h.fake.find(REPLICASETS, `ns/${name}`) as ReplicaSet | undefined;
  return got?.status ?? { replicas: -1 };
}

async function started(opts: ConstructorParameters<typeof ReplicaSetController>[0] = {}): Promise<Harness> {
  const h = harness();
  current = h;
  await h.start(new ReplicaSetController({ timers: h.timers, ...opts }));
  return h;
}

describe('ReplicaSet controller', () => {
  it('creates pods from the template with a controller reference, and counts them in status', async () => {
    const h = await started();
    const stop = fakeKubelet(h);
    h.fake.put(REPLICASETS, rs('web', 3));
    await h.settle();
    const pods = storedPods(h);
    expect(pods).toHaveLength(3);
    const owner = h.fake.find(REPLICASETS, 'ns/web');
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-/);
      expect(p.metadata.labels).toEqual({ app: 'web' });
      expect(p.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: owner?.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    expect(status(h, 'web')).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(h.events().filter((e) => e.startsWith('SuccessfulCreate: Created pod: web-'))).toHaveLength(3);
    stop();
  });

  it('replaces a deleted pod', async () => {
    const h = await started();
    h.fake.put(REPLICASETS, rs('web', 2));
    await h.settle();
    const [first] = storedPods(h);
    h.fake.remove(PODS, `ns/${first?.metadata.name ?? ''}`);
    await h.settle();
    const names = storedPods(h).map((p) => p.metadata.name);
    expect(names).toHaveLength(2);
    expect(names).not.toContain(first?.metadata.name);
  });

  it('does not count terminated pods and replaces them', async () => {
    const h = await started();
    h.fake.put(REPLICASETS, rs('web', 1));
    await h.settle();
    const [pod] = storedPods(h);
    if (!pod) throw new Error('no pod');
    h.fake.put(PODS, { ...pod, status: { phase: 'Failed' } });
    await h.settle();
    expect(storedPods(h)).toHaveLength(2);
    expect(status(h, 'web').replicas).toBe(1);
  });

  it('scales down deleting unscheduled, then pending, then not-ready pods before ready ones', async () => {
    const h = await started();
    h.fake.put(REPLICASETS, rs('web', 4));
    await h.settle();
    const pods = storedPods(h).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const [a, b, c, d] = pods;
    if (!a || !b || !c || !d) throw new Error('expected 4 pods');
    const now = rfc3339(h.clock.now());
    const running = (ready: boolean): Pod['status'] => ({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    });
    h.fake.put(PODS, { ...a, spec: { ...a.spec, nodeName: 'n1' }, status: running(true) });
    h.fake.put(PODS, { ...b, spec: { ...b.spec, nodeName: 'n1' }, status: running(false) });
    h.fake.put(PODS, { ...c, spec: { ...c.spec, nodeName: 'n1' }, status: { phase: 'Pending' } });
    // d stays unscheduled
    await h.settle();
    const scale = async (n: number): Promise<string[]> => {
      const cur = h.fake.find(REPLICASETS, 'ns/web');
      if (!cur) throw new Error('no rs');
      h.fake.put(REPLICASETS, { ...cur, spec: { ...(cur['spec'] as object), replicas: n } });
      await h.settle();
      return storedPods(h).map((p) => p.metadata.name ?? '');
    };
    expect(await scale(3)).not.toContain(d.metadata.name);
    expect(await scale(2)).not.toContain(c.metadata.name);
    expect(await scale(1)).toEqual([a.metadata.name]);
    expect(h.events().filter((e) => e.startsWith('SuccessfulDelete: Deleted pod: '))).toEqual([
      `SuccessfulDelete: Deleted pod: ${d.metadata.name ?? ''}`,
      `SuccessfulDelete: Deleted pod: ${c.metadata.name ?? ''}`,
      `SuccessfulDelete: Deleted pod: ${b.metadata.name ?? ''}`,
    ]);
  });

  it('adopts a matching orphan and releases a pod whose labels no longer match', async () => {
    const h = await started();
    h.fake.put(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stray', namespace: 'ns', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    h.fake.put(REPLICASETS, rs('web', 2));
    await h.settle();
    const pods = storedPods(h);
    expect(pods).toHaveLength(2);
    const stray = pods.find((p) => p.metadata.name === 'stray');
    expect(stray?.metadata.ownerReferences?.[0]?.name).toBe('web');

    // Relabel the adopted pod: it is released and replaced.
    if (!stray) throw new Error('no stray');
    h.fake.put(PODS, { ...stray, metadata: { ...stray.metadata, labels: { app: 'other' } } });
    await h.settle();
    const after = storedPods(h);
    expect(after).toHaveLength(3);
    expect(after.find((p) => p.metadata.name === 'stray')?.metadata.ownerReferences).toBeUndefined();
    expect(status(h, 'web').replicas).toBe(2);
  });

  it('never adopts a pod controlled by someone else', async () => {
    const h = await started();
    h.fake.put(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'taken',
        namespace: 'ns',
        labels: { app: 'web' },
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid', controller: true },
        ],
      },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    h.fake.put(REPLICASETS, rs('web', 1));
    await h.settle();
    expect(storedPods(h)).toHaveLength(2);
    expect(storedPods(h).find((p) => p.metadata.name === 'taken')?.metadata.ownerReferences?.[0]?.uid).toBe(
      'job-uid',
    );
  });

  it('creates in slow-start batches and at most burstReplicas per sync', async () => {
    const h = await started({ burstReplicas: 5 });
    h.fake.put(REPLICASETS, rs('web', 12));
    await h.settle();
    expect(storedPods(h)).toHaveLength(12);
    const creates = h.fake.calls.filter((c) => c.startsWith('create pods'));
    expect(creates).toHaveLength(12);
  });

  it('reports a refused create as ReplicaFailure and FailedCreate, stops the batch, and backs off', async () => {
    const h = await started();
    let refused = 0;
    const quota = new ApiError(
      403,
      'Forbidden',
      'pods "web-abc" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
    h.fake.admit = (ref) => {
      if (ref !== PODS) return;
      refused++;
      throw quota;
    };
    h.fake.put(REPLICASETS, rs('web', 8));
    await h.settle();
    // The batch stops at its first failure: one try per sync (the status write requeues once).
    expect(refused).toBeLessThanOrEqual(2);
    const cond = status(h, 'web').conditions?.[0];
    expect(cond).toMatchObject({
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: quota.message,
    });
    expect(h.events()).toContain(`FailedCreate: Error creating: ${quota.message}`);
    // Ten seconds later only a handful of retries happened (exponential backoff, no hot loop).
    await h.advance(10_000, { stepMs: 100 });
    expect(refused).toBeGreaterThan(3);
    expect(refused).toBeLessThan(12);
  });

  it('clears ReplicaFailure once creates succeed again', async () => {
    const h = await started();
    const quota = new ApiError(403, 'Forbidden', 'exceeded quota');
    let refuse = true;
    h.fake.admit = (ref) => {
      if (ref === PODS && refuse) throw quota;
    };
    h.fake.put(REPLICASETS, rs('web', 2));
    await h.settle();
    expect(status(h, 'web').conditions?.[0]?.type).toBe('ReplicaFailure');
    refuse = false;
    await h.advance(1000, { stepMs: 100 });
    expect(storedPods(h)).toHaveLength(2);
    expect(status(h, 'web').conditions).toBeUndefined();
  });

  it('counts a pod available only after minReadySeconds, requeueing itself', async () => {
    const h = await started();
    h.fake.put(REPLICASETS, rs('web', 1, { minReadySeconds: 10 }));
    await h.settle();
    const [pod] = storedPods(h);
    if (!pod) throw new Error('no pod');
    await setPodReady(h, pod);
    await h.settle();
    expect(status(h, 'web')).toMatchObject({ readyReplicas: 1 });
    expect(status(h, 'web').availableReplicas).toBeUndefined();
    await h.advance(9_000);
    expect(status(h, 'web').availableReplicas).toBeUndefined();
    await h.advance(2_000);
    expect(status(h, 'web').availableReplicas).toBe(1);
  });

  it('counts fullyLabeledReplicas against the template labels', async () => {
    const h = await started();
    const obj = rs('web', 1);
    (obj['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels =
      {
        app: 'web',
        tier: 'front',
      };
    h.fake.put(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'partial', namespace: 'ns', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    h.fake.put(REPLICASETS, obj);
    await h.settle();
    expect(status(h, 'web').replicas).toBe(1);
    expect(status(h, 'web').fullyLabeledReplicas).toBeUndefined(); // zero counts are omitted, as upstream
  });
});

import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiObject } from '../../client/types.js';
import { ApiError } from '../../api/errors.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../client/resources.js';
import { isPodReady } from '../framework/pods.js';
import { fakeKubelet, storedPods, type Harness } from '../replicaset/testing/harness.js';
import {
  condition,
  deployment,
  editDeployment,
  getDeployment,
  replicaSets,
  setImage,
  sizesByImage,
  workloads,
} from './testing.js';
import {
  templateHash,
  POD_TEMPLATE_HASH,
  REVISION,
  REVISION_HISTORY,
  type DeploymentObject,
} from './util.js';

let current: Harness | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

async function started(): Promise<Harness> {
  current = await workloads();
  return current;
}

/** Watches the pod cache and records the fewest ready and the most pods seen after `arm()`. */
function watchPods(h: Harness): { arm(): void; minReady: number; maxPods: number } {
  const seen = { armed: false, minReady: Infinity, maxPods: 0, arm: (): void => void (seen.armed = true) };
  const informer = h.ctx.informers.informer<Pod & ApiObject>(PODS);
  const check = (): void => {
    if (!seen.armed) return;
    const pods = informer.list().filter((p) => !p.metadata.deletionTimestamp);
    seen.minReady = Math.min(seen.minReady, pods.filter((p) => isPodReady(p)).length);
    seen.maxPods = Math.max(seen.maxPods, pods.length);
  };
  informer.addHandlers({ add: check, update: check, delete: check });
  return seen;
}

describe('Deployment controller', () => {
  it('creates a ReplicaSet named by the template hash, scales it up and reports the rollout', async () => {
    const h = await started();
    fakeKubelet(h);
    h.fake.put(DEPLOYMENTS, deployment(3));
    await h.settle();
    const [rs] = replicaSets(h);
    if (!rs) throw new Error('no replica set');
    const hash = rs.metadata.labels?.[POD_TEMPLATE_HASH] ?? '';
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec?.selector.matchLabels).toEqual({ app: 'web', [POD_TEMPLATE_HASH]: hash });
    expect(rs.spec?.template?.metadata?.labels).toEqual({ app: 'web', [POD_TEMPLATE_HASH]: hash });
    expect(rs.spec?.replicas).toBe(3);
    expect(rs.metadata.annotations).toEqual({
      [REVISION]: '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      controller: true,
    });
    const d = getDeployment(h);
    expect(d.metadata.annotations?.[REVISION]).toBe('1');
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(condition(h, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    });
    expect(condition(h, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "web-${hash}" has successfully progressed.`,
    });
    expect(h.events()).toContain(`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`);
    expect(storedPods(h).every((p) => p.metadata.labels?.[POD_TEMPLATE_HASH] === hash)).toBe(true);
  });

  it('rolls out with maxUnavailable=0 without ever dropping below replicas ready, within maxSurge', async () => {
    const h = await started();
    fakeKubelet(h, { readyAfterMs: 2000 });
    h.fake.put(
      DEPLOYMENTS,
      deployment(4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    await h.advance(3000);
    expect(getDeployment(h).status?.availableReplicas).toBe(4);
    const pods = watchPods(h);
    pods.arm();
    await editDeployment(h, setImage('busybox:2'));
    await h.advance(30_000);
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 0, 'busybox:2': 4 });
    expect(pods.minReady).toBeGreaterThanOrEqual(4);
    expect(pods.maxPods).toBeLessThanOrEqual(5);
    const d = getDeployment(h);
    expect(d.metadata.annotations?.[REVISION]).toBe('2');
    expect(d.status).toMatchObject({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 4,
      availableReplicas: 4,
    });
    expect(condition(h, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const [, newRs] = replicaSets(h);
    expect(h.events()).toContain(
      `ScalingReplicaSet: Scaled up replica set ${newRs?.metadata.name ?? ''} from 0 to 1`,
    );
  });

  it('rolls out with maxSurge=0 never running more than replicas pods nor fewer than replicas-maxUnavailable ready', async () => {
    const h = await started();
    fakeKubelet(h, { readyAfterMs: 1000 });
    h.fake.put(
      DEPLOYMENTS,
      deployment(4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      }),
    );
    await h.advance(2000);
    const pods = watchPods(h);
    pods.arm();
    await editDeployment(h, setImage('busybox:2'));
    await h.advance(30_000);
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 0, 'busybox:2': 4 });
    expect(pods.maxPods).toBeLessThanOrEqual(4);
    expect(pods.minReady).toBeGreaterThanOrEqual(3);
  });

  it('waits minReadySeconds before counting a new pod available and scaling an old one down', async () => {
    const h = await started();
    fakeKubelet(h, { readyAfterMs: 1000 });
    h.fake.put(
      DEPLOYMENTS,
      deployment(2, {
        minReadySeconds: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    await h.advance(15_000);
    expect(getDeployment(h).status?.availableReplicas).toBe(2);
    await editDeployment(h, setImage('busybox:2'));
    await h.advance(9_000); // the edit lands in the first step: the new pod is Ready at +2 s, available at +12 s
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 2, 'busybox:2': 1 });
    expect(replicaSets(h).at(-1)?.spec?.minReadySeconds).toBe(10);
    await h.advance(4_000);
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 1, 'busybox:2': 2 });
    await h.advance(15_000);
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 0, 'busybox:2': 2 });
    expect(getDeployment(h).status).toMatchObject({ updatedReplicas: 2, availableReplicas: 2 });
  });

  it('Recreate deletes every old pod before creating a new one', async () => {
    const h = await started();
    fakeKubelet(h, { readyAfterMs: 1000 });
    h.fake.put(DEPLOYMENTS, deployment(3, { strategy: { type: 'Recreate' } }));
    await h.advance(2000);
    const order: string[] = [];
    h.ctx.informers.informer(PODS).addHandlers({
      add: (p) =>
        order.push(`add ${(p.spec as { containers: { image: string }[] }).containers[0]?.image ?? ''}`),
      delete: (p) =>
        order.push(`delete ${(p.spec as { containers: { image: string }[] }).containers[0]?.image ?? ''}`),
    });
    order.length = 0; // the replay of existing pods
    await editDeployment(h, setImage('busybox:2'));
    await h.advance(10_000);
    expect(order).toEqual([...Array(3).fill('delete busybox:1'), ...Array(3).fill('add busybox:2')]);
    expect(getDeployment(h).status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('goes back to the old ReplicaSet on undo (the template of revision 1 patched back), as revision 3', async () => {
    const h = await started();
    fakeKubelet(h);
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    const [first] = replicaSets(h);
    await editDeployment(h, setImage('busybox:2'));
    await h.settle();
    expect(replicaSets(h)).toHaveLength(2);
    // What `kubectl rollout undo` sends: the old ReplicaSet's template without its hash label.
    await editDeployment(h, (d) => {
      const t = structuredClone(first?.spec?.template);
      if (!t || !d.spec) return;
      delete t.metadata?.labels?.[POD_TEMPLATE_HASH];
      d.spec.template = t;
    });
    await h.settle();
    const rss = replicaSets(h);
    expect(rss).toHaveLength(2);
    const back = rss.find((r) => r.metadata.name === first?.metadata.name);
    expect(back?.spec?.replicas).toBe(2);
    expect(back?.metadata.annotations?.[REVISION]).toBe('3');
    expect(back?.metadata.annotations?.[REVISION_HISTORY]).toBe('1');
    expect(getDeployment(h).metadata.annotations?.[REVISION]).toBe('3');
    expect(sizesByImage(h)).toEqual({ 'busybox:2': 0, 'busybox:1': 2 });
  });

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    const h = await started();
    fakeKubelet(h);
    h.fake.put(DEPLOYMENTS, deployment(1, { revisionHistoryLimit: 2 }));
    await h.settle();
    for (const v of [2, 3, 4, 5]) {
      await editDeployment(h, setImage(`busybox:${v}`));
      await h.settle();
    }
    const images = replicaSets(h).map((r) => r.spec?.template?.spec?.containers[0]?.image);
    expect(images).toEqual(['busybox:3', 'busybox:4', 'busybox:5']);
  });

  it('reports ProgressDeadlineExceeded when new pods never become ready', async () => {
    const h = await started();
    fakeKubelet(h, {
      accept: (p) => (p.spec as { containers: { image: string }[] }).containers[0]?.image === 'busybox:1',
    });
    h.fake.put(DEPLOYMENTS, deployment(2, { progressDeadlineSeconds: 30 }));
    await h.settle();
    await editDeployment(h, setImage('busybox:broken'));
    await h.advance(20_000);
    expect(condition(h, 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    await h.advance(15_000);
    const newRs = replicaSets(h).at(-1);
    expect(condition(h, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${newRs?.metadata.name ?? ''}" has timed out progressing.`,
    });
    // The old pods still serve (maxUnavailable 25% of 2 rounds down to 0, surge 1).
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 2, 'busybox:broken': 1 });
  });

  it('does not roll out while paused, and resumes', async () => {
    const h = await started();
    fakeKubelet(h);
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    await editDeployment(h, (d) => {
      if (d.spec) d.spec.paused = true;
    });
    await h.settle();
    expect(condition(h, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });
    await editDeployment(h, setImage('busybox:2'));
    await h.settle();
    expect(replicaSets(h)).toHaveLength(1);
    // Scaling still works while paused.
    await editDeployment(h, (d) => {
      if (d.spec) d.spec.replicas = 3;
    });
    await h.settle();
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 3 });
    await editDeployment(h, (d) => {
      if (d.spec) d.spec.paused = false;
    });
    await h.settle();
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 0, 'busybox:2': 3 });
    expect(condition(h, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    expect(h.events().some((e) => e.startsWith('ScalingReplicaSet: Scaled down replica set'))).toBe(true);
  });

  it('scales proportionally during a rollout (the documented 10 → 15 example)', async () => {
    const h = await started();
    fakeKubelet(h, {
      accept: (p) => (p.spec as { containers: { image: string }[] }).containers[0]?.image === 'busybox:1',
    });
    h.fake.put(
      DEPLOYMENTS,
      deployment(10, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      }),
    );
    await h.settle();
    await editDeployment(h, setImage('busybox:broken'));
    await h.settle();
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 8, 'busybox:broken': 5 });
    await editDeployment(h, (d) => {
      if (d.spec) d.spec.replicas = 15;
    });
    await h.settle();
    expect(sizesByImage(h)).toEqual({ 'busybox:1': 11, 'busybox:broken': 7 });
    for (const rs of replicaSets(h)) {
      expect(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('15');
      expect(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas']).toBe('18');
    }
  });

  it('scales the only active ReplicaSet on a replicas change', async () => {
    const h = await started();
    fakeKubelet(h);
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    await editDeployment(h, (d) => {
      if (d.spec) d.spec.replicas = 5;
    });
    await h.settle();
    expect(storedPods(h)).toHaveLength(5);
    await editDeployment(h, (d) => {
      if (d.spec) d.spec.replicas = 1;
    });
    await h.settle();
    expect(storedPods(h)).toHaveLength(1);
    const name = replicaSets(h)[0]?.metadata.name ?? '';
    expect(h.events()).toContain(`ScalingReplicaSet: Scaled up replica set ${name} from 2 to 5`);
    expect(h.events()).toContain(`ScalingReplicaSet: Scaled down replica set ${name} from 5 to 1`);
    expect(getDeployment(h).status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
  });

  it('adopts an orphaned ReplicaSet that matches its selector and template', async () => {
    const h = await started();
    fakeKubelet(h);
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    const [rs] = replicaSets(h);
    // Orphan everything (as `kubectl delete --cascade=orphan` leaves it), then create the Deployment again.
    h.fake.remove(DEPLOYMENTS, 'ns/web');
    for (const r of replicaSets(h))
      h.fake.put(REPLICASETS, { ...r, metadata: { ...r.metadata, ownerReferences: undefined } });
    await h.settle();
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    const rss = replicaSets(h);
    expect(rss).toHaveLength(1);
    expect(rss[0]?.metadata.name).toBe(rs?.metadata.name);
    expect(rss[0]?.metadata.ownerReferences?.[0]?.uid).toBe(getDeployment(h).metadata.uid);
    expect(storedPods(h)).toHaveLength(2);
  });

  it('bumps collisionCount when the hashed name is taken by someone else', async () => {
    const h = await started();
    fakeKubelet(h);
    const d = deployment(2);
    const taken = `web-${templateHash((d['spec'] as DeploymentObject['spec'])?.template, undefined)}`;
    h.fake.put(REPLICASETS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: taken, namespace: 'ns', labels: { app: 'other' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'other' } },
        template: {
          metadata: { labels: { app: 'other' } },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      },
    });
    h.fake.put(DEPLOYMENTS, d);
    await h.advance(2000, { stepMs: 100 });
    expect(getDeployment(h).status?.collisionCount).toBe(1);
    const mine = replicaSets(h).filter((r) => r.metadata.name !== taken);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.metadata.name).toBe(
      `web-${templateHash((d['spec'] as DeploymentObject['spec'])?.template, 1)}`,
    );
    expect(storedPods(h)).toHaveLength(2);
  });

  it('reports a refused ReplicaSet create and backs off', async () => {
    const h = await started();
    let refused = 0;
    h.fake.admit = (ref) => {
      if (ref !== REPLICASETS) return;
      refused++;
      throw new ApiError(403, 'Forbidden', 'replicasets.apps "web-x" is forbidden: no');
    };
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    const c = condition(h, 'Progressing');
    expect(c).toMatchObject({ status: 'False', reason: 'ReplicaSetCreateError' });
    expect(c?.message).toMatch(
      /^Failed to create new replica set "web-[a-z0-9]+": replicasets.apps "web-x" is forbidden: no$/,
    );
    expect(
      h.events().some((e) => e.startsWith('ReplicaSetCreateError: Failed to create new replica set')),
    ).toBe(true);
    await h.advance(10_000, { stepMs: 100 });
    expect(refused).toBeGreaterThan(2);
    expect(refused).toBeLessThan(12);
  });

  it('copies a ReplicaSet failure to the Deployment as ReplicaFailure', async () => {
    const h = await started();
    h.fake.admit = (ref) => {
      if (ref === PODS) throw new ApiError(403, 'Forbidden', 'pods "web-x" is forbidden: exceeded quota');
    };
    h.fake.put(DEPLOYMENTS, deployment(2));
    await h.settle();
    expect(condition(h, 'ReplicaFailure')).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
      message: 'pods "web-x" is forbidden: exceeded quota',
    });
    expect(condition(h, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
  });
});

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROLLERREVISIONS, PODS, PVCS, STATEFULSETS } from '../../client/resources.js';
import type { ApiObject } from '../../client/types.js';
import { rfc3339 } from '../../util/time.js';
import { Harness } from '../history/testing/harness.js';
import { StatefulSetSync, statefulSetController } from './controller.js';
import type { Claim, Sts, StsPod } from './identity.js';

const REFS = [STATEFULSETS, PODS, CONTROLLERREVISIONS, PVCS];

function statefulSet(spec: Partial<NonNullable<Sts['spec']>> = {}, name = 'web'): Sts {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      serviceName: 'nginx',
      replicas: 3,
      selector: { matchLabels: { app: name } },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'k8ts.local/web:1' }] },
      },
      ...spec,
    },
  };
}

describe('StatefulSet controller', () => {
  let h: Harness;
  let s: StatefulSetSync;

  beforeEach(async () => {
    h = new Harness(REFS);
    s = new StatefulSetSync(h.ctx);
    await h.start();
  });
  afterEach(() => h.stop());

  const sync = async (key = 'default/web'): Promise<void> => {
    await h.settle();
    await s.sync(key);
    await h.settle();
  };
  const pods = (): StsPod[] => h.list<StsPod>(PODS);
  const podNames = (): string[] => pods().map((p) => p.metadata.name ?? '');
  const pod = (name: string): StsPod => {
    const p = h.get<StsPod>(PODS, `default/${name}`);
    if (!p) throw new Error(`no pod ${name}`);
    return p;
  };
  const set = (name = 'web'): Sts => h.get<Sts>(STATEFULSETS, `default/${name}`) as Sts;
  const revisions = (): (ControllerRevision & ApiObject)[] => h.list(CONTROLLERREVISIONS);
  const ready = (name: string, isReady = true): void => {
    h.mutate<StsPod>(PODS, `default/${name}`, (p) => {
      Object.assign(p, {
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Ready', status: isReady ? 'True' : 'False', lastTransitionTime: rfc3339(h.now()) },
          ],
        },
      });
    });
  };
  const updateSpec = (fn: (spec: NonNullable<Sts['spec']>) => void, name = 'web'): void => {
    h.mutate<Sts>(STATEFULSETS, `default/${name}`, (o) => fn(o.spec as NonNullable<Sts['spec']>));
  };
  const setImage = (image: string): void =>
    updateSpec((spec) => {
      const c = spec.template.spec?.containers[0];
      if (c) c.image = image;
    });
  /** Syncs, marking every pod Running and Ready, until nothing changes. */
  const converge = async (max = 30): Promise<void> => {
    for (let i = 0; i < max; i++) {
      const before = h.fake.rv;
      await sync();
      for (const p of pods()) if (p.status?.phase !== 'Running') ready(p.metadata.name ?? '');
      await h.settle();
      if (h.fake.rv === before) return;
    }
    throw new Error('did not converge');
  };

  it('creates pods one at a time in ordinal order, each after its predecessor is Running and Ready', async () => {
    h.create(STATEFULSETS, statefulSet());
    await sync();
    expect(podNames()).toEqual(['web-0']);
    await sync();
    expect(podNames()).toEqual(['web-0']);

    ready('web-0', false);
    await sync();
    expect(podNames()).toEqual(['web-0']);

    ready('web-0');
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1']);
    ready('web-1');
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    ready('web-2');
    await sync();

    const p = pod('web-1');
    expect(p.spec?.hostname).toBe('web-1');
    expect(p.spec?.subdomain).toBe('nginx');
    const rev = revisions()[0];
    expect(p.metadata.labels).toEqual({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
      'controller-revision-hash': rev?.metadata.name,
    });
    expect(p.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'web',
        uid: set().metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(set().status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: rev?.metadata.name,
      updateRevision: rev?.metadata.name,
      collisionCount: 0,
    });
    expect(h.events().filter((e) => e.startsWith('SuccessfulCreate'))).toEqual([
      'SuccessfulCreate: create Pod web-0 in StatefulSet web successful',
      'SuccessfulCreate: create Pod web-1 in StatefulSet web successful',
      'SuccessfulCreate: create Pod web-2 in StatefulSet web successful',
    ]);
  });

  it('stores the template as a ControllerRevision whose data is the patch kubectl rollout undo applies', async () => {
    h.create(STATEFULSETS, statefulSet());
    await sync();
    const [rev, ...rest] = revisions();
    expect(rest).toEqual([]);
    expect(rev?.revision).toBe(1);
    expect(rev?.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const hash = rev?.metadata.name?.slice('web-'.length);
    expect(rev?.metadata.labels).toEqual({ app: 'web', 'controller.kubernetes.io/hash': hash });
    expect(rev?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'StatefulSet',
      name: 'web',
      controller: true,
    });
    expect(rev?.data).toEqual({
      spec: {
        template: {
          $patch: 'replace',
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'k8ts.local/web:1', resources: {} }] },
        },
      },
    });
  });

  it('creates every pod at once with the Parallel policy', async () => {
    h.create(STATEFULSETS, statefulSet({ podManagementPolicy: 'Parallel' }));
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('honours spec.ordinals.start', async () => {
    h.create(STATEFULSETS, statefulSet({ replicas: 2, ordinals: { start: 5 } }));
    await converge();
    expect(podNames()).toEqual(['web-5', 'web-6']);
    expect(pod('web-6').metadata.labels?.['apps.kubernetes.io/pod-index']).toBe('6');
  });

  it('scales down from the highest ordinal, one pod at a time, waiting for terminating pods', async () => {
    h.create(STATEFULSETS, statefulSet());
    await converge();
    updateSpec((spec) => (spec.replicas = 1));

    // A terminating pod blocks further deletions.
    h.mutate<StsPod>(PODS, 'default/web-2', (p) =>
      Object.assign(p.metadata, { deletionTimestamp: rfc3339(h.now()) }),
    );
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);

    h.remove(PODS, 'default/web-2');
    await sync();
    expect(podNames()).toEqual(['web-0']);
    expect(h.events().filter((e) => e.startsWith('SuccessfulDelete'))).toEqual([
      'SuccessfulDelete: delete Pod web-1 in StatefulSet web successful',
    ]);
    // The status of a pass counts the pods it started from; the next pass sees the deletion.
    expect(set().status?.replicas).toBe(2);
    await sync();
    expect(set().status?.replicas).toBe(1);
  });

  it('deletes one condemned pod per pass, highest first', async () => {
    h.create(STATEFULSETS, statefulSet({ replicas: 4 }));
    await converge();
    updateSpec((spec) => (spec.replicas = 1));
    const deleted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const before = new Set(podNames());
      await sync();
      deleted.push(...[...before].filter((n) => !podNames().includes(n)));
    }
    expect(deleted).toEqual(['web-3', 'web-2', 'web-1']);
  });

  it('does not scale down past an unhealthy pod', async () => {
    h.create(STATEFULSETS, statefulSet());
    await converge();
    ready('web-2', false);
    ready('web-1', false);
    updateSpec((spec) => (spec.replicas = 1));
    // The lowest unhealthy pod (web-1) is the only one that may go while others are unhealthy, and
    // web-2 must go first: nothing moves.
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    ready('web-1');
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1']);
    await sync();
    expect(podNames()).toEqual(['web-0']);
  });

  it('replaces a failed pod', async () => {
    h.create(STATEFULSETS, statefulSet());
    await converge();
    const oldUid = pod('web-1').metadata.uid;
    h.mutate<StsPod>(PODS, 'default/web-1', (p) => Object.assign(p, { status: { phase: 'Failed' } }));
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1', 'web-2']);
    expect(pod('web-1').metadata.uid).not.toBe(oldUid);
    expect(h.events()).toContain(
      'RecreatingFailedPod: StatefulSet default/web is recreating failed Pod web-1',
    );
  });

  it('rolls out a new template from the highest ordinal down, one pod at a time', async () => {
    h.create(STATEFULSETS, statefulSet());
    await converge();
    const [rev1] = revisions();
    setImage('k8ts.local/web:2');
    const order: string[] = [];
    for (let i = 0; i < 20 && set().status?.currentRevision === rev1?.metadata.name; i++) {
      const before = new Map(pods().map((p) => [p.metadata.name, p.metadata.uid]));
      await sync();
      for (const [name, uid] of before)
        if (h.get(PODS, `default/${name}`)?.metadata.uid !== uid) order.push(name ?? '');
      for (const p of pods()) if (p.status?.phase !== 'Running') ready(p.metadata.name ?? '');
      await h.settle();
      // Never more than one pod missing or unready.
      expect(pods().filter((p) => p.status?.phase === 'Running').length).toBeGreaterThanOrEqual(2);
    }
    expect(order).toEqual(['web-2', 'web-1', 'web-0']);
    const revs = revisions();
    expect(revs.map((r) => r.revision)).toEqual([1, 2]);
    const rev2 = revs.find((r) => r.revision === 2);
    expect(pods().map((p) => p.spec?.containers[0]?.image)).toEqual(Array(3).fill('k8ts.local/web:2'));
    await sync();
    expect(set().status).toMatchObject({
      currentRevision: rev2?.metadata.name,
      updateRevision: rev2?.metadata.name,
      currentReplicas: 3,
      updatedReplicas: 3,
      observedGeneration: 2,
    });
  });

  it('keeps pods below the partition at the current revision', async () => {
    h.create(STATEFULSETS, statefulSet());
    await converge();
    updateSpec((spec) => {
      spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
      const c = spec.template.spec?.containers[0];
      if (c) c.image = 'k8ts.local/web:2';
    });
    await converge();
    expect(pods().map((p) => p.spec?.containers[0]?.image)).toEqual([
      'k8ts.local/web:1',
      'k8ts.local/web:1',
      'k8ts.local/web:2',
    ]);
    expect(set().status).toMatchObject({ currentReplicas: 2, updatedReplicas: 1, replicas: 3 });
    expect(set().status?.currentRevision).not.toBe(set().status?.updateRevision);

    // A deleted pod below the partition comes back at the current revision.
    h.remove(PODS, 'default/web-0');
    await converge();
    expect(pod('web-0').spec?.containers[0]?.image).toBe('k8ts.local/web:1');

    updateSpec((spec) => (spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }));
    await converge();
    expect(pods().map((p) => p.spec?.containers[0]?.image)).toEqual(Array(3).fill('k8ts.local/web:2'));
    expect(set().status?.currentRevision).toBe(set().status?.updateRevision);
  });

  it('with OnDelete, updates a pod only when it is deleted', async () => {
    h.create(STATEFULSETS, statefulSet({ updateStrategy: { type: 'OnDelete' } }));
    await converge();
    setImage('k8ts.local/web:2');
    await converge();
    expect(pods().map((p) => p.spec?.containers[0]?.image)).toEqual(Array(3).fill('k8ts.local/web:1'));
    expect(set().status).toMatchObject({ currentReplicas: 3 });
    expect(set().status?.updatedReplicas ?? 0).toBe(0);
    h.remove(PODS, 'default/web-1');
    await converge();
    expect(pods().map((p) => p.spec?.containers[0]?.image)).toEqual([
      'k8ts.local/web:1',
      'k8ts.local/web:2',
      'k8ts.local/web:1',
    ]);
    expect(set().status).toMatchObject({ currentReplicas: 2, updatedReplicas: 1 });
  });

  it('rolls back by renumbering the old revision rather than creating another', async () => {
    h.create(STATEFULSETS, statefulSet());
    await converge();
    const [rev1] = revisions();
    setImage('k8ts.local/web:2');
    await converge();
    setImage('k8ts.local/web:1');
    await converge();
    const revs = revisions();
    expect(revs).toHaveLength(2);
    expect(revs.find((r) => r.metadata.name === rev1?.metadata.name)?.revision).toBe(3);
    expect(set().status?.updateRevision).toBe(rev1?.metadata.name);
    expect(set().status?.currentRevision).toBe(rev1?.metadata.name);
  });

  it('keeps at most revisionHistoryLimit unused revisions', async () => {
    h.create(STATEFULSETS, statefulSet({ replicas: 1, revisionHistoryLimit: 1 }));
    await converge();
    for (const tag of ['2', '3', '4']) {
      setImage(`k8ts.local/web:${tag}`);
      await converge();
    }
    expect(revisions().map((r) => r.revision)).toEqual([3, 4]);
  });

  it('creates the claims of volumeClaimTemplates and mounts them', async () => {
    h.create(
      STATEFULSETS,
      statefulSet({
        replicas: 2,
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      }),
    );
    await converge();
    const claims = h.list<Claim>(PVCS);
    expect(claims.map((c) => c.metadata.name)).toEqual(['data-web-0', 'data-web-1']);
    expect(claims[0]?.metadata.labels).toEqual({ app: 'web' });
    expect(claims[0]?.spec?.resources?.requests).toEqual({ storage: '1Gi' });
    expect(claims[0]?.metadata.ownerReferences ?? []).toEqual([]);
    expect(pod('web-1').spec?.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
    ]);
    expect(h.events()).toContain(
      'SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success',
    );
  });

  it('gives claims to the set or to condemned pods as the retention policy says', async () => {
    h.create(
      STATEFULSETS,
      statefulSet({
        replicas: 2,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      }),
    );
    await converge();
    const uid = set().metadata.uid;
    const owners = (name: string): string[] =>
      (h.get<Claim>(PVCS, `default/${name}`)?.metadata.ownerReferences ?? []).map(
        (r) => `${r.kind}/${r.name}`,
      );
    expect(owners('data-web-0')).toEqual(['StatefulSet/web']);
    expect(h.get<Claim>(PVCS, 'default/data-web-1')?.metadata.ownerReferences?.[0]?.uid).toBe(uid);

    updateSpec((spec) => (spec.replicas = 1));
    await sync();
    expect(owners('data-web-1')).toEqual(['Pod/web-1']);
    expect(podNames()).toEqual(['web-0']);
  });

  it('waits minReadySeconds before creating the next pod', async () => {
    h.create(STATEFULSETS, statefulSet({ replicas: 2, minReadySeconds: 10 }));
    await sync();
    ready('web-0');
    await sync();
    expect(podNames()).toEqual(['web-0']);
    expect(set().status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    h.time.advance(10_000);
    await sync();
    expect(podNames()).toEqual(['web-0', 'web-1']);
    expect(set().status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });

  it('adopts orphan pods named after the set and ignores others', async () => {
    const orphan = (name: string): StsPod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'x' }] },
    });
    h.create(PODS, orphan('web-0'));
    h.create(PODS, orphan('other-0'));
    h.create(STATEFULSETS, statefulSet({ replicas: 1 }));
    await sync();
    expect(pod('web-0').metadata.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'web' });
    expect(pod('other-0').metadata.ownerReferences).toBeUndefined();
  });

  it('does nothing for a set whose selector cannot be parsed', async () => {
    h.create(
      STATEFULSETS,
      statefulSet({ selector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] } }),
    );
    await sync();
    expect(pods()).toEqual([]);
  });

  it('keeps going after a failed create and reports it', async () => {
    h.create(STATEFULSETS, statefulSet({ replicas: 1 }));
    const { ApiError } = await import('../../api/errors.js');
    h.fake.failNext('create', new ApiError(403, 'Forbidden', 'pods "web-0" is forbidden: quota exceeded'), 1);
    await h.settle();
    await expect(s.sync('default/web')).rejects.toThrow('quota exceeded');
    await h.settle();
    expect(h.events()).toContain(
      'FailedCreate: create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: quota exceeded',
    );
    await sync();
    expect(podNames()).toEqual(['web-0']);
  });
});

describe('statefulSetController', () => {
  it('reacts to watch events through its queue until every pod is Ready, and stops when aborted', async () => {
    const h = new Harness(REFS);
    const abort = new AbortController();
    const done = statefulSetController().run(h.ctx, abort.signal);
    await h.start();
    h.create(STATEFULSETS, statefulSet());
    const deadline = Date.now() + 10_000;
    for (;;) {
      for (const p of h.list<StsPod>(PODS)) {
        if (p.status?.phase === 'Running') continue;
        h.mutate<StsPod>(PODS, `default/${p.metadata.name}`, (pod) =>
          Object.assign(pod, {
            status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
          }),
        );
      }
      if (h.get<Sts>(STATEFULSETS, 'default/web')?.status?.readyReplicas === 3) break;
      if (Date.now() > deadline) throw new Error('the controller did not bring 3 pods up');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(h.list<StsPod>(PODS).map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
    abort.abort();
    await done;
    await h.stop();
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta.js';
import { DEPLOYMENTS, JOBS, PDBS, PODS, REPLICASETS } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { ControllerHarness, eventLines, eventually, stopAfterEach } from '../framework/testing/harness.js';
import { rfc3339 } from '../../util/time.js';
import { DisruptionController } from './disruption.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const track = stopAfterEach();

function start(client: FakeClient): void {
  track(new ControllerHarness({ fake: client, time: NOW.getTime() })).runManaged([
    new DisruptionController(),
  ]);
}

function pod(
  name: string,
  opts: { ready?: boolean; owner?: KubeObject; extra?: Record<string, unknown> } = {},
): KubeObject {
  const ready = opts.ready ?? true;
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: { app: 'web' },
      ...(opts.owner
        ? {
            ownerReferences: [
              {
                apiVersion: String(opts.owner['apiVersion']),
                kind: String(opts.owner['kind']),
                name: opts.owner.metadata?.name ?? '',
                uid: opts.owner.metadata?.uid ?? '',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    ...opts.extra,
  };
}

function pdb(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    metadata: { name, namespace: 'ns', generation: 1 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    ...(status ? { status } : {}),
  };
}

function statusOf(client: FakeClient, name: string): Record<string, unknown> | undefined {
  return client.stored(PDBS).find((p) => p.metadata.name === name)?.['status'] as
    Record<string, unknown> | undefined;
}

function reasons(client: FakeClient): string[] {
  return eventLines(client);
}

describe('disruption controller', () => {
  it('publishes the status of a budget over bare pods with an integer minAvailable', async () => {
    const client = new FakeClient();
    for (const n of ['a', 'b', 'c']) client.put(PODS, pod(n));
    client.put(PODS, pod('unready', { ready: false }));
    client.put(PODS, {
      ...pod('other'),
      metadata: { name: 'other', namespace: 'ns', labels: { app: 'db' } },
    });
    client.put(PDBS, pdb('web', { minAvailable: 2 }));
    start(client);
    const status = await eventually(
      'status',
      () => statusOf(client, 'web'),
      (s) => s?.['observedGeneration'] === 1,
    );
    expect(status).toEqual({
      observedGeneration: 1,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 4,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'True',
          reason: 'SufficientPods',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: rfc3339(NOW),
        },
      ],
    });
    // A pod going unready leaves no disruption to spare.
    client.put(PODS, pod('a', { ready: false }));
    const after = await eventually(
      'after a pod went unready',
      () => statusOf(client, 'web'),
      (s) => s?.['currentHealthy'] === 2,
    );
    expect(after).toMatchObject({
      disruptionsAllowed: 0,
      conditions: [{ status: 'False', reason: 'InsufficientPods' }],
    });
  });

  it('scales percentages by the replicas of the pods’ Deployment', async () => {
    const client = new FakeClient();
    const d = client.put(DEPLOYMENTS, { metadata: { name: 'web', namespace: 'ns' }, spec: { replicas: 4 } });
    const rs = client.put(REPLICASETS, {
      metadata: {
        name: 'web-1',
        namespace: 'ns',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid: d.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: { replicas: 3 },
    });
    for (const n of ['a', 'b', 'c']) client.put(PODS, pod(n, { owner: rs }));
    client.put(PDBS, pdb('max', { maxUnavailable: '50%' }));
    client.put(PDBS, {
      ...pdb('min', { minAvailable: '30%' }),
      spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: '30%' },
    });
    start(client);
    await eventually(
      'maxUnavailable',
      () => statusOf(client, 'max'),
      (s) => s?.['expectedPods'] === 4,
    );
    expect(statusOf(client, 'max')).toMatchObject({
      expectedPods: 4,
      desiredHealthy: 2,
      currentHealthy: 3,
      disruptionsAllowed: 1,
    });
    await eventually(
      'minAvailable',
      () => statusOf(client, 'min'),
      (s) => s?.['expectedPods'] === 4,
    );
    // 30% of 4 rounds up to 2.
    expect(statusOf(client, 'min')).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1 });
  });

  it('fails safe with SyncFailed when a pod’s controller has no scale', async () => {
    const client = new FakeClient();
    const job = client.put(JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'ns' },
      spec: {},
    });
    client.put(PODS, pod('a', { owner: job }));
    client.put(PODS, pod('b'));
    client.put(
      PDBS,
      pdb(
        'web',
        { maxUnavailable: 1 },
        { disruptionsAllowed: 1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
      ),
    );
    start(client);
    const status = await eventually(
      'SyncFailed',
      () => statusOf(client, 'web'),
      (s) => Array.isArray(s?.['conditions']),
    );
    expect(status).toMatchObject({
      disruptionsAllowed: 0,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'False',
          reason: 'SyncFailed',
          message: 'jobs.batch does not implement the scale subresource',
        },
      ],
    });
    await eventually(
      'events',
      () => reasons(client),
      (r) => r.length >= 1,
    );
    expect(reasons(client)).toContain(
      'CalculateExpectedPodCountFailed: Failed to calculate the number of expected pods: jobs.batch does not implement the scale subresource',
    );
  });

  it('warns about unmanaged pods under a percentage, and about budgets that select nothing', async () => {
    const client = new FakeClient();
    client.put(PODS, pod('a'));
    client.put(PDBS, pdb('pct', { minAvailable: '50%' }));
    client.put(PDBS, {
      ...pdb('none', { minAvailable: 1 }),
      spec: { selector: { matchLabels: { app: 'nothing' } }, minAvailable: 1 },
    });
    start(client);
    await eventually(
      'events',
      () => reasons(client),
      (r) => r.length >= 2,
    );
    expect(reasons(client)).toEqual(
      expect.arrayContaining([
        'UnmanagedPods: Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
        'NoPods: No matching pods found',
      ]),
    );
    expect(statusOf(client, 'none')).toBeDefined();
  });

  it('does not count pods being evicted or deleted, and drops evictions older than two minutes', async () => {
    const client = new FakeClient();
    for (const n of ['a', 'b', 'c', 'd']) client.put(PODS, pod(n));
    client.put(
      PODS,
      pod('gone', {
        extra: {
          metadata: {
            name: 'gone',
            namespace: 'ns',
            labels: { app: 'web' },
            deletionTimestamp: rfc3339(NOW),
          },
        },
      }),
    );
    const recent = rfc3339(new Date(NOW.getTime() - 30_000));
    const old = rfc3339(new Date(NOW.getTime() - 3 * 60_000));
    client.put(
      PDBS,
      pdb(
        'web',
        { minAvailable: 1 },
        {
          disruptedPods: { a: recent, b: old },
          disruptionsAllowed: 0,
          currentHealthy: 0,
          desiredHealthy: 0,
          expectedPods: 0,
        },
      ),
    );
    start(client);
    const status = await eventually(
      'status',
      () => statusOf(client, 'web'),
      (s) => s?.['observedGeneration'] === 1,
    );
    // a: evicted 30 s ago, still pending; b: evicted 3 min ago and never deleted: counts again.
    expect(status).toMatchObject({
      disruptedPods: { a: recent },
      currentHealthy: 3,
      expectedPods: 5,
      disruptionsAllowed: 2,
    });
    await eventually(
      'NotDeleted event',
      () => reasons(client),
      (r) => r.some((x) => x.startsWith('NotDeleted')),
    );
    expect(reasons(client)).toContain(
      "NotDeleted: Pod was expected by PDB ns/ns to be deleted but it wasn't",
    );
  });

  it('resets a stale DisruptionTarget condition on a pod that was never deleted', async () => {
    const client = new FakeClient();
    const since = rfc3339(new Date(NOW.getTime() - 3 * 60_000));
    client.put(PODS, {
      ...pod('a'),
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True' },
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'EvictionByEvictionAPI',
            message: 'Eviction API: evicting',
            lastTransitionTime: since,
          },
        ],
      },
    });
    start(client);
    const conds = await eventually(
      'condition reset',
      () =>
        (client.stored(PODS)[0]?.['status'] as { conditions: { type: string; status: string }[] }).conditions,
      (c) => c.some((x) => x.type === 'DisruptionTarget' && x.status === 'False'),
    );
    expect(conds[1]).toEqual({ type: 'DisruptionTarget', status: 'False', lastTransitionTime: rfc3339(NOW) });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { Store } from '../../registry/store.js';
import type { StrategyContext } from '../../registry/strategy.js';
import { logger } from '../../util/log.js';
import type { ServedResources } from '../served.js';
import { openSqliteServed, type SqliteServed } from '../testing/sqlite-served.js';
import { evictPod } from './eviction.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';
const clock = { now: () => new Date('2026-11-29T08:00:00Z') };
const ctx: StrategyContext = {
  user: { username: 'admin', groups: ['system:masters'] },
  namespace: 'ns',
  now: () => clock.now(),
};

let fixture: SqliteServed;
let served: ServedResources;

beforeEach(async () => {
  fixture = await openSqliteServed('eviction', { clock, log });
  served = fixture.served;
});

afterEach(() => fixture.close());

function store(group: string, plural: string): Store {
  const s = served.get(group, group ? 'v1' : 'v1', plural)?.store;
  if (!s) throw new Error(`no store for ${plural}`);
  return s;
}
const pods = (): Store => store('', 'pods');

/** Creates a pod as the API would: defaulted first. */
async function createPod(obj: KubeObject): Promise<void> {
  served.get('', 'v1', 'pods')?.strategy.defaults?.(obj);
  await pods().create(obj, ctx, { dryRun: false });
}
const pdbs = (): Store => store('policy', 'poddisruptionbudgets');

/** A pod on a node, Running; Ready unless `ready` is false. */
async function runningPod(name: string, ready = true, labels = { app: 'web' }): Promise<StoredObject> {
  await createPod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', labels },
    spec: {
      nodeName: 'n1',
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'c', image: 'busybox' }],
    },
  });
  return pods().mutate(name, ctx, { dryRun: false, subresource: 'status' }, (p) => {
    p['status'] = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
    return p;
  });
}

/** A budget with the status a controller would have published. */
async function budget(
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): Promise<void> {
  await pdbs().create(
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace: 'ns' },
      spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    },
    ctx,
    { dryRun: false },
  );
  await pdbs().mutate(name, ctx, { dryRun: false, subresource: 'status' }, (p) => {
    p['status'] = { observedGeneration: 1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...status };
    return p;
  });
}

async function exists(name: string): Promise<boolean> {
  try {
    await pods().get('ns', name, '');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
}

async function pdbStatus(name: string): Promise<Record<string, unknown>> {
  return (await pdbs().get('ns', name, '')).object['status'] as Record<string, unknown>;
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const evict = (name: string, opts: Partial<Parameters<typeof evictPod>[3]> = {}): Promise<KubeObject> =>
  evictPod({ served, clock }, ctx, name, { dryRun: false, ...opts });

describe('pods/eviction', () => {
  it('evicts a pod no budget covers', async () => {
    await runningPod('free', true, { app: 'other' });
    expect(await evict('free')).toMatchObject({ status: 'Success' });
    expect(await exists('free')).toBe(false);
  });

  it('takes a disruption from the budget and records the pod, then refuses with 429', async () => {
    await runningPod('a');
    await runningPod('b');
    await budget(
      'web',
      { minAvailable: 1 },
      { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
    );
    await evict('a');
    expect(await exists('a')).toBe(false);
    const status = await pdbStatus('web');
    expect(status).toMatchObject({
      disruptionsAllowed: 0,
      disruptedPods: { a: '2026-11-29T08:00:00Z' },
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }],
    });
    const err = await refusal(evict('b'));
    expect(err.code).toBe(429);
    expect(err.status).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: 'The disruption budget web needs 1 healthy pods and has 2 currently',
          },
        ],
      },
    });
    expect(await exists('b')).toBe(true);
  });

  it('marks the pod DisruptionTarget before deleting it', async () => {
    await runningPod('slow');
    // A finalizer keeps the evicted pod (terminating), so its condition can be read.
    await pods().mutate('slow', ctx, { dryRun: false, subresource: '' }, (p) => {
      p.metadata.finalizers = ['test/hold'];
      return p;
    });
    await evict('slow');
    const pod = (await pods().get('ns', 'slow', '')).object;
    expect(pod.metadata.deletionTimestamp).toBeDefined();
    expect((pod['status'] as { conditions: unknown[] }).conditions).toContainEqual({
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: '2026-11-29T08:00:00Z',
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    });
  });

  it('always evicts pods that are Pending or finished', async () => {
    await createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pending', namespace: 'ns', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    await runningPod('done');
    await pods().mutate('done', ctx, { dryRun: false, subresource: 'status' }, (p) => {
      p['status'] = { phase: 'Succeeded' };
      return p;
    });
    await budget('web', { minAvailable: 5 }, { disruptionsAllowed: 0 });
    await evict('pending');
    await evict('done');
    expect(await exists('pending')).toBe(false);
    expect(await exists('done')).toBe(false);
    expect(await pdbStatus('web')).toMatchObject({ disruptionsAllowed: 0 });
  });

  it('answers 500 when several budgets cover the pod', async () => {
    await runningPod('a');
    await budget('one', { minAvailable: 1 }, { disruptionsAllowed: 1 });
    await budget('two', { maxUnavailable: 1 }, { disruptionsAllowed: 1 });
    expect(await evict('a')).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      code: 500,
    });
    expect(await exists('a')).toBe(true);
  });

  it('lets an unready pod go without spending the budget when the budget is met', async () => {
    await runningPod('a');
    await runningPod('b');
    await runningPod('sick', false);
    await budget(
      'web',
      { minAvailable: 2 },
      { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 },
    );
    await evict('sick');
    expect(await exists('sick')).toBe(false);
    expect(await pdbStatus('web')).toMatchObject({ disruptionsAllowed: 0 });
    expect((await pdbStatus('web'))['disruptedPods']).toBeUndefined();
  });

  it('refuses an unready pod when the budget is short, unless the policy is AlwaysAllow', async () => {
    await runningPod('sick', false);
    await budget(
      'web',
      { minAvailable: 2 },
      { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 },
    );
    expect((await refusal(evict('sick'))).code).toBe(429);
    await pdbs().mutate('web', ctx, { dryRun: false, subresource: '' }, (p) => {
      (p['spec'] as Record<string, unknown>)['unhealthyPodEvictionPolicy'] = 'AlwaysAllow';
      return p;
    });
    // An unready pod under AlwaysAllow goes regardless of the numbers.
    await evict('sick');
    expect(await exists('sick')).toBe(false);
  });

  it('waits (429) while the controller has not observed a changed budget', async () => {
    await runningPod('a');
    await budget('web', { minAvailable: 0 }, { disruptionsAllowed: 1, currentHealthy: 1, expectedPods: 1 });
    await pdbs().mutate('web', ctx, { dryRun: false, subresource: '' }, (p) => {
      (p['spec'] as Record<string, unknown>)['minAvailable'] = 1;
      return p;
    });
    const waiting = await refusal(evict('a'));
    expect(waiting.code).toBe(429);
    expect(waiting.status.details).toMatchObject({
      retryAfterSeconds: 10,
      causes: [
        {
          reason: 'DisruptionBudget',
          message: 'The disruption budget web is still being processed by the server.',
        },
      ],
    });
  });

  it('changes nothing on a dry run', async () => {
    await runningPod('a');
    await budget('web', { minAvailable: 0 }, { disruptionsAllowed: 1 });
    await evict('a', { dryRun: true });
    expect(await exists('a')).toBe(true);
    expect(await pdbStatus('web')).toMatchObject({ disruptionsAllowed: 1 });
  });

  it('never lets concurrent evictions take more than the budget allows', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await runningPod(n);
    await budget(
      'web',
      { minAvailable: 3 },
      { disruptionsAllowed: 2, currentHealthy: 5, desiredHealthy: 3, expectedPods: 5 },
    );
    const results = await Promise.allSettled(['a', 'b', 'c', 'd', 'e'].map((n) => evict(n)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as ApiError).code)).toEqual([429, 429, 429]);
    expect(Object.keys((await pdbStatus('web'))['disruptedPods'] as object)).toHaveLength(2);
  });
});

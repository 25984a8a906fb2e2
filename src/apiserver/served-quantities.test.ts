/**
 * Quantities reach storage in their canonical form on every write path of the generic store: create,
 * update, patch-like mutations, status writes and mutating admission, for every kind whose schema has
 * quantity fields, including fields no hand-written defaulting touches (autoscaler targets).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import type { KubeObject, StoredObject } from '../api/meta.js';
import type { Store } from '../registry/store.js';
import type { StrategyContext } from '../registry/strategy.js';
import { logger } from '../util/log.js';
import { openSqliteServed, type SqliteServed } from './testing/sqlite-served.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';
const clock = { now: () => new Date('2026-11-29T08:00:00Z') };
const ctx: StrategyContext = {
  user: { username: 'admin', groups: ['system:masters'] },
  namespace: 'ns',
  now: () => clock.now(),
};

let fixture: SqliteServed;

beforeEach(async () => {
  fixture = await openSqliteServed('quantities', { clock, log });
});
afterEach(() => fixture.close());

function store(group: string, version: string, plural: string): Store {
  const s = fixture.served.get(group, version, plural)?.store;
  if (!s) throw new Error(`no store for ${plural}`);
  return s;
}

/** The object as storage holds it, read back from the backend. */
async function stored(s: Store, name: string): Promise<StoredObject> {
  return (await s.get('ns', name)).object as StoredObject;
}

const hpa = (averageValue: unknown): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 3,
    metrics: [
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue } } },
    ],
  },
});

function target(obj: KubeObject): unknown {
  const spec = obj['spec'] as { metrics: { pods: { target: { averageValue: unknown } } }[] };
  return spec.metrics[0]?.pods.target.averageValue;
}

describe('the store writes quantities in canonical form', () => {
  it('on create, in what it returns and what it stores', async () => {
    const s = store('autoscaling', 'v2', 'horizontalpodautoscalers');
    const created = await s.create(hpa('1000m'), ctx, { dryRun: false });
    expect(target(created)).toBe('1');
    expect(target(await stored(s, 'web'))).toBe('1');
  });

  it('on dry-run create too', async () => {
    const s = store('autoscaling', 'v2', 'horizontalpodautoscalers');
    expect(target(await s.create(hpa(0.5), ctx, { dryRun: true }))).toBe('500m');
  });

  it('on update; an update that only respells a quantity writes nothing', async () => {
    const s = store('autoscaling', 'v2', 'horizontalpodautoscalers');
    const created = await s.create(hpa('2'), ctx, { dryRun: false });
    const same = await s.update('web', hpa('2000m'), ctx, { dryRun: false, subresource: '' });
    expect(target(same.object)).toBe('2');
    expect(same.object.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const changed = await s.update('web', hpa('1.5'), ctx, { dryRun: false, subresource: '' });
    expect(target(changed.object)).toBe('1500m');
    expect(target(await stored(s, 'web'))).toBe('1500m');
  });

  it('does not bump a workload generation for a respelled quantity', async () => {
    const s = store('apps', 'v1', 'deployments');
    const deployment = (cpu: unknown): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ns' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] },
        },
      },
    });
    const defaults = fixture.served.get('apps', 'v1', 'deployments')?.strategy.defaults;
    const withDefaults = (o: KubeObject): KubeObject => (defaults?.(o), o);
    const created = await s.create(withDefaults(deployment('500m')), ctx, { dryRun: false });
    expect(created.metadata.generation).toBe(1);
    const { object } = await s.update('web', withDefaults(deployment(0.5)), ctx, {
      dryRun: false,
      subresource: '',
    });
    expect(object.metadata.generation).toBe(1);
    expect(object.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('on status writes (a node reporting capacity, a pod its allocated resources)', async () => {
    const nodes = store('', 'v1', 'nodes');
    await nodes.create(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
      { ...ctx, namespace: '' },
      {
        dryRun: false,
      },
    );
    const node = await nodes.mutate(
      'n1',
      { ...ctx, namespace: '' },
      { dryRun: false, subresource: 'status' },
      (n) => {
        n['status'] = {
          capacity: { cpu: 4, memory: '8388608Ki' },
          allocatable: { cpu: '3900m', memory: 8e9 },
        };
        return n;
      },
    );
    expect(node['status']).toMatchObject({
      capacity: { cpu: '4', memory: '8Gi' },
      allocatable: { cpu: '3900m', memory: '8G' },
    });

    const pods = store('', 'v1', 'pods');
    const fresh: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    fixture.served.get('', 'v1', 'pods')?.strategy.defaults?.(fresh);
    await pods.create(fresh, ctx, { dryRun: false });
    const pod = await pods.mutate('p', ctx, { dryRun: false, subresource: 'status' }, (p) => {
      p['status'] = {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'c',
            image: 'busybox',
            imageID: '',
            ready: true,
            restartCount: 0,
            allocatedResources: { cpu: '0.25', memory: '1024Mi' },
          },
        ],
      };
      return p;
    });
    expect(pod['status']).toMatchObject({
      containerStatuses: [{ allocatedResources: { cpu: '250m', memory: '1Gi' } }],
    });
  });

  it('after mutating admission', async () => {
    const s = store('', 'v1', 'resourcequotas');
    const created = await s.create(
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'q', namespace: 'ns' },
        spec: { hard: {} },
      },
      ctx,
      {
        dryRun: false,
        admit: async (obj) => {
          (obj['spec'] as { hard: Record<string, unknown> }).hard['requests.memory'] = '2048Mi';
        },
      },
    );
    expect(created['spec']).toEqual({ hard: { 'requests.memory': '2Gi' } });
  });

  it('leaves an invalid quantity for validation, which reports it as before', async () => {
    const s = store('', 'v1', 'pods');
    const err = await s
      .create(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'bad', namespace: 'ns' },
          spec: {
            containers: [
              { name: 'c', image: 'busybox', resources: { requests: { cpu: '1x', memory: '-0.5' } } },
            ],
          },
        },
        ctx,
        { dryRun: false },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const message = (err as ApiError).message;
    expect(message).toContain(`spec.containers[0].resources.requests[cpu]: Invalid value: "1x"`);
    // A valid but negative value is reported in its canonical form, as upstream prints it.
    expect(message).toContain(`spec.containers[0].resources.requests[memory]: Invalid value: "-500m"`);
  });
});

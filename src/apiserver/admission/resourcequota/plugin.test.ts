import { describe, expect, it } from 'vitest';
import { apiErrors, ApiError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { findResource, type ResourceType } from '../../../api/resources.js';
import type { AdmissionAttributes, Operation } from '../types.js';
import { resourceQuotaAdmission, type QuotaStore } from './plugin.js';

const PODS = findResource({ group: '', version: 'v1' }, 'pods') as ResourceType;
const SERVICES = findResource({ group: '', version: 'v1' }, 'services') as ResourceType;
const CONFIGMAPS = findResource({ group: '', version: 'v1' }, 'configmaps') as ResourceType;
const DEPLOYMENTS = findResource({ group: 'apps', version: 'v1' }, 'deployments') as ResourceType;
const NOW = new Date('2025-01-01T00:00:00Z');

/** An in-memory quota store with resourceVersions; `staleReads` makes the cache lag on purpose. */
class MemoryQuotas implements QuotaStore {
  readonly objects = new Map<string, KubeObject>();
  rv = 10;
  writes = 0;
  /** Objects the cache returns instead of the stored ones (a lagging watch cache). */
  cache = new Map<string, KubeObject>();

  put(name: string, hard: Record<string, string>, used?: Record<string, string>, scopes?: string[]): void {
    this.objects.set(name, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv) },
      spec: { hard, ...(scopes ? { scopes } : {}) },
      status: { hard, ...(used ? { used } : {}) },
    });
  }
  used(name: string): unknown {
    return (this.objects.get(name)?.['status'] as { used?: unknown }).used;
  }
  cached(): KubeObject[] {
    return [...this.objects.keys()].map((k) =>
      structuredClone(this.cache.get(k) ?? (this.objects.get(k) as KubeObject)),
    );
  }
  fresh(): Promise<KubeObject[]> {
    this.cache.clear();
    return Promise.resolve([...this.objects.values()].map((o) => structuredClone(o)));
  }
  writeUsed(quota: KubeObject, used: Record<string, string>): Promise<KubeObject> {
    const name = quota.metadata?.name ?? '';
    const cur = this.objects.get(name);
    if (!cur || cur.metadata?.resourceVersion !== quota.metadata?.resourceVersion)
      return Promise.reject(apiErrors.staleUpdate({ group: '', resource: 'resourcequotas' }, name));
    const next = structuredClone(cur);
    (next['status'] as Record<string, unknown>)['used'] = used;
    next.metadata = { ...next.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(name, next);
    this.writes++;
    return Promise.resolve(structuredClone(next));
  }
}

function attrs(
  resource: ResourceType,
  object: KubeObject,
  extra: Partial<AdmissionAttributes> = {},
): AdmissionAttributes {
  return {
    operation: 'CREATE' as Operation,
    resource,
    subresource: '',
    namespace: 'ns',
    name: object.metadata?.name ?? '',
    object,
    user: { username: 'admin', groups: [] },
    dryRun: false,
    ...extra,
  };
}

function pod(
  name: string,
  resources?: Record<string, unknown>,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns' },
    spec: { containers: [{ name: 'c', ...(resources ? { resources } : {}) }], ...spec },
  };
}

function plugin(store: QuotaStore) {
  return resourceQuotaAdmission({ store, now: () => NOW });
}

async function outcome(p: Promise<void> | void): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof ApiError) return `${err.code} ${err.message}`;
    throw err;
  }
}

describe('ResourceQuota admission', () => {
  it('charges pods and refuses the one over the limit with upstream wording', async () => {
    const store = new MemoryQuotas();
    store.put('q', { pods: '2' }, { pods: '0' });
    const rq = plugin(store);
    expect(await outcome(rq.validate?.(attrs(PODS, pod('a'))))).toBe('ok');
    expect(await outcome(rq.validate?.(attrs(PODS, pod('b'))))).toBe('ok');
    expect(store.used('q')).toEqual({ pods: '2' });
    expect(await outcome(rq.validate?.(attrs(PODS, pod('c'))))).toBe(
      '403 pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
  });

  it('admits exactly up to the limit when creates race (one write per batch, conflicts retried)', async () => {
    const store = new MemoryQuotas();
    store.put('q', { pods: '5', 'requests.cpu': '1' }, { pods: '0', 'requests.cpu': '0' });
    const rq = plugin(store);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        outcome(
          rq.validate?.(attrs(PODS, pod(`p${i}`, { requests: { cpu: '100m' }, limits: { cpu: '100m' } }))),
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(
      results.filter((r) => r.includes('exceeded quota: q, requested: pods=1, used: pods=5')),
    ).toHaveLength(7);
    expect(store.used('q')).toEqual({ pods: '5', 'requests.cpu': '500m' });
    expect(store.writes).toBeLessThan(5);
  });

  it('re-reads a quota another writer changed (stale cache) and never goes over', async () => {
    const store = new MemoryQuotas();
    store.put('q', { pods: '2' }, { pods: '1' });
    // Another server charged the last pod; this server's cache still shows the old usage.
    store.cache.set('q', structuredClone(store.objects.get('q') as KubeObject));
    const cur = store.objects.get('q') as KubeObject;
    store.objects.set('q', {
      ...cur,
      metadata: { ...cur.metadata, resourceVersion: '99' },
      status: { hard: { pods: '2' }, used: { pods: '2' } },
    });
    expect(await outcome(plugin(store).validate?.(attrs(PODS, pod('x'))))).toBe(
      '403 pods "x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
  });

  it('requires cpu and memory on every container when the quota tracks them', async () => {
    const store = new MemoryQuotas();
    store.put(
      'compute',
      { 'limits.cpu': '2', 'requests.memory': '1Gi' },
      { 'limits.cpu': '0', 'requests.memory': '0' },
    );
    const p = pod('web', { requests: { cpu: '100m' } });
    (p['spec'] as { initContainers?: unknown }).initContainers = [{ name: 'init' }];
    expect(await outcome(plugin(store).validate?.(attrs(PODS, p)))).toBe(
      '403 pods "web" is forbidden: failed quota: compute: must specify limits.cpu for: c,init; requests.memory for: c,init',
    );
  });

  it('refuses while the quota has no usage yet', async () => {
    const store = new MemoryQuotas();
    store.put('q', { pods: '2', services: '1' });
    expect(await outcome(plugin(store).validate?.(attrs(PODS, pod('a'))))).toBe(
      '403 pods "a" is forbidden: status unknown for quota: q, resources: pods',
    );
  });

  it('applies scopes: a BestEffort quota ignores pods with requests', async () => {
    const store = new MemoryQuotas();
    store.put('besteffort', { pods: '1' }, { pods: '1' }, ['BestEffort']);
    const rq = plugin(store);
    expect(await outcome(rq.validate?.(attrs(PODS, pod('burst', { requests: { cpu: '1' } }))))).toBe('ok');
    expect(await outcome(rq.validate?.(attrs(PODS, pod('be'))))).toContain('exceeded quota: besteffort');
  });

  it('counts services, node ports and load balancers; charges only growth on update', async () => {
    const store = new MemoryQuotas();
    store.put(
      'svc',
      { services: '5', 'services.nodeports': '2', 'services.loadbalancers': '0' },
      { services: '0', 'services.nodeports': '0', 'services.loadbalancers': '0' },
    );
    const rq = plugin(store);
    const svc = (type: string, ports: number): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'ns', resourceVersion: '5' },
      spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
    });
    expect(await outcome(rq.validate?.(attrs(SERVICES, svc('ClusterIP', 3))))).toBe('ok');
    expect(store.used('svc')).toEqual({
      services: '1',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    expect(
      await outcome(
        rq.validate?.(
          attrs(SERVICES, svc('NodePort', 3), { operation: 'UPDATE', oldObject: svc('ClusterIP', 3) }),
        ),
      ),
    ).toBe(
      '403 services "s" is forbidden: exceeded quota: svc, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2',
    );
    expect(await outcome(rq.validate?.(attrs(SERVICES, svc('LoadBalancer', 1))))).toContain(
      'requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    );
  });

  it('counts any kind by count/<resource>.<group>, and the legacy core names', async () => {
    const store = new MemoryQuotas();
    store.put(
      'counts',
      { 'count/deployments.apps': '1', configmaps: '1' },
      { 'count/deployments.apps': '1', configmaps: '0' },
    );
    const rq = plugin(store);
    const deploy: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };
    expect(await outcome(rq.validate?.(attrs(DEPLOYMENTS, deploy)))).toBe(
      '403 deployments.apps "d" is forbidden: exceeded quota: counts, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } };
    expect(await outcome(rq.validate?.(attrs(CONFIGMAPS, cm)))).toBe('ok');
    expect(store.used('counts')).toEqual({ 'count/deployments.apps': '1', configmaps: '1' });
  });

  it('checks dry runs without charging', async () => {
    const store = new MemoryQuotas();
    store.put('q', { pods: '1' }, { pods: '0' });
    const rq = plugin(store);
    expect(await outcome(rq.validate?.(attrs(PODS, pod('a'), { dryRun: true })))).toBe('ok');
    expect(store.used('q')).toEqual({ pods: '0' });
    expect(store.writes).toBe(0);
  });

  it('does not charge pod updates or subresources', async () => {
    const store = new MemoryQuotas();
    store.put('q', { pods: '0' }, { pods: '0' });
    const rq = plugin(store);
    expect(
      await outcome(rq.validate?.(attrs(PODS, pod('a'), { operation: 'UPDATE', oldObject: pod('a') }))),
    ).toBe('ok');
    expect(await outcome(rq.validate?.(attrs(PODS, pod('a'), { subresource: 'status' })))).toBe('ok');
  });
});

import type { Node } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { desiredEndpoints } from './desired.js';
import type { PodObject, ServiceObject } from './podutil.js';
import { planSlices, sliceLabels, type SliceObject, type SlicePlan } from './reconcile.js';
import { node, pod, service } from './testing/harness.js';

const nodeOf = (): Node => node('n1') as Node;
const web = service('web', { labels: { team: 'a' } }) as ServiceObject;

function pods(n: number, opts: { ready?: boolean } = {}): PodObject[] {
  return Array.from(
    { length: n },
    (_, i) =>
      pod(`p${String(i).padStart(3, '0')}`, {
        ip: `10.42.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        ...opts,
      }) as PodObject,
  );
}

function plan(svc: ServiceObject, ps: PodObject[], existing: SliceObject[], max = 100): SlicePlan {
  return planSlices(svc, desiredEndpoints(svc, ps, nodeOf).byAddressType, existing, max);
}

/** Applies a plan as the server would (names for creates). */
function applied(p: SlicePlan, existing: SliceObject[]): SliceObject[] {
  let n = 0;
  const gone = new Set(p.delete.map((s) => s.metadata.name));
  const updated = new Map(p.update.map((s) => [s.metadata.name, s]));
  const out = existing
    .filter((s) => !gone.has(s.metadata.name))
    .map((s) => updated.get(s.metadata.name) ?? s);
  for (const c of p.create) out.push({ ...c, metadata: { ...c.metadata, name: `web-${++n}`, uid: `s${n}` } });
  return out;
}

describe('planSlices', () => {
  it('creates labelled, owned slices of at most 100 endpoints', () => {
    const p = plan(web, pods(250), []);
    expect(p.update).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(p.create.map((s) => s.endpoints.length)).toEqual([100, 100, 50]);
    const s = p.create[0];
    expect(s?.metadata).toEqual({
      generateName: 'web-',
      namespace: 'ns',
      labels: {
        team: 'a',
        'kubernetes.io/service-name': 'web',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: 'web',
          uid: 'uid-ns-web',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(s?.addressType).toBe('IPv4');
    expect(s?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('writes nothing when the slices already match', () => {
    const ps = pods(120);
    const state = applied(plan(web, ps, []), []);
    expect(plan(web, ps, state)).toEqual({ create: [], update: [], delete: [] });
  });

  it('updates only the slice whose endpoint changed', () => {
    const ps = pods(150);
    const state = applied(plan(web, ps, []), []);
    ps[120] = pod('p120', { ip: '10.42.0.121', ready: false }) as PodObject;
    const p = plan(web, ps, state);
    expect(p.create).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(p.update).toHaveLength(1);
    expect(p.update[0]?.metadata.name).toBe('web-2');
    expect(p.update[0]?.endpoints.find((e) => e.targetRef?.name === 'p120')?.conditions?.ready).toBe(false);
  });

  it('fills a slice with room before creating one', () => {
    const state = applied(plan(web, pods(150), []), []);
    const p = plan(web, pods(160), state);
    expect(p.create).toEqual([]);
    expect(p.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([['web-2', 60]]);
  });

  it('keeps one placeholder slice when nothing is selected', () => {
    const p = plan(web, [], []);
    expect(p.create).toHaveLength(1);
    expect(p.create[0]?.endpoints).toEqual([]);
    expect(p.create[0]?.ports).toEqual([]);
    const state = applied(p, []);
    expect(plan(web, [], state)).toEqual({ create: [], update: [], delete: [] });
  });

  it('turns the placeholder into the first real slice, and back when scaled to zero', () => {
    const placeholder = applied(plan(web, [], []), []);
    const up = plan(web, pods(3), placeholder);
    expect(up.create).toEqual([]);
    expect(up.delete).toEqual([]);
    expect(up.update.map((s) => [s.metadata.name, s.endpoints.length, s.ports?.length])).toEqual([
      ['web-1', 3, 1],
    ]);
    const state = applied(up, placeholder);
    const down = plan(web, [], state);
    expect(down.create).toEqual([]);
    expect(down.delete).toEqual([]);
    expect(down.update.map((s) => [s.metadata.name, s.endpoints.length, s.ports?.length])).toEqual([
      ['web-1', 0, 0],
    ]);
  });

  it('deletes emptied slices and those of a previous Service of the same name', () => {
    const state = applied(plan(web, pods(250), []), []);
    const foreign = {
      ...state[0],
      metadata: { ...state[0]?.metadata, name: 'web-old', ownerReferences: [] },
    } as SliceObject;
    const p = plan(web, pods(50), [...state, foreign]);
    expect(p.create).toEqual([]);
    expect(p.delete.map((s) => s.metadata.name).sort()).toEqual(['web-2', 'web-3', 'web-old']);
    expect(p.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([['web-1', 50]]);
  });

  it('follows label changes of the Service, with the headless marker for clusterIP None', () => {
    const state = applied(plan(web, pods(2), []), []);
    const relabelled = { ...web, metadata: { ...web.metadata, labels: { team: 'b' } } } as ServiceObject;
    const p = plan(relabelled, pods(2), state);
    expect(p.update).toHaveLength(1);
    expect(p.update[0]?.metadata.labels?.['team']).toBe('b');
    const headless = service('db', { spec: { clusterIP: 'None', clusterIPs: ['None'] } }) as ServiceObject;
    expect(sliceLabels(headless)).toEqual({
      'service.kubernetes.io/headless': '',
      'kubernetes.io/service-name': 'db',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
  });

  it('moves a pod between port sets when its named port appears', () => {
    const named = service('web', {
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] },
    }) as ServiceObject;
    const without = [pod('a') as PodObject];
    const state = applied(plan(named, without, []), []);
    expect(state.map((s) => [s.ports, s.endpoints.length])).toEqual([[[], 1]]);
    const withPort = [pod('a', { ports: [{ name: 'web', containerPort: 8080 }] }) as PodObject];
    const next = applied(plan(named, withPort, state), state);
    expect(next.map((s) => [s.ports, s.endpoints.length])).toEqual([
      [[{ name: 'http', port: 8080, protocol: 'TCP' }], 1],
    ]);
  });
});

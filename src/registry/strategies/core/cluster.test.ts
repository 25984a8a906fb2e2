import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { fieldErrorString } from '../../../api/errors.js';
import { coreStrategies, coreSubresourceStrategies } from './index.js';
import { create, update, updateStatus } from './testing.js';

const namespaces = coreStrategies['namespaces']!;
const nodes = coreStrategies['nodes']!;

describe('namespaces', () => {
  const ns = (spec?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-a' },
    ...(spec ? { spec } : {}),
  });

  it('is Active with the kubernetes finalizer and its name label', () => {
    const { obj, errors } = create(namespaces, ns());
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({
      metadata: { labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    expect(namespaces.nameValidation).toBe('label');
    expect(namespaces.selectableFields?.(obj)).toEqual({ 'status.phase': 'Active', name: 'team-a' });
  });

  it('validates finalizer names', () => {
    expect(create(namespaces, ns({ finalizers: ['custom'] })).errors).toEqual([
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(create(namespaces, ns({ finalizers: ['example.com/cleanup'] })).errors).toEqual([]);
  });

  it('keeps finalizers and status on plain updates', () => {
    const stored = create(namespaces, ns()).obj;
    const { obj } = update(
      namespaces,
      { ...ns({ finalizers: [] }), status: { phase: 'Terminating' } },
      stored,
    );
    expect(obj).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  });

  it('checks the phase against deletionTimestamp on status updates', () => {
    const stored = create(namespaces, ns()).obj;
    const next = structuredClone(stored);
    next['status'] = { phase: 'Terminating' };
    expect(updateStatus(namespaces, next, stored).errors).toEqual([
      'status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty',
    ]);
  });

  it('changes finalizers only through finalize', () => {
    const stored = create(namespaces, ns()).obj;
    const finalize = coreSubresourceStrategies['namespaces/finalize']!;
    const next = { ...structuredClone(stored), spec: { finalizers: [] }, status: { phase: 'Gone' } };
    finalize.prepareForUpdate(next, stored);
    expect(next).toMatchObject({ spec: { finalizers: [] }, status: { phase: 'Active' } });
    expect(
      finalize.validateUpdate({ ...next, spec: { finalizers: ['bad'] } }, stored).map(fieldErrorString),
    ).toEqual([
      'spec.finalizers[0]: Invalid value: "bad": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

describe('nodes', () => {
  const node = (spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1' },
    spec,
    ...(status ? { status } : {}),
  });

  it('defaults allocatable from capacity and syncs podCIDR', () => {
    const { obj, errors } = create(
      nodes,
      node({ podCIDR: '10.244.1.0/24' }, { capacity: { cpu: '4', memory: '8192Mi' } }),
    );
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: { capacity: { cpu: '4', memory: '8Gi' }, allocatable: { cpu: '4', memory: '8Gi' } },
    });
  });

  it('validates taints and CIDRs', () => {
    expect(create(nodes, node({ taints: [{ key: 'a', effect: 'Sometimes' }] })).errors).toEqual([
      'metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
    expect(
      create(
        nodes,
        node({
          taints: [
            { key: 'a', effect: 'NoSchedule' },
            { key: 'a', value: 'b', effect: 'NoSchedule' },
          ],
        }),
      ).errors,
    ).toEqual([
      'metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"b", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
    ]);
    expect(create(nodes, node({ podCIDRs: ['10.0.0.0/33'] })).errors).toEqual([
      'spec.podCIDRs[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
  });

  it('makes podCIDRs and providerID immutable once set', () => {
    const stored = create(nodes, node({ podCIDRs: ['10.244.1.0/24'], providerID: 'k8ts://node-1' })).obj;
    const { errors } = update(
      nodes,
      node({ podCIDRs: ['10.244.2.0/24'], providerID: 'k8ts://other' }),
      stored,
    );
    expect(errors).toEqual([
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]);
    expect(update(nodes, node({}), create(nodes, node({})).obj).errors).toEqual([]);
  });

  it('keeps spec on status updates and selects by unschedulable', () => {
    const stored = create(nodes, node({ unschedulable: true })).obj;
    const { obj, errors } = updateStatus(nodes, node({}, { capacity: { cpu: '2' } }), stored);
    expect(errors).toEqual([]);
    expect(obj['spec']).toEqual({ unschedulable: true });
    expect(nodes.selectableFields?.(obj)).toEqual({ 'spec.unschedulable': 'true' });
  });
});

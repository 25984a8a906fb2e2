import { describe, expect, it } from 'vitest';
import type { PodStatus } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../../client/types.js';
import { isOwnStatusEcho } from './pod-manager.js';

const base = (): ApiObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', resourceVersion: '10', labels: { a: 'b' } },
  spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Pending', qosClass: 'BestEffort' },
});

const sent: PodStatus = {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  podIP: '10.42.0.5',
};

/** The object after the server merged `status` into `prev` (keys in another order). */
function merged(prev: ApiObject, status: PodStatus, rv = '11'): ApiObject {
  const old = (prev['status'] ?? {}) as Record<string, unknown>;
  return {
    ...prev,
    metadata: { ...prev.metadata, resourceVersion: rv, managedFields: [{ manager: 'kubelet' }] },
    status: { podIP: status.podIP, ...old, conditions: status.conditions, phase: status.phase },
  };
}

describe('isOwnStatusEcho', () => {
  it('recognises the watch echo of the status the agent wrote', () => {
    const prev = base();
    expect(isOwnStatusEcho(prev, merged(prev, sent), sent)).toBe(true);
  });

  it('is false before the agent wrote anything', () => {
    const prev = base();
    expect(isOwnStatusEcho(prev, merged(prev, sent), undefined)).toBe(false);
  });

  it('is false when someone else changed the status', () => {
    const prev = base();
    const other = { ...sent, phase: 'Failed' as const };
    expect(isOwnStatusEcho(prev, merged(prev, other), sent)).toBe(false);
  });

  it('is false when the spec or the metadata changed too', () => {
    const prev = base();
    const next = merged(prev, sent);
    const spec = next['spec'] as { activeDeadlineSeconds?: number };
    expect(isOwnStatusEcho(prev, { ...next, spec: { ...spec, activeDeadlineSeconds: 5 } }, sent)).toBe(false);
    const deleting = { ...next, metadata: { ...next.metadata, deletionTimestamp: '2026-01-01T00:00:01Z' } };
    expect(isOwnStatusEcho(prev, deleting, sent)).toBe(false);
    const relabelled = { ...next, metadata: { ...next.metadata, labels: { a: 'c' } } };
    expect(isOwnStatusEcho(prev, relabelled, sent)).toBe(false);
  });
});

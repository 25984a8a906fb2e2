import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  equalIgnoreHash,
  maxSurge,
  maxUnavailable,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
  templateHash,
  MAX_REVISION_HISTORY_CHARS,
  REVISION,
  REVISION_HISTORY,
  type DeploymentObject,
  type ReplicaSetObject,
} from './util.js';

const template: PodTemplateSpec = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1' }] },
};

function deployment(
  spec: Partial<NonNullable<DeploymentObject['spec']>> = {},
  annotations = {},
): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', annotations },
    spec: { replicas: 10, selector: { matchLabels: { app: 'web' } }, template, ...spec },
  };
}

describe('surge and unavailability', () => {
  it('rounds a percentage of surge up and of unavailability down', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(2, '50%', 5)).toEqual({ surge: 2, unavailable: 2 });
  });

  it('allows one unavailable pod when both are zero', () => {
    expect(resolveFenceposts(0, 0, 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('0%', '10%', 5)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('is zero for Recreate, and unavailability is capped at replicas', () => {
    expect(maxSurge(deployment({ strategy: { type: 'Recreate' } }))).toBe(0);
    expect(maxUnavailable(deployment({ strategy: { type: 'Recreate' } }))).toBe(0);
    const d = deployment({
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 5 } },
    });
    expect(maxUnavailable(d)).toBe(2);
    expect(maxUnavailable(deployment({ replicas: 0 }))).toBe(0);
  });
});

describe('templates', () => {
  it('hashes a template stably, differently per collision count, in the safe alphabet', () => {
    const a = templateHash(template, undefined);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash(structuredClone(template), undefined)).toBe(a);
    expect(templateHash(template, 1)).not.toBe(a);
    const other = structuredClone(template);
    if (other.spec?.containers[0]) other.spec.containers[0].image = 'busybox:2';
    expect(templateHash(other, undefined)).not.toBe(a);
  });

  it('compares templates ignoring the hash label and zero values', () => {
    const withHash = structuredClone(template);
    withHash.metadata = { labels: { app: 'web', 'pod-template-hash': 'abc' } };
    expect(equalIgnoreHash(template, withHash)).toBe(true);
    const spelled = structuredClone(template);
    (spelled.metadata as Record<string, unknown>)['creationTimestamp'] = null;
    if (spelled.spec?.containers[0]) spelled.spec.containers[0].resources = {};
    expect(equalIgnoreHash(template, spelled)).toBe(true);
    const changed = structuredClone(template);
    if (changed.spec?.containers[0]) changed.spec.containers[0].image = 'busybox:2';
    expect(equalIgnoreHash(template, changed)).toBe(false);
  });
});

describe('new ReplicaSet annotations', () => {
  function rs(annotations: Record<string, string> = {}): ReplicaSetObject {
    return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-x', annotations } };
  }

  it('copies the Deployment annotations except the rollout bookkeeping', () => {
    const d = deployment(
      {},
      {
        'kubernetes.io/change-cause': 'kubectl set image',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        [REVISION]: '7',
      },
    );
    const r = rs();
    expect(setNewReplicaSetAnnotations(d, r, 1, false)).toBe(true);
    expect(r.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'kubectl set image',
      [REVISION]: '1',
      'deployment.kubernetes.io/desired-replicas': '10',
      'deployment.kubernetes.io/max-replicas': '13',
    });
  });

  it('moves the old revision into revision-history when a ReplicaSet comes back', () => {
    const r = rs({ [REVISION]: '1' });
    expect(setNewReplicaSetAnnotations(deployment(), r, 3, true)).toBe(true);
    expect(r.metadata.annotations?.[REVISION]).toBe('3');
    expect(r.metadata.annotations?.[REVISION_HISTORY]).toBe('1');
    setNewReplicaSetAnnotations(deployment(), r, 5, true);
    expect(r.metadata.annotations?.[REVISION_HISTORY]).toBe('1,3');
    // Nothing changes for a revision that is not newer.
    expect(setNewReplicaSetAnnotations(deployment(), r, 5, true)).toBe(false);
  });

  it('trims revision-history from the oldest end', () => {
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(',');
    const r = rs({ [REVISION]: '5000', [REVISION_HISTORY]: long });
    setNewReplicaSetAnnotations(deployment(), r, 5001, true);
    const history = r.metadata.annotations?.[REVISION_HISTORY] ?? '';
    expect(history.length).toBeLessThanOrEqual(MAX_REVISION_HISTORY_CHARS);
    expect(history.endsWith(',1399,5000')).toBe(true);
    expect(history.startsWith('1000,')).toBe(false);
  });
});

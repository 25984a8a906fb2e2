import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { copy, create, del, get, set, update, updateStatus } from '../test-support.js';
import { deploymentStrategy as s } from './deployments.js';

function deployment(...edits: [string, unknown][]): KubeObject {
  const d: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { restartPolicy: 'Always', containers: [{ name: 'web', image: 'nginx' }] },
      },
    },
  };
  for (const [path, value] of edits) set(d, path, value);
  return d;
}

const MISMATCH =
  'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`';

describe('Deployment defaults', () => {
  it('fills replicas, strategy, history and progress deadline', () => {
    const d = deployment();
    s.defaults?.(d);
    expect(d['spec']).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });
  it('leaves Recreate without rollingUpdate and keeps explicit values', () => {
    const d = deployment(['spec.strategy', { type: 'Recreate' }], ['spec.replicas', 0]);
    s.defaults?.(d);
    expect(d['spec']).toMatchObject({ replicas: 0, strategy: { type: 'Recreate' } });
    expect(get(d, 'spec.strategy.rollingUpdate')).toBeUndefined();
  });
});

describe('Deployment validation', () => {
  it('accepts a valid deployment and prepares it', () => {
    const d = deployment(['status', { replicas: 5 }]);
    expect(create(s, d)).toEqual([]);
    expect(d['status']).toEqual({});
    expect(d.metadata?.generation).toBe(1);
  });

  it('requires a selector, and reports the template mismatch like upstream', () => {
    const d = deployment(['spec.template.metadata.labels', { app: 'x' }]);
    del(d, 'spec.selector');
    expect(create(s, d)).toEqual(['spec.selector: Required value', MISMATCH]);
  });

  it('rejects a selector that does not match the template', () => {
    expect(create(s, deployment(['spec.template.metadata.labels', { app: 'x' }]))).toEqual([MISMATCH]);
  });

  it('rejects an empty selector', () => {
    expect(create(s, deployment(['spec.selector', {}]))).toContain(
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    );
  });

  it('rejects negative replicas', () => {
    expect(create(s, deployment(['spec.replicas', -1]))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('rejects maxSurge and maxUnavailable both 0', () => {
    expect(
      create(s, deployment(['spec.strategy', { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }])),
    ).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('checks percentages', () => {
    expect(
      create(
        s,
        deployment(['spec.strategy', { rollingUpdate: { maxSurge: 'abc', maxUnavailable: '150%' } }]),
      ),
    ).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"abc\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
  });

  it('rejects an unknown strategy type and rollingUpdate with Recreate', () => {
    expect(create(s, deployment(['spec.strategy', { type: 'Foo' }]))).toEqual([
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ]);
    expect(create(s, deployment(['spec.strategy', { type: 'Recreate', rollingUpdate: {} }]))).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
  });

  it('requires restartPolicy Always and no activeDeadlineSeconds', () => {
    const d = deployment(
      ['spec.template.spec.restartPolicy', 'OnFailure'],
      ['spec.template.spec.activeDeadlineSeconds', 5],
    );
    expect(create(s, d)).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
  });

  it('requires progressDeadlineSeconds above minReadySeconds', () => {
    expect(create(s, deployment(['spec.minReadySeconds', 10], ['spec.progressDeadlineSeconds', 10]))).toEqual(
      ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds'],
    );
  });

  it('drops rollbackTo, which apps/v1 does not have', () => {
    const d = deployment(['spec.rollbackTo', { revision: 1 }]);
    expect(create(s, d)).toEqual([]);
    expect(get(d, 'spec.rollbackTo')).toBeUndefined();
  });

  it('accepts paused', () => {
    expect(create(s, deployment(['spec.paused', true]))).toEqual([]);
  });
});

describe('Deployment update', () => {
  function stored(): KubeObject {
    const d = deployment();
    create(s, d);
    d['status'] = { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 };
    return d;
  }

  it('keeps the selector immutable', () => {
    const d = deployment(
      ['spec.selector', { matchLabels: { app: 'y' } }],
      ['spec.template.metadata.labels', { app: 'y' }],
    );
    expect(update(s, d, stored())).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('bumps generation on spec or annotation change only, and keeps status', () => {
    const old = stored();
    const same = deployment();
    expect(update(s, same, old)).toEqual([]);
    expect(same.metadata?.generation).toBe(1);
    expect(same['status']).toEqual(old['status']);

    const scaled = deployment(['spec.replicas', 3], ['status', {}]);
    update(s, scaled, old);
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled['status']).toEqual(old['status']);

    const annotated = deployment(['metadata.annotations', { a: 'b' }]);
    update(s, annotated, old);
    expect(annotated.metadata?.generation).toBe(2);

    const labelled = deployment(['metadata.labels', { a: 'b' }]);
    update(s, labelled, old);
    expect(labelled.metadata?.generation).toBe(1);
  });

  it('status updates keep spec and labels and check counters', () => {
    const old = stored();
    const d = copy(old);
    set(d, 'spec.replicas', 9);
    set(d, 'metadata.labels', { changed: 'yes' });
    d['status'] = { replicas: 1, readyReplicas: 2, collisionCount: -1 };
    expect(updateStatus(s, d, old)).toEqual([
      'status.collisionCount: Invalid value: -1: must be greater than or equal to 0',
      'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
    ]);
    expect(get(d, 'spec.replicas')).toBe(1);
    expect(d.metadata?.labels).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../../strategy.js';
import { create, del, get, set, update } from '../test-support.js';
import { controllerRevisionStrategy } from './controllerrevisions.js';
import { daemonSetStrategy } from './daemonsets.js';
import { replicaSetStrategy } from './replicasets.js';
import { statefulSetStrategy } from './statefulsets.js';

function workload(kind: string, ...edits: [string, unknown][]): KubeObject {
  const o: KubeObject = {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'w', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'w' } },
      template: {
        metadata: { labels: { app: 'w' } },
        spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
  for (const [path, value] of edits) set(o, path, value);
  return o;
}

function stored(s: Strategy, o: KubeObject): KubeObject {
  expect(create(s, o)).toEqual([]);
  return o;
}

describe('ReplicaSet', () => {
  const s = replicaSetStrategy;
  it('defaults replicas and validates', () => {
    const rs = workload('ReplicaSet');
    expect(create(s, rs)).toEqual([]);
    expect(get(rs, 'spec.replicas')).toBe(1);
    expect(rs['status']).toEqual({ replicas: 0 });
    expect(s.selectableFields?.(rs)).toEqual({ 'status.replicas': '0' });
  });
  it('uses upstream wording for an empty selector', () => {
    expect(create(s, workload('ReplicaSet', ['spec.selector', { matchLabels: {} }]))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });
  it('rejects a selector that cannot be parsed', () => {
    const errs = create(
      s,
      workload('ReplicaSet', [
        'spec.selector',
        { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
      ]),
    );
    expect(errs).toContain(
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    );
    expect(errs).toContain(
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string{}}}}: invalid label selector',
    );
  });
  it('matches expressions against template labels', () => {
    const rs = workload('ReplicaSet', [
      'spec.selector',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['w', 'v'] }] },
    ]);
    expect(create(s, rs)).toEqual([]);
  });
  it('keeps the selector immutable and bumps generation on spec change', () => {
    const old = stored(s, workload('ReplicaSet'));
    const scaled = workload('ReplicaSet', ['spec.replicas', 4]);
    expect(update(s, scaled, old)).toEqual([]);
    expect(scaled.metadata?.generation).toBe(2);
    const moved = workload(
      'ReplicaSet',
      ['spec.selector.matchLabels', { app: 'v' }],
      ['spec.template.metadata.labels', { app: 'v' }],
    );
    expect(update(s, moved, old)).toHaveLength(1);
  });
});

describe('StatefulSet', () => {
  const s = statefulSetStrategy;
  it('defaults like apps/v1', () => {
    const sts = workload('StatefulSet', [
      'spec.volumeClaimTemplates',
      [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
    ]);
    expect(create(s, sts)).toEqual([]);
    expect(sts['spec']).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
      volumeClaimTemplates: [{ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    });
    expect(sts['status']).toEqual({ replicas: 0, availableReplicas: 0 });
    expect(s.nameValidation).toBe('label');
  });
  it('checks policies and strategies', () => {
    const sts = workload(
      'StatefulSet',
      ['spec.podManagementPolicy', 'Sometimes'],
      ['spec.updateStrategy', { type: 'OnDelete', rollingUpdate: { partition: 2 } }],
      ['spec.persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Keep' }],
      ['spec.ordinals', { start: -1 }],
    );
    expect(create(s, sts)).toEqual([
      "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'",
      "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:2, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'",
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
  it('rejects negative partitions and unknown strategy types', () => {
    expect(
      create(
        s,
        workload('StatefulSet', [
          'spec.updateStrategy',
          { type: 'RollingUpdate', rollingUpdate: { partition: -1 } },
        ]),
      ),
    ).toEqual([
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ]);
    expect(create(s, workload('StatefulSet', ['spec.updateStrategy', { type: 'Sideways' }]))).toEqual([
      "spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Sideways\", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'",
    ]);
  });
  it('drops the alpha maxUnavailable field', () => {
    const sts = workload('StatefulSet', [
      'spec.updateStrategy',
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
    ]);
    expect(create(s, sts)).toEqual([]);
    expect(get(sts, 'spec.updateStrategy.rollingUpdate')).toEqual({ partition: 0 });
  });
  it('forbids updates to other spec fields', () => {
    const old = stored(s, workload('StatefulSet'));
    const ok = workload(
      'StatefulSet',
      ['spec.replicas', 5],
      ['spec.minReadySeconds', 3],
      ['spec.updateStrategy', { type: 'OnDelete' }],
    );
    expect(update(s, ok, old)).toEqual([]);
    expect(ok.metadata?.generation).toBe(2);
    expect(update(s, workload('StatefulSet', ['spec.serviceName', 'other']), old)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
  it('validates only labels and annotations of the template', () => {
    const sts = workload('StatefulSet', ['spec.template.metadata.labels', { app: 'w', 'bad key!': 'x' }]);
    expect(create(s, sts)[0]).toMatch(
      /^spec\.template\.labels: Invalid value: "bad key!": name part must consist of/,
    );
  });
});

describe('DaemonSet', () => {
  const s = daemonSetStrategy;
  it('defaults the rolling update and sets the template generation', () => {
    const ds = workload('DaemonSet');
    expect(create(s, ds)).toEqual([]);
    expect(ds['spec']).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
    expect(ds.metadata?.annotations).toEqual({ 'deprecated.daemonset.template.generation': '1' });
    expect(ds['status']).toEqual({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
  });
  it('bumps the template generation with the template', () => {
    const old = stored(s, workload('DaemonSet'));
    const same = workload('DaemonSet', ['spec.minReadySeconds', 4]);
    expect(update(s, same, old)).toEqual([]);
    expect(same.metadata?.annotations?.['deprecated.daemonset.template.generation']).toBe('1');
    expect(same.metadata?.generation).toBe(2);
    const changed = workload('DaemonSet', ['spec.template.spec.containers.0.image', 'nginx:2']);
    expect(update(s, changed, old)).toEqual([]);
    expect(changed.metadata?.annotations?.['deprecated.daemonset.template.generation']).toBe('2');
  });
  it('checks the rolling update and the selector', () => {
    expect(
      create(
        s,
        workload('DaemonSet', ['spec.updateStrategy', { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }]),
      ),
    ).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]);
    expect(
      create(
        s,
        workload('DaemonSet', [
          'spec.updateStrategy',
          { rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } },
        ]),
      ),
    ).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%"}: may not be set when maxUnavailable is non-zero',
    ]);
    const noSel = workload('DaemonSet');
    del(noSel, 'spec.selector');
    expect(create(s, noSel)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"w"}: `selector` does not match template `labels`',
    ]);
  });
  it('keeps the selector immutable', () => {
    const old = stored(s, workload('DaemonSet'));
    const ds = workload(
      'DaemonSet',
      ['spec.selector', { matchLabels: { app: 'w', tier: 'x' } }],
      ['spec.template.metadata.labels', { app: 'w', tier: 'x' }],
    );
    expect(update(s, ds, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"w", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe('ControllerRevision', () => {
  const s = controllerRevisionStrategy;
  it('requires data and keeps it immutable', () => {
    expect(create(s, { metadata: { name: 'r', namespace: 'default' }, revision: -1 })).toEqual([
      'data: Required value: data is mandatory',
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ]);
    const old: KubeObject = { metadata: { name: 'r' }, data: { a: 1 }, revision: 1 };
    expect(update(s, { metadata: { name: 'r' }, data: {}, revision: 1 }, old)).toEqual([
      'data: Invalid value: runtime.RawExtension{Raw:[]uint8{0x7b, 0x7d}, Object:runtime.Object(nil)}: field is immutable',
    ]);
  });
});

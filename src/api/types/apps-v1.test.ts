import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../schema/registry.js';
import { appsV1Definitions } from './apps-v1.js';
import { def, field, fieldNames } from './testing/schema-groups.js';

const reg = new DefinitionRegistry().add(...appsV1Definitions);
const A = 'io.k8s.api.apps.v1.';
const INT_OR_STRING = { kind: 'ref', name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' };

describe('apps/v1 schema', () => {
  it('serves every workload kind and its List', () => {
    for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']) {
      expect(reg.forKind({ group: 'apps', version: 'v1', kind })?.name).toBe(A + kind);
      expect(reg.forKind({ group: 'apps', version: 'v1', kind: `${kind}List` })?.name).toBe(
        `${A}${kind}List`,
      );
    }
  });

  it('DeploymentSpec: int32 replicas, retainKeys strategy, required selector and template', () => {
    expect(field(reg, A + 'DeploymentSpec', 'replicas').schema).toEqual({ kind: 'integer', format: 'int32' });
    const strategy = field(reg, A + 'DeploymentSpec', 'strategy');
    expect(strategy.schema).toEqual({ kind: 'ref', name: A + 'DeploymentStrategy' });
    expect(strategy.patchStrategy).toBe('retainKeys');
    expect(def(reg, A + 'DeploymentSpec').required).toEqual(['selector', 'template']);
    expect(field(reg, A + 'DeploymentSpec', 'template').schema).toEqual({
      kind: 'ref',
      name: 'io.k8s.api.core.v1.PodTemplateSpec',
    });
    expect(field(reg, A + 'DeploymentStrategy', 'type').schema).toEqual({
      kind: 'string',
      enum: ['Recreate', 'RollingUpdate'],
    });
  });

  it('rolling update limits are IntOrString', () => {
    for (const name of ['RollingUpdateDeployment', 'RollingUpdateDaemonSet']) {
      expect(field(reg, A + name, 'maxSurge').schema).toEqual(INT_OR_STRING);
      expect(field(reg, A + name, 'maxUnavailable').schema).toEqual(INT_OR_STRING);
    }
    expect(field(reg, A + 'RollingUpdateStatefulSetStrategy', 'maxUnavailable').schema).toEqual(
      INT_OR_STRING,
    );
  });

  it('status conditions merge by type', () => {
    for (const status of ['DeploymentStatus', 'ReplicaSetStatus', 'StatefulSetStatus', 'DaemonSetStatus']) {
      const conditions = field(reg, A + status, 'conditions');
      expect(conditions.patchStrategy, status).toBe('merge');
      expect(conditions.patchMergeKey, status).toBe('type');
      expect(conditions.listType, status).toBe('map');
      expect(conditions.listMapKeys, status).toEqual(['type']);
    }
    expect(field(reg, A + 'DeploymentStatus', 'observedGeneration').schema).toEqual({
      kind: 'integer',
      format: 'int64',
    });
    expect(fieldNames(reg, A + 'DeploymentCondition')).toContain('lastUpdateTime');
  });

  it('StatefulSetSpec: claim retention, ordinals and an optional serviceName', () => {
    const spec = A + 'StatefulSetSpec';
    expect(def(reg, spec).required).toEqual(['selector', 'template']);
    expect(fieldNames(reg, spec)).toEqual([
      'minReadySeconds',
      'ordinals',
      'persistentVolumeClaimRetentionPolicy',
      'podManagementPolicy',
      'replicas',
      'revisionHistoryLimit',
      'selector',
      'serviceName',
      'template',
      'updateStrategy',
      'volumeClaimTemplates',
    ]);
    expect(fieldNames(reg, A + 'StatefulSetPersistentVolumeClaimRetentionPolicy')).toEqual([
      'whenDeleted',
      'whenScaled',
    ]);
    expect(field(reg, A + 'StatefulSetOrdinals', 'start').schema).toEqual({
      kind: 'integer',
      format: 'int32',
    });
    expect(field(reg, spec, 'volumeClaimTemplates').schema).toEqual({
      kind: 'array',
      items: { kind: 'ref', name: 'io.k8s.api.core.v1.PersistentVolumeClaim' },
    });
  });

  it('ControllerRevision stores raw data and an int64 revision', () => {
    const rev = A + 'ControllerRevision';
    expect(def(reg, rev).required).toEqual(['revision']);
    expect(field(reg, rev, 'revision').schema).toEqual({ kind: 'integer', format: 'int64' });
    expect(field(reg, rev, 'data').schema).toEqual({
      kind: 'ref',
      name: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    });
  });

  it('DaemonSetStatus requires the four scheduling counters', () => {
    expect(def(reg, A + 'DaemonSetStatus').required).toEqual([
      'currentNumberScheduled',
      'numberMisscheduled',
      'desiredNumberScheduled',
      'numberReady',
    ]);
  });
});

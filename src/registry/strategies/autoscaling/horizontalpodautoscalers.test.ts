import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { copy, create, get, set, update, updateStatus } from '../test-support.js';
import { horizontalPodAutoscalerStrategy as s } from './horizontalpodautoscalers.js';

function hpa(...edits: [string, unknown][]): KubeObject {
  const o: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 },
  };
  for (const [path, value] of edits) set(o, path, value);
  return o;
}

describe('HorizontalPodAutoscaler defaults', () => {
  it('sets minReplicas and the CPU metric', () => {
    const o = hpa();
    expect(create(s, o)).toEqual([]);
    expect(o['spec']).toMatchObject({
      minReplicas: 1,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    });
    expect(o['status']).toEqual({ desiredReplicas: 0, currentMetrics: null });
    expect(o.metadata?.generation).toBeUndefined();
  });
  it('completes a given behavior', () => {
    const o = hpa(['spec.behavior', { scaleDown: { selectPolicy: 'Min' } }]);
    expect(create(s, o)).toEqual([]);
    expect(get(o, 'spec.behavior')).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { selectPolicy: 'Min', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });
});

describe('HorizontalPodAutoscaler validation', () => {
  it('checks replicas and the target reference', () => {
    expect(
      create(s, hpa(['spec.minReplicas', 0], ['spec.maxReplicas', 0], ['spec.scaleTargetRef', {}])),
    ).toEqual([
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.scaleTargetRef.kind: Required value',
      'spec.scaleTargetRef.name: Required value',
      'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
    ]);
    expect(create(s, hpa(['spec.minReplicas', 6]))).toEqual([
      'spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`',
    ]);
  });
  it('checks metrics', () => {
    const o = hpa([
      'spec.metrics',
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } },
        },
        { type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 10 } } },
        {
          type: 'Object',
          object: {
            describedObject: { kind: 'Ingress', name: 'x' },
            metric: { name: 'a' },
            target: { type: 'Value', value: '-1' },
          },
        },
        { type: 'Weird' },
      ],
    ]);
    expect(create(s, o)).toEqual([
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[1].pods: Required value: must populate information for the given metric source',
      'spec.metrics[2].object.target.value: Invalid value: resource.Quantity{i:resource.int64Amount{value:-1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}: must be positive',
      'spec.metrics[3].type: Unsupported value: "Weird": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      'spec.metrics[3].type: Unsupported value: "Weird": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ]);
  });
  it('checks behavior policies', () => {
    const o = hpa([
      'spec.behavior',
      {
        scaleUp: {
          stabilizationWindowSeconds: 4000,
          selectPolicy: 'Most',
          policies: [{ type: 'Pods', value: 0, periodSeconds: 1801 }],
        },
        scaleDown: { policies: [] },
      },
    ]);
    expect(create(s, o)).toEqual([
      'spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600',
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Most": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
      'spec.behavior.scaleDown.policies: Required value: must specify at least one Policy',
    ]);
  });
  it('keeps status on update and validates status updates', () => {
    const old = hpa();
    create(s, old);
    const o = copy(old);
    set(o, 'spec.maxReplicas', 7);
    set(o, 'status', { desiredReplicas: 99 });
    expect(update(s, o, old)).toEqual([]);
    expect(o['status']).toEqual(old['status']);
    const st = copy(old);
    set(st, 'status', { currentReplicas: -1, desiredReplicas: 2 });
    expect(updateStatus(s, st, old)).toEqual([
      'status.currentReplicas: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

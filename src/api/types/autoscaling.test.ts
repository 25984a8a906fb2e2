import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../schema/registry.js';
import { autoscalingDefinitions } from './autoscaling.js';
import { def, field, fieldNames } from './testing/schema-groups.js';

const reg = new DefinitionRegistry().add(...autoscalingDefinitions);
const V1 = 'io.k8s.api.autoscaling.v1.';
const V2 = 'io.k8s.api.autoscaling.v2.';
const QUANTITY = { kind: 'ref', name: 'io.k8s.apimachinery.pkg.api.resource.Quantity' };

describe('autoscaling schema', () => {
  it('serves HorizontalPodAutoscaler in v1 and v2, and Scale in v1', () => {
    for (const version of ['v1', 'v2']) {
      for (const kind of ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList']) {
        expect(reg.forKind({ group: 'autoscaling', version, kind })?.name).toBe(
          `io.k8s.api.autoscaling.${version}.${kind}`,
        );
      }
    }
    expect(reg.forKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' })?.name).toBe(V1 + 'Scale');
    expect(def(reg, V1 + 'ScaleStatus').required).toEqual(['replicas']);
    expect(field(reg, V1 + 'ScaleStatus', 'selector').schema).toEqual({ kind: 'string' });
  });

  it('v1 HPA targets CPU utilization', () => {
    expect(fieldNames(reg, V1 + 'HorizontalPodAutoscalerSpec')).toEqual([
      'maxReplicas',
      'minReplicas',
      'scaleTargetRef',
      'targetCPUUtilizationPercentage',
    ]);
    expect(def(reg, V1 + 'HorizontalPodAutoscalerStatus').required).toEqual([
      'currentReplicas',
      'desiredReplicas',
    ]);
  });

  it('v2 metrics and current metrics are atomic lists', () => {
    const metrics = field(reg, V2 + 'HorizontalPodAutoscalerSpec', 'metrics');
    expect(metrics.schema).toEqual({ kind: 'array', items: { kind: 'ref', name: V2 + 'MetricSpec' } });
    expect(metrics.listType).toBe('atomic');
    expect(field(reg, V2 + 'HorizontalPodAutoscalerStatus', 'currentMetrics').listType).toBe('atomic');
    const conditions = field(reg, V2 + 'HorizontalPodAutoscalerStatus', 'conditions');
    expect([conditions.patchMergeKey, conditions.listType]).toEqual(['type', 'map']);
  });

  it('v2 has every metric source and status type', () => {
    const sources = ['containerResource', 'external', 'object', 'pods', 'resource', 'type'];
    expect(fieldNames(reg, V2 + 'MetricSpec')).toEqual(sources);
    expect(fieldNames(reg, V2 + 'MetricStatus')).toEqual(sources);
    for (const s of ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']) {
      expect(def(reg, `${V2}${s}MetricSource`).required).toContain(
        s === 'Object' ? 'describedObject' : 'target',
      );
      expect(def(reg, `${V2}${s}MetricStatus`).required).toContain('current');
    }
    expect(field(reg, V2 + 'MetricTarget', 'averageValue').schema).toEqual(QUANTITY);
    expect(field(reg, V2 + 'MetricTarget', 'type').schema).toEqual({
      kind: 'string',
      enum: ['Utilization', 'Value', 'AverageValue'],
    });
  });

  it('v2 behavior: scaling rules with policies and the v1.33 tolerance', () => {
    expect(fieldNames(reg, V2 + 'HorizontalPodAutoscalerBehavior')).toEqual(['scaleDown', 'scaleUp']);
    expect(fieldNames(reg, V2 + 'HPAScalingRules')).toEqual([
      'policies',
      'selectPolicy',
      'stabilizationWindowSeconds',
      'tolerance',
    ]);
    expect(field(reg, V2 + 'HPAScalingRules', 'tolerance').schema).toEqual(QUANTITY);
    expect(field(reg, V2 + 'HPAScalingRules', 'policies').listType).toBe('atomic');
    expect(def(reg, V2 + 'HPAScalingPolicy').required).toEqual(['type', 'value', 'periodSeconds']);
  });
});

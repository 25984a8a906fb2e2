import { describe, expect, it } from 'vitest';
import { converterFor } from '../conversion.js';
import type { KubeObject } from '../meta.js';
import { HPA_ANNOTATIONS, hpaV1ToV2, hpaV2ToV1 } from './conversion.js';
import { defaultHorizontalPodAutoscaler } from './defaults.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('autoscaling/v1 ↔ v2', () => {
  it('is registered for autoscaling/v1', () => {
    expect(
      converterFor({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }),
    ).toBeDefined();
  });

  it('maps targetCPUUtilizationPercentage to a cpu Utilization metric and back', () => {
    const v1: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
    };
    const v2 = hpaV1ToV2(v1);
    expect(v2).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
          },
        ],
      },
    });
    const back = hpaV2ToV1(v2);
    expect(back['spec']).toEqual({
      scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 60,
    });
    expect(back.metadata?.annotations).toBeUndefined();
  });

  it('applies the implicit 80% CPU target of v1', () => {
    const v2 = hpaV1ToV2({ spec: { scaleTargetRef: ref, maxReplicas: 3 } });
    expect((v2['spec'] as { metrics: unknown }).metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
  });

  it('carries other metrics, current metrics, conditions and behavior in annotations', () => {
    const v2: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default', annotations: { keep: 'me' } },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
          },
          {
            type: 'Pods',
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
          {
            type: 'External',
            external: {
              metric: { name: 'queue', selector: { matchLabels: { q: 'a' } } },
              target: { type: 'Value', value: '30' },
            },
          },
          {
            type: 'Object',
            object: {
              describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' },
              metric: { name: 'rps' },
              target: { type: 'Value', value: '2k' },
            },
          },
        ],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 60,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }],
          },
        },
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 4,
        currentMetrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 70, averageValue: '700m' } },
          },
        ],
        conditions: [
          {
            type: 'AbleToScale',
            status: 'True',
            lastTransitionTime: '2025-01-01T00:00:00Z',
            reason: 'ReadyForNewScale',
          },
        ],
      },
    };
    defaultHorizontalPodAutoscaler(v2);
    const v1 = hpaV2ToV1(v2);
    const ann = v1.metadata?.annotations ?? {};
    expect(ann['keep']).toBe('me');
    expect(JSON.parse(ann[HPA_ANNOTATIONS.metricSpecs] ?? '[]')).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      {
        type: 'External',
        external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'a' } }, targetValue: '30' },
      },
      {
        type: 'Object',
        object: {
          target: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' },
          metricName: 'rps',
          targetValue: '2k',
        },
      },
    ]);
    expect(ann[HPA_ANNOTATIONS.behavior]).toBe(
      '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":null},' +
        '"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":30}],"Tolerance":null}}',
    );
    expect(ann[HPA_ANNOTATIONS.conditions]).toBe(
      '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2025-01-01T00:00:00Z","reason":"ReadyForNewScale"}]',
    );
    expect(ann[HPA_ANNOTATIONS.metricStatuses]).toBe(
      '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":70,"currentAverageValue":"700m"}}]',
    );
    expect(v1['spec']).toMatchObject({ targetCPUUtilizationPercentage: 50 });
    expect(v1['status']).toEqual({
      currentReplicas: 3,
      desiredReplicas: 4,
      currentCPUUtilizationPercentage: 70,
    });

    // Back to v2: everything returns; the cpu metric moves last, as upstream orders it.
    const again = hpaV1ToV2(v1);
    expect(again.metadata?.annotations).toEqual({ keep: 'me' });
    const metrics = (again['spec'] as { metrics: unknown[] }).metrics;
    const original = (v2['spec'] as { metrics: unknown[] }).metrics;
    expect(metrics).toEqual([...original.slice(1), original[0]]);
    expect((again['spec'] as { behavior: unknown }).behavior).toEqual(
      (v2['spec'] as { behavior: unknown }).behavior,
    );
    expect(again['status']).toEqual({
      currentReplicas: 3,
      desiredReplicas: 4,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageValue: '700m', averageUtilization: 70 } },
        },
      ],
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          lastTransitionTime: '2025-01-01T00:00:00Z',
          reason: 'ReadyForNewScale',
        },
      ],
    });
    // And v1 again is stable.
    expect(hpaV2ToV1(again)).toEqual(v1);
  });

  it('ignores stale round-trip annotations a v1 client sends back', () => {
    const v1: KubeObject = {
      metadata: { name: 'x', annotations: { [HPA_ANNOTATIONS.metricSpecs]: 'not json' } },
      spec: { scaleTargetRef: ref, maxReplicas: 2, targetCPUUtilizationPercentage: 40 },
    };
    const v2 = hpaV1ToV2(v1);
    expect(v2.metadata?.annotations).toBeUndefined();
    expect((v2['spec'] as { metrics: unknown[] }).metrics).toHaveLength(1);
  });
});

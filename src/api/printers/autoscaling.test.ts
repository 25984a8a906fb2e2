import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../meta.js';
import { horizontalPodAutoscalerPrinter as hpa } from './autoscaling.js';
import { ago, columnNames, row } from './testing/table.js';

const meta = { name: 'web', namespace: 'default', creationTimestamp: ago({ m: 15 }) };
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

function v2(
  metrics: unknown[] | undefined,
  currentMetrics?: unknown[],
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 10, metrics, ...extra },
    status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics },
  };
}

const cpu = (util: number): Record<string, unknown> => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: util } },
});

describe('horizontalpodautoscaler printer', () => {
  it('has upstream columns', () => {
    expect(columnNames(hpa)).toEqual([
      'Name',
      'Reference',
      'Targets',
      'MinPods',
      'MaxPods',
      'Replicas',
      'Age',
    ]);
  });

  it('prints a v2 autoscaler before and after metrics arrive', () => {
    expect(row(hpa, v2([cpu(80)]))).toEqual({
      Name: 'web',
      Reference: 'Deployment/web',
      Targets: 'cpu: <unknown>/80%',
      MinPods: '1',
      MaxPods: 10,
      Replicas: 2,
      Age: '15m',
    });
    const current = [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '120m' } },
      },
    ];
    expect(row(hpa, v2([cpu(80)], current))['Targets']).toBe('cpu: 42%/80%');
  });

  it('prints every metric kind', () => {
    const metrics = [
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1024Mi' } },
      },
      {
        type: 'Pods',
        pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } },
      },
    ];
    expect(row(hpa, v2(metrics))['Targets']).toBe('memory: <unknown>/1Gi, <unknown>/1k');
    const status = [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '512Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '1500m' } } },
    ];
    expect(row(hpa, v2(metrics, status))['Targets']).toBe('memory: 512Mi/1Gi, 1500m/1k');

    const object = [
      {
        type: 'Object',
        object: { metric: { name: 'rps' }, describedObject: ref, target: { type: 'Value', value: '10k' } },
      },
      {
        type: 'External',
        external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } },
      },
      cpu(50),
    ];
    expect(row(hpa, v2(object))['Targets']).toBe('<unknown>/10k, <unknown>/30 (avg) + 1 more...');
    const objectStatus = [
      {
        type: 'Object',
        object: { metric: { name: 'rps' }, describedObject: ref, current: { value: '12k' } },
      },
      { type: 'External', external: { metric: { name: 'queue' }, current: { averageValue: '25' } } },
    ];
    expect(row(hpa, v2(object, objectStatus))['Targets']).toBe('12k/10k, 25/30 (avg) + 1 more...');

    const containerResource = [
      {
        type: 'ContainerResource',
        containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization' } },
      },
      { type: 'Other' },
    ];
    expect(row(hpa, v2(containerResource))['Targets']).toBe('cpu: <unknown>/<auto>, <unknown type>');
  });

  it('prints <none> without metrics and <unset> without a minimum', () => {
    const obj = v2(undefined);
    delete (obj['spec'] as Record<string, unknown>)['minReplicas'];
    expect(row(hpa, obj)).toMatchObject({ Targets: '<none>', MinPods: '<unset>' });
  });

  it('prints an autoscaling/v1 object through its CPU target', () => {
    const v1: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
      status: { currentReplicas: 3, desiredReplicas: 3 },
    };
    expect(row(hpa, v1)).toEqual({
      Name: 'web',
      Reference: 'Deployment/web',
      Targets: 'cpu: <unknown>/80%',
      MinPods: '2',
      MaxPods: 5,
      Replicas: 3,
      Age: '15m',
    });
    (v1['status'] as Record<string, unknown>)['currentCPUUtilizationPercentage'] = 65;
    expect(row(hpa, v1)['Targets']).toBe('cpu: 65%/80%');
    delete (v1['spec'] as Record<string, unknown>)['targetCPUUtilizationPercentage'];
    expect(row(hpa, v1)['Targets']).toBe('<none>');
  });
});

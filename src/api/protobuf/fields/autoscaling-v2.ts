/**
 * Protobuf field numbers of the autoscaling/v2 definitions, from the protobuf struct tags of
 * k8s.io/api/autoscaling/v2 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.autoscaling.v2.';

/** Field numbers of autoscaling/v2. */
export const autoscalingV2Fields: FieldTable = {
  [P + 'ContainerResourceMetricSource']: { name: keep(1), target: 2, container: keep(3) },
  [P + 'ContainerResourceMetricStatus']: { name: keep(1), current: 2, container: keep(3) },
  [P + 'CrossVersionObjectReference']: { kind: keep(1), name: keep(2), apiVersion: 3 },
  [P + 'ExternalMetricSource']: { metric: 1, target: 2 },
  [P + 'ExternalMetricStatus']: { metric: 1, current: 2 },
  [P + 'HPAScalingPolicy']: { type: keep(1), value: keep(2), periodSeconds: keep(3) },
  [P + 'HPAScalingRules']: {
    stabilizationWindowSeconds: keep(3),
    selectPolicy: keep(1),
    policies: 2,
    tolerance: 4,
  },
  [P + 'HorizontalPodAutoscaler']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    spec: 2,
    status: 3,
  },
  [P + 'HorizontalPodAutoscalerBehavior']: { scaleUp: 1, scaleDown: 2 },
  [P + 'HorizontalPodAutoscalerCondition']: {
    type: keep(1),
    status: keep(2),
    lastTransitionTime: 3,
    reason: 4,
    message: 5,
  },
  [P + 'HorizontalPodAutoscalerList']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    items: always(2),
  },
  [P + 'HorizontalPodAutoscalerSpec']: {
    scaleTargetRef: 1,
    minReplicas: keep(2),
    maxReplicas: keep(3),
    metrics: 4,
    behavior: 5,
  },
  [P + 'HorizontalPodAutoscalerStatus']: {
    observedGeneration: keep(1),
    lastScaleTime: 2,
    currentReplicas: 3,
    desiredReplicas: keep(4),
    currentMetrics: always(5),
    conditions: 6,
  },
  [P + 'MetricIdentifier']: { name: keep(1), selector: 2 },
  [P + 'MetricSpec']: { type: keep(1), object: 2, pods: 3, resource: 4, containerResource: 7, external: 5 },
  [P + 'MetricStatus']: { type: keep(1), object: 2, pods: 3, resource: 4, containerResource: 7, external: 5 },
  [P + 'MetricTarget']: { type: keep(1), value: 2, averageValue: 3, averageUtilization: keep(4) },
  [P + 'MetricValueStatus']: { value: 1, averageValue: 2, averageUtilization: keep(3) },
  [P + 'ObjectMetricSource']: { describedObject: 1, target: 2, metric: 3 },
  [P + 'ObjectMetricStatus']: { metric: 1, current: 2, describedObject: 3 },
  [P + 'PodsMetricSource']: { metric: 1, target: 2 },
  [P + 'PodsMetricStatus']: { metric: 1, current: 2 },
  [P + 'ResourceMetricSource']: { name: keep(1), target: 2 },
  [P + 'ResourceMetricStatus']: { name: keep(1), current: 2 },
};

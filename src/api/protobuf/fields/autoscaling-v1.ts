/**
 * Protobuf field numbers of the autoscaling/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/autoscaling/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.autoscaling.v1.';

/** Field numbers of autoscaling/v1. */
export const autoscalingV1Fields: FieldTable = {
  [P + 'CrossVersionObjectReference']: { kind: keep(1), name: keep(2), apiVersion: 3 },
  [P + 'HorizontalPodAutoscaler']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    spec: 2,
    status: 3,
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
    targetCPUUtilizationPercentage: keep(4),
  },
  [P + 'HorizontalPodAutoscalerStatus']: {
    observedGeneration: keep(1),
    lastScaleTime: 2,
    currentReplicas: keep(3),
    desiredReplicas: keep(4),
    currentCPUUtilizationPercentage: keep(5),
  },
  [P + 'Scale']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'ScaleSpec']: { replicas: 1 },
  [P + 'ScaleStatus']: { replicas: keep(1), selector: 2 },
};

/**
 * Protobuf field numbers of the policy/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/policy/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.policy.v1.';

/** Field numbers of policy/v1. */
export const policyV1Fields: FieldTable = {
  [P + 'Eviction']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, deleteOptions: 2 },
  [P + 'PodDisruptionBudget']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'PodDisruptionBudgetList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'PodDisruptionBudgetSpec']: {
    minAvailable: 1,
    selector: 2,
    maxUnavailable: 3,
    unhealthyPodEvictionPolicy: keep(4),
  },
  [P + 'PodDisruptionBudgetStatus']: {
    observedGeneration: 1,
    disruptedPods: 2,
    disruptionsAllowed: keep(3),
    currentHealthy: keep(4),
    desiredHealthy: keep(5),
    expectedPods: keep(6),
    conditions: 7,
  },
};

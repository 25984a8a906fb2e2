/**
 * Protobuf field numbers of the scheduling.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/scheduling/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.scheduling.v1.';

/** Field numbers of scheduling.k8s.io/v1. */
export const schedulingV1Fields: FieldTable = {
  [P + 'PriorityClass']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    value: keep(2),
    globalDefault: 3,
    description: 4,
    preemptionPolicy: keep(5),
  },
  [P + 'PriorityClassList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
};

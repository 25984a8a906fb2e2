/**
 * Protobuf field numbers of the coordination.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/coordination/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.coordination.v1.';

/** Field numbers of coordination.k8s.io/v1. */
export const coordinationV1Fields: FieldTable = {
  [P + 'Lease']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2 },
  [P + 'LeaseList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'LeaseSpec']: {
    holderIdentity: keep(1),
    leaseDurationSeconds: keep(2),
    acquireTime: 3,
    renewTime: 4,
    leaseTransitions: keep(5),
    strategy: keep(6),
    preferredHolder: keep(7),
  },
};

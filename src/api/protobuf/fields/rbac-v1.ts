/**
 * Protobuf field numbers of the rbac.authorization.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/rbac/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.rbac.v1.';

/** Field numbers of rbac.authorization.k8s.io/v1. */
export const rbacV1Fields: FieldTable = {
  [P + 'AggregationRule']: { clusterRoleSelectors: 1 },
  [P + 'ClusterRole']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    rules: always(2),
    aggregationRule: 3,
  },
  [P + 'ClusterRoleBinding']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    subjects: 2,
    roleRef: 3,
  },
  [P + 'ClusterRoleBindingList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'ClusterRoleList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'PolicyRule']: { verbs: always(1), apiGroups: 2, resources: 3, resourceNames: 4, nonResourceURLs: 5 },
  [P + 'Role']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, rules: always(2) },
  [P + 'RoleBinding']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, subjects: 2, roleRef: 3 },
  [P + 'RoleBindingList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'RoleList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'RoleRef']: { apiGroup: keep(1), kind: keep(2), name: keep(3) },
  [P + 'Subject']: { kind: keep(1), apiGroup: 2, name: keep(3), namespace: 4 },
};

/**
 * RBAC objects (rbac.authorization.k8s.io/v1) as the authorizer reads them, and the source it reads
 * them from.
 */
import type {
  AggregationRule,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from 'kubernetes-types/rbac/v1.js';

export type {
  AggregationRule,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
};

/** The API group of RBAC. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * Synchronous reads of RBAC objects from an in-memory cache (the server backs it with its watch
 * cache). Returned objects are never mutated by the authorizer.
 */
export interface RbacSource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(namespace: string): readonly RoleBinding[];
  listClusterRoleBindings(): readonly ClusterRoleBinding[];
  listClusterRoles(): readonly ClusterRole[];
}

/** A PolicyRule with every list present. */
export interface NormalizedRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** Fills absent lists of a rule with empty arrays. */
export function normalizeRule(rule: PolicyRule): NormalizedRule {
  return {
    verbs: rule.verbs ?? [],
    apiGroups: rule.apiGroups ?? [],
    resources: rule.resources ?? [],
    resourceNames: rule.resourceNames ?? [],
    nonResourceURLs: rule.nonResourceURLs ?? [],
  };
}

/** An in-memory RbacSource over plain arrays: for tests and for callers without a cache. */
export function staticRbacSource(objects: {
  roles?: Role[];
  clusterRoles?: ClusterRole[];
  roleBindings?: RoleBinding[];
  clusterRoleBindings?: ClusterRoleBinding[];
}): RbacSource {
  return {
    getRole: (ns, name) =>
      objects.roles?.find((r) => r.metadata?.namespace === ns && r.metadata?.name === name),
    getClusterRole: (name) => objects.clusterRoles?.find((r) => r.metadata?.name === name),
    listRoleBindings: (ns) => (objects.roleBindings ?? []).filter((b) => b.metadata?.namespace === ns),
    listClusterRoleBindings: () => objects.clusterRoleBindings ?? [],
    listClusterRoles: () => objects.clusterRoles ?? [],
  };
}

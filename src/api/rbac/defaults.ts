/**
 * Defaulting for rbac.authorization.k8s.io/v1 (upstream's SetDefaults_*): a binding's roleRef.apiGroup
 * defaults to the RBAC group; a subject's apiGroup to the RBAC group for User and Group, and a
 * ServiceAccount's stays unset (the wire form omits an empty one).
 */
import { isObject, type KubeObject } from '../meta.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function defaultSubjects(subjects: unknown): void {
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) {
    if (!isObject(s) || (typeof s.apiGroup === 'string' && s.apiGroup !== '')) continue;
    // A ServiceAccount's apiGroup stays empty, which the wire form omits.
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount' && s.apiGroup === '') delete s.apiGroup;
  }
}

/** Defaults a RoleBinding or ClusterRoleBinding in place. */
export function defaultBinding(obj: KubeObject): void {
  // An absent roleRef is Go's zero value, which defaulting fills in too.
  if (obj.roleRef === undefined || obj.roleRef === null) obj.roleRef = {};
  if (isObject(obj.roleRef) && (typeof obj.roleRef.apiGroup !== 'string' || obj.roleRef.apiGroup === '')) {
    obj.roleRef.apiGroup = RBAC_GROUP;
  }
  defaultSubjects(obj.subjects);
}

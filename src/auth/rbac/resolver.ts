/**
 * Rule resolution: which rules a user holds in a namespace, found by walking the bindings that name
 * the user. ClusterRoleBindings grant everywhere; RoleBindings grant only in their own namespace,
 * including when they bind a ClusterRole.
 */
import type { UserInfo } from '../types.js';
import { parseServiceAccountUsername } from '../users.js';
import type { ClusterRoleBinding, PolicyRule, RbacSource, RoleBinding, RoleRef, Subject } from './types.js';

/** Upstream's NotFound text for a role a binding refers to: `clusterrole.rbac.authorization.k8s.io "x" not found`. */
export function roleNotFoundMessage(ref: RoleRef): string {
  return `${ref.kind === 'ClusterRole' ? 'clusterrole' : 'role'}.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
}

/** The rules of the role a binding refers to, or an error message when it is missing. */
export function roleRefRules(
  source: RbacSource,
  ref: RoleRef,
  bindingNamespace: string,
): { rules: PolicyRule[] } | { error: string } {
  if (ref.kind === 'Role') {
    const role = source.getRole(bindingNamespace, ref.name);
    return role ? { rules: role.rules ?? [] } : { error: roleNotFoundMessage(ref) };
  }
  if (ref.kind === 'ClusterRole') {
    const role = source.getClusterRole(ref.name);
    return role ? { rules: role.rules ?? [] } : { error: roleNotFoundMessage(ref) };
  }
  return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
}

/** True when the subject names this user (bindingNamespace defaults a ServiceAccount's namespace). */
export function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      if (!ns) return false;
      const sa = parseServiceAccountUsername(user.username);
      return sa !== undefined && sa.namespace === ns && sa.name === subject.name;
    }
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

/** Where a rule came from, worded as upstream's RBAC "allowed by" reason. */
export function describeBinding(binding: RoleBinding | ClusterRoleBinding, subject: Subject): string {
  const ns = binding.metadata?.namespace ?? '';
  const name = binding.metadata?.name ?? '';
  const role = `${binding.roleRef.kind} ${JSON.stringify(binding.roleRef.name)}`;
  if (ns === '')
    return `ClusterRoleBinding ${JSON.stringify(name)} of ${role} to ${describeSubject(subject, '')}`;
  return `RoleBinding ${JSON.stringify(`${name}/${ns}`)} of ${role} to ${describeSubject(subject, ns)}`;
}

/**
 * Visits each rule the user holds in `namespace` ('' = cluster-wide rules only) with a description of
 * its source, and each resolution error. Stops early when the visitor returns false.
 */
export function visitRulesFor(
  source: RbacSource,
  user: UserInfo,
  namespace: string,
  visit: (rule: PolicyRule | undefined, from: string, error: string | undefined) => boolean,
): void {
  const walk = (
    bindings: readonly (RoleBinding | ClusterRoleBinding)[],
    bindingNamespace: string,
  ): boolean => {
    for (const binding of bindings) {
      const subject = (binding.subjects ?? []).find((s) => appliesTo(user, s, bindingNamespace));
      if (!subject) continue;
      const resolved = roleRefRules(source, binding.roleRef, bindingNamespace);
      if ('error' in resolved) {
        if (!visit(undefined, '', resolved.error)) return false;
        continue;
      }
      const from = describeBinding(binding, subject);
      for (const rule of resolved.rules) if (!visit(rule, from, undefined)) return false;
    }
    return true;
  };
  if (!walk(source.listClusterRoleBindings(), '')) return;
  if (namespace !== '') walk(source.listRoleBindings(namespace), namespace);
}

/** All rules the user holds in `namespace`, and the errors met resolving them. */
export function resolveRules(
  source: RbacSource,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(source, user, namespace, (rule, _from, error) => {
    if (rule) rules.push(rule);
    if (error) errors.push(error);
    return true;
  });
  return { rules, errors };
}

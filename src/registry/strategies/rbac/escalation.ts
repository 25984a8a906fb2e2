/**
 * RBAC's escalation prevention, as upstream's policy-based RBAC storage: a user may create or update
 * a Role/ClusterRole only if they already hold every rule it grants (or may `escalate` on that role
 * resource), and a RoleBinding/ClusterRoleBinding only if they hold every rule of the role it refers
 * to (or may `bind` it). Members of system:masters are exempt. The server calls authorizeRbacWrite
 * after validation and before storing an RBAC object.
 */
import { apiErrors, type ApiError } from '../../../api/errors.js';
import { isObject, type KubeObject } from '../../../api/meta.js';
import { resolveRules, roleRefRules } from '../../../auth/rbac/resolver.js';
import { compactRuleString, compactRules, covers, goQuoteList } from '../../../auth/rbac/rules.js';
import { RBAC_GROUP, type PolicyRule, type RbacSource, type RoleRef } from '../../../auth/rbac/types.js';
import type { Authorizer, UserInfo } from '../../../auth/types.js';
import { SYSTEM_MASTERS } from '../../../auth/users.js';

/** Everything: the rules an aggregationRule needs, since it can gather any rule. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const PLURAL: Record<string, string> = {
  Role: 'roles',
  ClusterRole: 'clusterroles',
  RoleBinding: 'rolebindings',
  ClusterRoleBinding: 'clusterrolebindings',
};

/**
 * Upstream's ConfirmNoEscalation: the message lists the missing rules, compacted and sorted, e.g.
 * `user "jane" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not
 * currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. Undefined when covered.
 */
export function confirmNoEscalation(
  user: UserInfo,
  namespace: string,
  rules: PolicyRule[],
  source: RbacSource,
): string | undefined {
  const owner = resolveRules(source, user, namespace);
  const { covered, missing } = covers(owner.rules, rules);
  if (covered) return undefined;
  const descriptions = [...new Set(compactRules(missing).map(compactRuleString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`;
  if (owner.errors.length > 0) msg += `; resolution errors: [${owner.errors.join(' ')}]`;
  return msg;
}

/** JSON with object keys sorted at every level, to compare objects regardless of key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Only what the garbage collector touches (ownerReferences, finalizers) differs, besides bookkeeping. */
function onlyGcFieldsChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const meta: Record<string, unknown> = { ...(o.metadata ?? {}) };
    for (const k of ['ownerReferences', 'finalizers', 'resourceVersion', 'managedFields', 'generation'])
      delete meta[k];
    return canonicalJson({ ...o, metadata: meta });
  };
  return strip(obj) === strip(old);
}

function asRules(value: unknown): PolicyRule[] {
  return Array.isArray(value) ? (value.filter(isObject) as unknown as PolicyRule[]) : [];
}

function asRoleRef(value: unknown): RoleRef {
  const r = isObject(value) ? value : {};
  return {
    apiGroup: typeof r.apiGroup === 'string' ? r.apiGroup : '',
    kind: typeof r.kind === 'string' ? r.kind : '',
    name: typeof r.name === 'string' ? r.name : '',
  };
}

async function allowed(
  authorizer: Authorizer,
  user: UserInfo,
  verb: string,
  resource: string,
  namespace: string,
  name: string,
  apiGroup = RBAC_GROUP,
): Promise<boolean> {
  const result = await authorizer.authorize({
    user,
    verb,
    resourceRequest: true,
    path: '',
    namespace,
    apiGroup,
    apiVersion: '*',
    resource,
    subresource: '',
    name,
  });
  return result.decision === 'allow';
}

/**
 * Checks a create (old undefined) or update of a Role, ClusterRole, RoleBinding or
 * ClusterRoleBinding by `user`. `namespace` is the request's namespace ('' for cluster-scoped kinds).
 * Resolves to the 403 (or, for a binding to a missing role, the 404) to answer, or undefined to go on.
 */
export async function authorizeRbacWrite(
  user: UserInfo,
  obj: KubeObject,
  namespace: string,
  authorizer: Authorizer,
  source: RbacSource,
  old?: KubeObject,
): Promise<ApiError | undefined> {
  const kind = obj.kind ?? '';
  const resource = PLURAL[kind];
  if (!resource) return undefined;
  if (user.groups.includes(SYSTEM_MASTERS)) return undefined;
  if (old && onlyGcFieldsChanged(obj, old)) return undefined;
  const name = obj.metadata?.name ?? '';
  const gr = { group: RBAC_GROUP, resource };

  if (kind === 'Role' || kind === 'ClusterRole') {
    // Upstream asks about the request's name, which a create does not have.
    if (await allowed(authorizer, user, 'escalate', resource, namespace, old ? name : '')) return undefined;
    const problem = confirmNoEscalation(user, namespace, asRules(obj.rules), source);
    if (problem) return apiErrors.forbidden(gr, name, problem);
    if (kind === 'ClusterRole') {
      const agg = JSON.stringify(obj.aggregationRule ?? null);
      const changed =
        old === undefined ? obj.aggregationRule != null : agg !== JSON.stringify(old.aggregationRule ?? null);
      if (changed && confirmNoEscalation(user, namespace, FULL_AUTHORITY, source) !== undefined) {
        return apiErrors.forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
    }
    return undefined;
  }

  // RoleBinding / ClusterRoleBinding.
  const ref = asRoleRef(obj.roleRef);
  const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  if (await allowed(authorizer, user, 'bind', refResource, namespace, ref.name, ref.apiGroup))
    return undefined;
  const resolved = roleRefRules(source, ref, namespace);
  if ('error' in resolved) {
    return apiErrors.notFound(
      { group: RBAC_GROUP, resource: ref.kind === 'Role' ? 'role' : 'clusterrole' },
      ref.name,
    );
  }
  const problem = confirmNoEscalation(user, namespace, resolved.rules, source);
  return problem ? apiErrors.forbidden(gr, name, problem) : undefined;
}

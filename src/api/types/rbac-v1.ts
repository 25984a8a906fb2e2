/**
 * Schema definitions for rbac.authorization.k8s.io/v1: Role, ClusterRole (with aggregation),
 * RoleBinding and ClusterRoleBinding, and the PolicyRule, Subject and RoleRef they are built from.
 */
import { META, list, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const RBAC = 'io.k8s.api.rbac.v1.';
const gvk = (kind: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind });

const atomicStrings = (description: string) => p.array(t.string, description, { listType: 'atomic' });

const rules = () =>
  p.array(t.ref(RBAC + 'PolicyRule'), 'The permissions this role grants.', { listType: 'atomic' });
const subjects = () =>
  p.array(t.ref(RBAC + 'Subject'), 'The users, groups and service accounts the role is granted to.', {
    listType: 'atomic',
  });

const shared: Definition[] = [
  obj(
    RBAC + 'PolicyRule',
    'A set of allowed verbs on resources or on non-resource URLs; it does not say who holds it.',
    {
      verbs: atomicStrings('The allowed verbs, such as get or list; * means every verb.'),
      apiGroups: atomicStrings(
        'The API groups of the resources; "" is the core group and * means every group.',
      ),
      resources: atomicStrings('The resources, such as pods or pods/log; * means every resource.'),
      resourceNames: atomicStrings('Object names the rule is limited to; empty means every object.'),
      nonResourceURLs: atomicStrings(
        'URL paths such as /healthz, with an optional final *; only meaningful in a ClusterRole bound cluster-wide.',
      ),
    },
    { required: ['verbs'] },
  ),
  obj(
    RBAC + 'Subject',
    'Who a binding grants a role to: a user, a group or a service account.',
    {
      kind: p.string('User, Group or ServiceAccount.'),
      apiGroup: p.string(
        'The API group of the subject: "" for service accounts, rbac.authorization.k8s.io otherwise.',
      ),
      name: p.string('The name of the subject.'),
      namespace: p.string('The namespace of a service account; must be empty for users and groups.'),
    },
    { required: ['kind', 'name'], mapType: 'atomic' },
  ),
  obj(
    RBAC + 'RoleRef',
    'The role a binding grants.',
    {
      apiGroup: p.string('The API group of the role, rbac.authorization.k8s.io.'),
      kind: p.string('Role or ClusterRole.'),
      name: p.string('The name of the role.'),
    },
    { required: ['apiGroup', 'kind', 'name'], mapType: 'atomic' },
  ),
  obj(RBAC + 'AggregationRule', 'How a ClusterRole collects the rules of other ClusterRoles.', {
    clusterRoleSelectors: p.array(
      t.ref(META + 'LabelSelector'),
      'ClusterRoles matching any of these selectors contribute their rules.',
      { listType: 'atomic' },
    ),
  }),
];

const roles: Definition[] = [
  obj(
    RBAC + 'Role',
    'A named set of permissions within one namespace.',
    { apiVersion: p.apiVersion(), kind: p.kind(), metadata: p.metadata(), rules: rules() },
    { gvk: [gvk('Role')] },
  ),
  list(RBAC + 'Role', gvk('RoleList')),
  obj(
    RBAC + 'ClusterRole',
    'A named set of permissions that applies cluster-wide, or in a namespace through a RoleBinding.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      rules: rules(),
      aggregationRule: p.ref(
        RBAC + 'AggregationRule',
        'When set, the controller fills rules from other ClusterRoles and overwrites direct edits.',
      ),
    },
    { gvk: [gvk('ClusterRole')] },
  ),
  list(RBAC + 'ClusterRole', gvk('ClusterRoleList')),
];

const bindings: Definition[] = [
  obj(
    RBAC + 'RoleBinding',
    'Grants a Role, or a ClusterRole, to subjects within one namespace.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      subjects: subjects(),
      roleRef: p.ref(
        RBAC + 'RoleRef',
        'The Role in this namespace, or a ClusterRole, being granted; immutable.',
      ),
    },
    { required: ['roleRef'], gvk: [gvk('RoleBinding')] },
  ),
  list(RBAC + 'RoleBinding', gvk('RoleBindingList')),
  obj(
    RBAC + 'ClusterRoleBinding',
    'Grants a ClusterRole to subjects across the whole cluster.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      subjects: subjects(),
      roleRef: p.ref(RBAC + 'RoleRef', 'The ClusterRole being granted; immutable.'),
    },
    { required: ['roleRef'], gvk: [gvk('ClusterRoleBinding')] },
  ),
  list(RBAC + 'ClusterRoleBinding', gvk('ClusterRoleBindingList')),
];

/** Every rbac.authorization.k8s.io/v1 definition. */
export const rbacV1Definitions: Definition[] = [...shared, ...roles, ...bindings];

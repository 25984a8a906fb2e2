import { describe, expect, it } from 'vitest';
import type { AuthorizationAttributes, UserInfo } from '../types.js';
import { serviceAccountUser } from '../users.js';
import { aggregateClusterRoles } from './aggregate.js';
import { rbacAuthorizer } from './authorizer.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap.js';
import { forbiddenError, forbiddenMessage } from './messages.js';
import {
  staticRbacSource,
  type ClusterRole,
  type ClusterRoleBinding,
  type Role,
  type RoleBinding,
} from './types.js';

const jane: UserInfo = { username: 'jane', groups: ['dev', 'system:authenticated'] };

function attrs(user: UserInfo, a: Partial<AuthorizationAttributes>): AuthorizationAttributes {
  return {
    user,
    verb: 'get',
    resourceRequest: true,
    path: '',
    namespace: '',
    apiGroup: '',
    apiVersion: 'v1',
    resource: '',
    subresource: '',
    name: '',
    ...a,
  };
}

const meta = (name: string, namespace?: string) => (namespace ? { name, namespace } : { name });

const roles: Role[] = [
  {
    metadata: meta('pod-reader', 'default'),
    rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }],
  },
  {
    metadata: meta('cm-one', 'default'),
    rules: [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get', 'update'] },
    ],
  },
];

const clusterRoles: ClusterRole[] = [
  ...bootstrapClusterRoles(),
  {
    metadata: meta('deploy-admin'),
    rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }],
  },
  {
    metadata: meta('status-reader'),
    rules: [{ apiGroups: ['*'], resources: ['*/status'], verbs: ['get'] }],
  },
  { metadata: meta('metrics'), rules: [{ nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] }] },
];

const roleBindings: RoleBinding[] = [
  {
    metadata: meta('jane-pods', 'default'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
  },
  {
    metadata: meta('dev-cm', 'default'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-one' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dev' }],
  },
  {
    metadata: meta('dev-deploy', 'team'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'deploy-admin' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dev' }],
  },
  {
    metadata: meta('sa-view', 'team'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'builder' }],
  },
  {
    metadata: meta('dangling', 'team'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gone' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
  },
];

const clusterRoleBindings: ClusterRoleBinding[] = [
  ...bootstrapClusterRoleBindings(),
  {
    metadata: meta('jane-status'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'status-reader' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
  },
  {
    metadata: meta('jane-metrics'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
  },
];

// Run aggregation so view/edit/admin hold rules, as the server would.
const aggregated = aggregateClusterRoles(clusterRoles);
const allClusterRoles = clusterRoles.map(
  (r) => aggregated.find((a) => a.metadata?.name === r.metadata?.name) ?? r,
);
const source = staticRbacSource({ roles, clusterRoles: allClusterRoles, roleBindings, clusterRoleBindings });
const authz = rbacAuthorizer(source);

async function decide(a: AuthorizationAttributes): Promise<string> {
  return (await authz.authorize(a)).decision;
}

describe('RBAC authorizer', () => {
  it('allows by a RoleBinding only in its namespace', async () => {
    expect(await decide(attrs(jane, { verb: 'list', resource: 'pods', namespace: 'default' }))).toBe('allow');
    expect(await decide(attrs(jane, { verb: 'list', resource: 'pods', namespace: 'other' }))).toBe(
      'noOpinion',
    );
    expect(await decide(attrs(jane, { verb: 'list', resource: 'pods' }))).toBe('noOpinion');
    expect(await decide(attrs(jane, { verb: 'delete', resource: 'pods', namespace: 'default' }))).toBe(
      'noOpinion',
    );
  });

  it('explains what allowed a request', async () => {
    const r = await authz.authorize(attrs(jane, { verb: 'list', resource: 'pods', namespace: 'default' }));
    expect(r.reason).toBe(
      'RBAC: allowed by RoleBinding "jane-pods/default" of Role "pod-reader" to User "jane"',
    );
    const c = await authz.authorize(attrs(jane, { resource: 'pods', subresource: 'status', namespace: 'x' }));
    expect(c.reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "jane-status" of ClusterRole "status-reader" to User "jane"',
    );
  });

  it('matches subresources exactly or through */subresource', async () => {
    expect(await decide(attrs(jane, { resource: 'pods', subresource: 'log', namespace: 'default' }))).toBe(
      'allow',
    );
    expect(await decide(attrs(jane, { resource: 'pods', subresource: 'exec', namespace: 'default' }))).toBe(
      'noOpinion',
    );
    expect(
      await decide(
        attrs(jane, { apiGroup: 'apps', resource: 'deployments', subresource: 'status', namespace: 'a' }),
      ),
    ).toBe('allow');
    expect(
      await decide(attrs(jane, { verb: 'update', resource: 'pods', subresource: 'status', namespace: 'a' })),
    ).toBe('noOpinion');
  });

  it('limits rules with resourceNames to those names', async () => {
    const cm = { resource: 'configmaps', namespace: 'default' };
    expect(await decide(attrs(jane, { ...cm, name: 'app-config' }))).toBe('allow');
    expect(await decide(attrs(jane, { ...cm, verb: 'update', name: 'app-config' }))).toBe('allow');
    expect(await decide(attrs(jane, { ...cm, name: 'other' }))).toBe('noOpinion');
    expect(await decide(attrs(jane, { ...cm, verb: 'list' }))).toBe('noOpinion');
  });

  it('scopes a RoleBinding of a ClusterRole to the binding namespace, with wildcards', async () => {
    const d = { apiGroup: 'apps', resource: 'deployments' };
    expect(await decide(attrs(jane, { ...d, verb: 'create', namespace: 'team' }))).toBe('allow');
    expect(await decide(attrs(jane, { ...d, verb: 'create', namespace: 'default' }))).toBe('noOpinion');
    expect(await decide(attrs(jane, { ...d, verb: 'list' }))).toBe('noOpinion');
    expect(
      await decide(attrs(jane, { apiGroup: 'batch', resource: 'jobs', verb: 'create', namespace: 'team' })),
    ).toBe('noOpinion');
  });

  it('matches service accounts by name and binding namespace, and aggregated view rules', async () => {
    const sa = serviceAccountUser('team', 'builder');
    expect(await decide(attrs(sa, { verb: 'list', resource: 'configmaps', namespace: 'team' }))).toBe(
      'allow',
    );
    expect(await decide(attrs(sa, { verb: 'list', resource: 'secrets', namespace: 'team' }))).toBe(
      'noOpinion',
    );
    const otherNs = serviceAccountUser('other', 'builder');
    expect(await decide(attrs(otherNs, { verb: 'list', resource: 'configmaps', namespace: 'team' }))).toBe(
      'noOpinion',
    );
  });

  it('matches non-resource URLs exactly and by prefix', async () => {
    const nr = (path: string, verb = 'get') => attrs(jane, { resourceRequest: false, path, verb });
    expect(await decide(nr('/metrics'))).toBe('allow');
    expect(await decide(nr('/logs/kubelet.log'))).toBe('allow');
    expect(await decide(nr('/metrics/extra'))).toBe('noOpinion');
    expect(await decide(nr('/metrics', 'post'))).toBe('noOpinion');
    expect(await decide(nr('/version'))).toBe('allow');
    expect(await decide(nr('/apis/apps/v1'))).toBe('allow');
    const anon: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(await decide(attrs(anon, { resourceRequest: false, path: '/healthz' }))).toBe('allow');
    expect(await decide(attrs(anon, { resourceRequest: false, path: '/api' }))).toBe('noOpinion');
  });

  it('always allows system:masters and reports dangling role references', async () => {
    const admin: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
    expect(await decide(attrs(admin, { verb: 'escalate', resource: 'anything', apiGroup: 'x.io' }))).toBe(
      'allow',
    );
    const r = await authz.authorize(attrs(jane, { verb: 'delete', resource: 'pods', namespace: 'team' }));
    expect(r).toEqual({
      decision: 'noOpinion',
      reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found',
    });
  });

  it('lists the rules a user holds in a namespace', async () => {
    const rules = await authz.rulesFor(jane, 'default');
    expect(rules.incomplete).toBe(false);
    expect(rules.resourceRules).toContainEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: [''],
      resources: ['pods', 'pods/log'],
      resourceNames: [],
    });
    expect(rules.resourceRules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      resourceNames: [],
    });
    expect(rules.nonResourceRules).toContainEqual({
      verbs: ['get'],
      nonResourceURLs: ['/metrics', '/logs/*'],
    });
    const team = await authz.rulesFor(jane, 'team');
    expect(team.evaluationError).toBe('role.rbac.authorization.k8s.io "gone" not found');
  });
});

describe('forbidden messages', () => {
  it('words denials as upstream', () => {
    expect(forbiddenMessage(attrs(jane, { verb: 'list', resource: 'pods', namespace: 'default' }))).toBe(
      'User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect(forbiddenMessage(attrs(jane, { verb: 'list', resource: 'nodes' }))).toBe(
      'User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenMessage(attrs(jane, { resource: 'pods', subresource: 'log', namespace: 'a' }))).toBe(
      'User "jane" cannot get resource "pods/log" in API group "" in the namespace "a"',
    );
    expect(forbiddenMessage(attrs(jane, { resourceRequest: false, path: '/metrics' }))).toBe(
      'User "jane" cannot get path "/metrics"',
    );
  });

  it('builds the 403 Status', () => {
    const e = forbiddenError(
      attrs(jane, { verb: 'get', apiGroup: 'apps', resource: 'deployments', name: 'web', namespace: 'a' }),
    );
    expect(e.status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "a"',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    expect(forbiddenError(attrs(jane, { resourceRequest: false, path: '/metrics' })).message).toBe(
      'forbidden: User "jane" cannot get path "/metrics"',
    );
    expect(
      forbiddenError(attrs(jane, { verb: 'list', resource: 'pods', namespace: 'x' }), 'RBAC: oops').message,
    ).toBe(
      'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "x": RBAC: oops',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { fieldErrorString } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { rbacAuthorizer } from '../../../auth/rbac/authorizer.js';
import { staticRbacSource, type ClusterRole, type Role, type RoleBinding } from '../../../auth/rbac/types.js';
import type { UserInfo } from '../../../auth/types.js';
import type { StrategyContext } from '../../strategy.js';
import { authorizeRbacWrite, rbacStrategies } from './index.js';

const jane: UserInfo = { username: 'jane', groups: ['dev', 'system:authenticated'] };
const ctx: StrategyContext = { user: jane, namespace: 'default', now: () => new Date() };

function strategy(plural: string) {
  const s = rbacStrategies[plural];
  if (!s) throw new Error(plural);
  return s;
}

function errors(plural: string, obj: KubeObject, old?: KubeObject): string[] {
  const s = strategy(plural);
  s.defaults?.(obj);
  const errs = old && s.validateUpdate ? s.validateUpdate(obj, old, ctx) : s.validate(obj, ctx);
  return errs.map(fieldErrorString);
}

describe('RBAC validation', () => {
  it('uses path-segment names for every kind', () => {
    for (const plural of ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']) {
      expect(strategy(plural).nameValidation).toBe('path-segment');
    }
  });

  it('validates policy rules', () => {
    expect(errors('roles', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] })).toEqual(
      [],
    );
    expect(errors('roles', { rules: [{}] })).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
    ]);
    expect(errors('roles', { rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] })).toEqual([
      'rules[0].nonResourceURLs: Invalid value: []string{"/metrics"}: namespaced rules cannot apply to non-resource URLs',
    ]);
    expect(errors('clusterroles', { rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] })).toEqual(
      [],
    );
    expect(
      errors('clusterroles', {
        rules: [{ nonResourceURLs: ['/metrics'], resources: ['pods'], verbs: ['get'] }],
      }),
    ).toEqual([
      'rules[0].nonResourceURLs: Invalid value: []string{"/metrics"}: rules cannot apply to both regular resources and non-resource URLs',
    ]);
    expect(errors('clusterroles', { aggregationRule: {} })).toEqual([
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
  });

  it('defaults and validates bindings', () => {
    const rb: KubeObject = {
      roleRef: { kind: 'Role', name: 'pod-reader' },
      subjects: [
        { kind: 'User', name: 'jane' },
        { kind: 'ServiceAccount', name: 'builder' },
      ],
    };
    expect(errors('rolebindings', rb)).toEqual([]);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' });
    expect(rb.subjects).toEqual([
      { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'builder' },
    ]);
    expect(errors('clusterrolebindings', { roleRef: { kind: 'Role', name: 'x' } })).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    ]);
    expect(errors('rolebindings', {})).toEqual([
      'roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"',
      'roleRef.name: Required value',
    ]);
    expect(
      errors('clusterrolebindings', {
        roleRef: { apiGroup: 'example.com', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'sa' }, { kind: 'Robot', name: 'r2' }, { kind: 'User' }],
      }),
    ).toEqual([
      'roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      'subjects[2].name: Required value',
    ]);
  });

  it('keeps roleRef immutable', () => {
    const old: KubeObject = {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    };
    const changed: KubeObject = {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    };
    expect(errors('clusterrolebindings', changed, old)).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
    expect(errors('clusterrolebindings', structuredClone(old), old)).toEqual([]);
  });
});

describe('authorizeRbacWrite (escalation and bind checks)', () => {
  const roles: Role[] = [
    {
      metadata: { name: 'pod-reader', namespace: 'default' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
  ];
  const clusterRoles: ClusterRole[] = [
    {
      metadata: { name: 'edit-lite' },
      rules: [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'delete'] }],
    },
    {
      metadata: { name: 'secret-admin' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }],
    },
    {
      metadata: { name: 'escalator' },
      rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }],
    },
    {
      metadata: { name: 'binder' },
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles'],
          resourceNames: ['edit-lite'],
          verbs: ['bind'],
        },
      ],
    },
  ];
  const roleBindings: RoleBinding[] = [
    {
      metadata: { name: 'jane-pods', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    },
    {
      metadata: { name: 'jane-escalate', namespace: 'power' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'escalator' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    },
    {
      metadata: { name: 'jane-bind', namespace: 'power' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'binder' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    },
  ];
  const source = staticRbacSource({ roles, clusterRoles, roleBindings });
  const authz = rbacAuthorizer(source);

  const role = (ns: string, verbs: string[]): KubeObject => ({
    kind: 'Role',
    metadata: { name: 'r', namespace: ns },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
  });
  const binding = (ns: string, kind: string, name: string): KubeObject => ({
    kind: 'RoleBinding',
    metadata: { name: 'b', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
  });

  it('allows granting rules the user holds', async () => {
    expect(
      await authorizeRbacWrite(jane, role('default', ['get', 'list']), 'default', authz, source),
    ).toBeUndefined();
    expect(
      await authorizeRbacWrite(jane, binding('default', 'Role', 'pod-reader'), 'default', authz, source),
    ).toBeUndefined();
  });

  it('refuses rules the user does not hold, with upstream wording', async () => {
    const err = await authorizeRbacWrite(jane, role('default', ['get', 'delete']), 'default', authz, source);
    expect(err?.code).toBe(403);
    expect(err?.message).toBe(
      'roles.rbac.authorization.k8s.io "r" is forbidden: user "jane" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
    );
    const b = await authorizeRbacWrite(
      jane,
      binding('default', 'ClusterRole', 'edit-lite'),
      'default',
      authz,
      source,
    );
    expect(b?.message).toBe(
      'rolebindings.rbac.authorization.k8s.io "b" is forbidden: user "jane" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
    );
  });

  it('lets the escalate and bind verbs through', async () => {
    expect(await authorizeRbacWrite(jane, role('power', ['*']), 'power', authz, source)).toBeUndefined();
    expect(
      await authorizeRbacWrite(jane, binding('power', 'ClusterRole', 'edit-lite'), 'power', authz, source),
    ).toBeUndefined();
    // bind is limited to the named role, and to its namespace.
    expect(
      (
        await authorizeRbacWrite(
          jane,
          binding('power', 'ClusterRole', 'secret-admin'),
          'power',
          authz,
          source,
        )
      )?.code,
    ).toBe(403);
    expect(
      (
        await authorizeRbacWrite(
          jane,
          binding('default', 'ClusterRole', 'edit-lite'),
          'default',
          authz,
          source,
        )
      )?.code,
    ).toBe(403);
  });

  it('answers 404 for a binding to a missing role, and exempts system:masters', async () => {
    const err = await authorizeRbacWrite(
      jane,
      binding('default', 'ClusterRole', 'nope'),
      'default',
      authz,
      source,
    );
    expect(err?.code).toBe(404);
    expect(err?.message).toBe('clusterrole.rbac.authorization.k8s.io "nope" not found');
    const admin: UserInfo = { username: 'system:admin', groups: ['system:masters'] };
    expect(await authorizeRbacWrite(admin, role('default', ['*']), 'default', authz, source)).toBeUndefined();
  });

  it('requires full authority for aggregation rules, and skips GC-only updates', async () => {
    const agg: KubeObject = {
      kind: 'ClusterRole',
      metadata: { name: 'agg' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] },
    };
    expect((await authorizeRbacWrite(jane, agg, '', authz, source))?.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
    const old = role('default', ['get', 'delete']);
    const withFinalizer = structuredClone(old);
    withFinalizer.metadata = { ...withFinalizer.metadata, finalizers: ['example.com/keep'] };
    expect(await authorizeRbacWrite(jane, withFinalizer, 'default', authz, source, old)).toBeUndefined();
    expect(
      (await authorizeRbacWrite(jane, role('default', ['*']), 'default', authz, source, old))?.code,
    ).toBe(403);
  });
});

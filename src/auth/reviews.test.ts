import { describe, expect, it } from 'vitest';
import { fieldErrorString, isApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { StrategyContext, VirtualResource } from '../registry/strategy.js';
import { aggregateClusterRoles } from './rbac/aggregate.js';
import { rbacAuthorizer } from './rbac/authorizer.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './rbac/bootstrap.js';
import { staticRbacSource, type RoleBinding } from './rbac/types.js';
import { reviewResources } from './reviews.js';
import { parseTokenFile, staticTokenAuthenticator } from './tokenfile.js';
import type { UserInfo } from './types.js';

const jane: UserInfo = { username: 'jane', uid: 'u-1', groups: ['dev', 'system:authenticated'] };
const base = bootstrapClusterRoles();
const updates = aggregateClusterRoles(base);
const clusterRoles = base.map((r) => updates.find((u) => u.metadata?.name === r.metadata?.name) ?? r);
const roleBindings: RoleBinding[] = [
  {
    metadata: { name: 'jane-view', namespace: 'default' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
  },
];
const source = staticRbacSource({
  clusterRoles,
  roleBindings,
  clusterRoleBindings: bootstrapClusterRoleBindings(),
});
const reviews = reviewResources({
  authorizer: rbacAuthorizer(source),
  tokenAuthenticator: staticTokenAuthenticator(parseTokenFile('t0k3n,bob,uid-9,"ops,qa"\n')),
  now: () => new Date('2026-01-02T03:04:05.678Z'),
});

function review(key: string): VirtualResource {
  const r = reviews[key];
  if (!r) throw new Error(key);
  return r;
}

const ctx = (user: UserInfo, namespace = ''): StrategyContext => ({ user, namespace, now: () => new Date() });

async function create(key: string, obj: KubeObject, c: StrategyContext): Promise<Record<string, unknown>> {
  const r = review(key);
  const errs = r.validate?.(obj, c) ?? [];
  if (errs.length > 0) throw new Error(errs.map(fieldErrorString).join('; '));
  const out = await r.create(obj, c);
  return out.status as Record<string, unknown>;
}

describe('SelfSubjectReview', () => {
  it('returns the caller', async () => {
    const out = await review('authentication.k8s.io/selfsubjectreviews').create({}, ctx(jane));
    expect(out).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: '2026-01-02T03:04:05Z' },
      status: { userInfo: { username: 'jane', uid: 'u-1', groups: ['dev', 'system:authenticated'] } },
    });
  });
});

describe('TokenReview', () => {
  it('authenticates a token, or says why not', async () => {
    expect(
      await create('authentication.k8s.io/tokenreviews', { spec: { token: 't0k3n' } }, ctx(jane)),
    ).toEqual({
      authenticated: true,
      user: { username: 'bob', uid: 'uid-9', groups: ['ops', 'qa', 'system:authenticated'] },
    });
    expect(await create('authentication.k8s.io/tokenreviews', { spec: { token: 'bad' } }, ctx(jane))).toEqual(
      {
        authenticated: false,
        user: {},
        error: 'invalid bearer token',
      },
    );
    await expect(create('authentication.k8s.io/tokenreviews', { spec: {} }, ctx(jane))).rejects.toSatisfy(
      (e: unknown) =>
        isApiError(e) &&
        e.code === 400 &&
        e.message === 'token is required for TokenReview in authentication',
    );
  });
});

describe('access reviews', () => {
  const ssar = 'authorization.k8s.io/selfsubjectaccessreviews';

  it('answers kubectl auth can-i', async () => {
    const can = (resourceAttributes: Record<string, string>) =>
      create(ssar, { spec: { resourceAttributes } }, ctx(jane));
    expect(await can({ verb: 'list', resource: 'pods', namespace: 'default' })).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "jane-view/default" of ClusterRole "view" to User "jane"',
    });
    expect(await can({ verb: 'delete', resource: 'pods', namespace: 'default' })).toEqual({ allowed: false });
    expect(await can({ verb: 'list', resource: 'pods', namespace: 'kube-system' })).toEqual({
      allowed: false,
    });
    expect(
      await create(ssar, { spec: { nonResourceAttributes: { verb: 'get', path: '/version' } } }, ctx(jane)),
    ).toMatchObject({
      allowed: true,
    });
  });

  it('validates the attribute choice', () => {
    const v = review(ssar).validate;
    expect(v?.({ spec: {} }, ctx(jane)).map(fieldErrorString)).toEqual([
      'spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    ]);
    expect(
      v?.({ spec: { resourceAttributes: {}, nonResourceAttributes: {} } }, ctx(jane)).map(fieldErrorString),
    ).toEqual([
      'spec.nonResourceAttributes: Invalid value: {}: cannot be specified in combination with resourceAttributes',
    ]);
  });

  it('checks another user with SubjectAccessReview', async () => {
    const sar = 'authorization.k8s.io/subjectaccessreviews';
    const admin: UserInfo = { username: 'system:admin', groups: ['system:masters'] };
    const spec = {
      user: 'jane',
      resourceAttributes: { verb: 'get', resource: 'configmaps', namespace: 'default' },
    };
    expect(
      await create(
        sar,
        { metadata: JSON.parse('{"creationTimestamp":null}') as KubeObject['metadata'], spec },
        ctx(admin),
      ),
    ).toMatchObject({
      allowed: true,
    });
    expect(await create(sar, { spec: { ...spec, user: 'mallory' } }, ctx(admin))).toEqual({ allowed: false });
    expect(
      await create(
        sar,
        { spec: { groups: ['system:masters'], resourceAttributes: { verb: 'x' } } },
        ctx(admin),
      ),
    ).toEqual({
      allowed: true,
    });
    expect(
      review(sar)
        .validate?.({ metadata: { name: 'x' }, spec: { resourceAttributes: {} } }, ctx(admin))
        .map(fieldErrorString),
    ).toEqual([
      'spec.user: Invalid value: "": at least one of user or group must be specified',
      'metadata: Invalid value: {"name":"x"}: must be empty',
    ]);
  });

  it('requires LocalSubjectAccessReview namespaces to match', async () => {
    const lsar = 'authorization.k8s.io/localsubjectaccessreviews';
    const obj = {
      metadata: { namespace: 'default' },
      spec: { user: 'jane', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } },
    };
    expect(await create(lsar, obj, ctx(jane, 'default'))).toMatchObject({ allowed: true });
    const wrong = {
      ...obj,
      spec: { ...obj.spec, resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'x' } },
    };
    expect(review(lsar).validate?.(wrong, ctx(jane, 'default')).map(fieldErrorString)).toEqual([
      'spec.resourceAttributes.namespace: Invalid value: "x": must match metadata.namespace',
    ]);
    await expect(
      review(lsar).create({ ...obj, metadata: { namespace: 'other' } }, ctx(jane, 'default')),
    ).rejects.toSatisfy((e: unknown) => isApiError(e) && e.code === 400);
  });
});

describe('SelfSubjectRulesReview', () => {
  it('lists the rules for kubectl auth can-i --list', async () => {
    const status = await create(
      'authorization.k8s.io/selfsubjectrulesreviews',
      { spec: { namespace: 'default' } },
      ctx(jane, ''),
    );
    expect(status.incomplete).toBe(false);
    expect(status.resourceRules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authentication.k8s.io'],
      resources: ['selfsubjectreviews'],
    });
    expect(status.resourceRules).toContainEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: [''],
      resources: ['namespaces'],
    });
    expect(status.nonResourceRules).toContainEqual({
      verbs: ['get'],
      nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'],
    });
    await expect(
      review('authorization.k8s.io/selfsubjectrulesreviews').create({ spec: {} }, ctx(jane)),
    ).rejects.toSatisfy((e: unknown) => isApiError(e) && e.message === 'no namespace on request');
  });
});

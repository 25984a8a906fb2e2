import { describe, expect, it } from 'vitest';
import { aggregateClusterRoles } from './aggregate.js';
import {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_LABEL,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
} from './bootstrap.js';
import { reconcileBootstrapPolicy, type BootstrapPolicyStore } from './reconcile.js';
import { compactRules, compactRuleString, covers } from './rules.js';
import { selectorMatches } from './selector.js';
import type { ClusterRole, ClusterRoleBinding } from './types.js';

function byName<T extends { metadata?: { name?: string } }>(items: T[], name: string): T {
  const found = items.find((i) => i.metadata?.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('bootstrap policy', () => {
  it('labels and annotates every default object', () => {
    const roles = bootstrapClusterRoles();
    for (const o of [...roles, ...bootstrapClusterRoleBindings()]) {
      expect(o.metadata?.labels?.[BOOTSTRAP_LABEL]).toBe('rbac-defaults');
      expect(o.metadata?.annotations?.[AUTOUPDATE_ANNOTATION]).toBe('true');
    }
    expect(roles.map((r) => r.metadata?.name)).toEqual(
      expect.arrayContaining([
        'cluster-admin',
        'admin',
        'edit',
        'view',
        'system:aggregate-to-admin',
        'system:aggregate-to-edit',
        'system:aggregate-to-view',
        'system:discovery',
        'system:basic-user',
        'system:public-info-viewer',
        'system:monitoring',
      ]),
    );
    expect(byName(roles, 'edit').metadata?.labels?.['rbac.authorization.k8s.io/aggregate-to-admin']).toBe(
      'true',
    );
    expect(byName(roles, 'view').aggregationRule).toEqual({
      clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }],
    });
    const bindings = bootstrapClusterRoleBindings();
    expect(byName(bindings, 'system:public-info-viewer').subjects?.map((s) => s.name)).toEqual([
      'system:authenticated',
      'system:unauthenticated',
    ]);
    expect(byName(bindings, 'cluster-admin').subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
    ]);
  });
});

describe('aggregation', () => {
  it('gives view, edit and admin the union of their aggregated roles, following the chain', () => {
    const roles = bootstrapClusterRoles();
    const updates = aggregateClusterRoles(roles);
    expect(updates.map((u) => u.metadata?.name).sort()).toEqual(['admin', 'edit', 'view']);
    const view = byName(updates, 'view');
    const edit = byName(updates, 'edit');
    const admin = byName(updates, 'admin');
    expect(view.rules).toEqual(byName(roles, 'system:aggregate-to-view').rules);
    expect(covers(edit.rules ?? [], view.rules ?? []).covered).toBe(true);
    expect(covers(admin.rules ?? [], edit.rules ?? []).covered).toBe(true);
    expect(covers(edit.rules ?? [], byName(roles, 'system:aggregate-to-admin').rules ?? []).covered).toBe(
      false,
    );
    // Inputs are not mutated, and a settled set needs no updates.
    expect(byName(roles, 'view').rules).toBeUndefined();
    const settled = roles.map((r) => updates.find((u) => u.metadata?.name === r.metadata?.name) ?? r);
    expect(aggregateClusterRoles(settled)).toEqual([]);
  });

  it('picks up a custom role that aggregates to view, and drops rules of removed ones', () => {
    const crd: ClusterRole = {
      metadata: { name: 'crontab-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['stable.example.com'], resources: ['crontabs'], verbs: ['get'] }],
    };
    const base = bootstrapClusterRoles();
    const first = aggregateClusterRoles([...base, crd]);
    const settled = base.map((r) => first.find((u) => u.metadata?.name === r.metadata?.name) ?? r);
    expect(byName(first, 'admin').rules).toContainEqual(crd.rules?.[0]);
    const after = aggregateClusterRoles(settled);
    expect(after.map((u) => u.metadata?.name).sort()).toEqual(['admin', 'edit', 'view']);
    expect(byName(after, 'view').rules).not.toContainEqual(crd.rules?.[0]);
  });

  it('matches label selectors with expressions', () => {
    expect(
      selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, { a: '1' }),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' }),
    ).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, {})).toBe(true);
    expect(selectorMatches({}, { x: 'y' })).toBe(true);
    expect(selectorMatches(undefined, { x: 'y' })).toBe(false);
  });
});

describe('rule coverage', () => {
  it('breaks rules down, reports the uncovered parts, and compacts them', () => {
    const owner = [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['*'], resources: ['*/status'], verbs: ['get'] },
      { nonResourceURLs: ['/logs/*'], verbs: ['get'] },
    ];
    expect(covers(owner, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]).covered).toBe(true);
    expect(
      covers(owner, [{ apiGroups: ['apps'], resources: ['deployments/status'], verbs: ['get'] }]).covered,
    ).toBe(true);
    expect(covers(owner, [{ nonResourceURLs: ['/logs/a'], verbs: ['get'] }]).covered).toBe(true);
    const { covered, missing } = covers(owner, [
      { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'delete'] },
    ]);
    expect(covered).toBe(false);
    expect(compactRules(missing).map(compactRuleString).sort()).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
    ]);
    // A rule limited to names does not cover the unrestricted rule.
    expect(
      covers(
        [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get'] }],
        [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      ).covered,
    ).toBe(false);
  });
});

describe('reconcileBootstrapPolicy', () => {
  function memoryStore(): BootstrapPolicyStore & {
    roles: Map<string, ClusterRole>;
    bindings: Map<string, ClusterRoleBinding>;
  } {
    const roles = new Map<string, ClusterRole>();
    const bindings = new Map<string, ClusterRoleBinding>();
    return {
      roles,
      bindings,
      getClusterRole: (n) => Promise.resolve(roles.get(n)),
      createClusterRole: (r) => Promise.resolve(void roles.set(r.metadata?.name ?? '', structuredClone(r))),
      updateClusterRole: (r) => Promise.resolve(void roles.set(r.metadata?.name ?? '', structuredClone(r))),
      getClusterRoleBinding: (n) => Promise.resolve(bindings.get(n)),
      createClusterRoleBinding: (b) =>
        Promise.resolve(void bindings.set(b.metadata?.name ?? '', structuredClone(b))),
      updateClusterRoleBinding: (b) =>
        Promise.resolve(void bindings.set(b.metadata?.name ?? '', structuredClone(b))),
      deleteClusterRoleBinding: (n) => Promise.resolve(void bindings.delete(n)),
    };
  }

  it('creates missing objects and then is a no-op', async () => {
    const store = memoryStore();
    const first = await reconcileBootstrapPolicy(store);
    expect(first.created).toContain('clusterrole/cluster-admin');
    expect(first.created).toContain('clusterrolebinding/system:public-info-viewer');
    expect(first.updated).toEqual([]);
    expect(await reconcileBootstrapPolicy(store)).toEqual({ created: [], updated: [], skipped: [] });
  });

  it('adds missing rules and subjects to autoupdate objects, and leaves autoupdate=false ones alone', async () => {
    const store = memoryStore();
    await reconcileBootstrapPolicy(store);
    const discovery = store.roles.get('system:discovery');
    const basic = store.roles.get('system:basic-user');
    const binding = store.bindings.get('system:discovery');
    if (!discovery || !basic || !binding) throw new Error('missing');
    discovery.rules = [{ nonResourceURLs: ['/custom'], verbs: ['get'] }];
    basic.rules = [];
    basic.metadata = { ...basic.metadata, annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } };
    binding.subjects = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'extra' }];
    const report = await reconcileBootstrapPolicy(store);
    expect(report).toEqual({
      created: [],
      updated: ['clusterrole/system:discovery', 'clusterrolebinding/system:discovery'],
      skipped: ['clusterrole/system:basic-user'],
    });
    const rules = store.roles.get('system:discovery')?.rules ?? [];
    expect(rules[0]).toEqual({ nonResourceURLs: ['/custom'], verbs: ['get'] });
    expect(covers(rules, byName(bootstrapClusterRoles(), 'system:discovery').rules ?? []).covered).toBe(true);
    expect(store.bindings.get('system:discovery')?.subjects?.map((s) => s.name)).toEqual([
      'extra',
      'system:authenticated',
    ]);
    expect(store.roles.get('system:basic-user')?.rules).toEqual([]);
  });
});

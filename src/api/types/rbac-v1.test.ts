import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../schema/registry.js';
import { rbacV1Definitions } from './rbac-v1.js';
import { def, field, fieldNames } from './testing/schema-groups.js';

const reg = new DefinitionRegistry().add(...rbacV1Definitions);
const R = 'io.k8s.api.rbac.v1.';

describe('rbac.authorization.k8s.io/v1 schema', () => {
  it('serves the four kinds and their Lists', () => {
    for (const kind of ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']) {
      for (const k of [kind, `${kind}List`]) {
        expect(reg.forKind({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: k })?.name).toBe(R + k);
      }
    }
  });

  it('PolicyRule: verbs required, every field an atomic string list', () => {
    const rule = R + 'PolicyRule';
    expect(fieldNames(reg, rule)).toEqual([
      'apiGroups',
      'nonResourceURLs',
      'resourceNames',
      'resources',
      'verbs',
    ]);
    expect(def(reg, rule).required).toEqual(['verbs']);
    for (const name of fieldNames(reg, rule)) {
      expect(field(reg, rule, name).schema).toEqual({ kind: 'array', items: { kind: 'string' } });
      expect(field(reg, rule, name).listType).toBe('atomic');
    }
  });

  it('Subject and RoleRef are atomic structs', () => {
    expect(fieldNames(reg, R + 'Subject')).toEqual(['apiGroup', 'kind', 'name', 'namespace']);
    expect(def(reg, R + 'Subject').required).toEqual(['kind', 'name']);
    expect(def(reg, R + 'Subject').mapType).toBe('atomic');
    expect(def(reg, R + 'RoleRef').required).toEqual(['apiGroup', 'kind', 'name']);
    expect(def(reg, R + 'RoleRef').mapType).toBe('atomic');
  });

  it('bindings require roleRef; ClusterRole aggregates by label selectors', () => {
    expect(def(reg, R + 'RoleBinding').required).toEqual(['roleRef']);
    expect(def(reg, R + 'ClusterRoleBinding').required).toEqual(['roleRef']);
    expect(field(reg, R + 'ClusterRole', 'aggregationRule').schema).toEqual({
      kind: 'ref',
      name: R + 'AggregationRule',
    });
    expect(field(reg, R + 'AggregationRule', 'clusterRoleSelectors').schema).toEqual({
      kind: 'array',
      items: { kind: 'ref', name: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' },
    });
    expect(fieldNames(reg, R + 'Role')).toEqual(['apiVersion', 'kind', 'metadata', 'rules']);
  });
});

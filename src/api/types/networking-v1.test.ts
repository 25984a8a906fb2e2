import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../schema/registry.js';
import { networkingV1Definitions } from './networking-v1.js';
import { def, field, fieldNames } from './testing/schema-groups.js';

const reg = new DefinitionRegistry().add(...networkingV1Definitions);
const N = 'io.k8s.api.networking.v1.';

describe('networking.k8s.io/v1 schema', () => {
  it('serves Ingress, IngressClass, NetworkPolicy, ServiceCIDR and IPAddress with Lists', () => {
    for (const kind of ['Ingress', 'IngressClass', 'NetworkPolicy', 'ServiceCIDR', 'IPAddress']) {
      for (const k of [kind, `${kind}List`]) {
        expect(reg.forKind({ group: 'networking.k8s.io', version: 'v1', kind: k })?.name).toBe(N + k);
      }
    }
  });

  it('IngressSpec rules and tls are atomic lists', () => {
    const rules = field(reg, N + 'IngressSpec', 'rules');
    expect(rules.schema).toEqual({ kind: 'array', items: { kind: 'ref', name: N + 'IngressRule' } });
    expect(rules.listType).toBe('atomic');
    expect(field(reg, N + 'IngressSpec', 'tls').listType).toBe('atomic');
    expect(field(reg, N + 'HTTPIngressRuleValue', 'paths').listType).toBe('atomic');
  });

  it('paths need a type and a backend; backends are a service or a typed resource', () => {
    expect(def(reg, N + 'HTTPIngressPath').required).toEqual(['pathType', 'backend']);
    expect(field(reg, N + 'HTTPIngressPath', 'pathType').schema).toEqual({
      kind: 'string',
      enum: ['Exact', 'Prefix', 'ImplementationSpecific'],
    });
    expect(field(reg, N + 'IngressBackend', 'resource').schema).toEqual({
      kind: 'ref',
      name: 'io.k8s.api.core.v1.TypedLocalObjectReference',
    });
    expect(fieldNames(reg, N + 'ServiceBackendPort')).toEqual(['name', 'number']);
    expect(field(reg, N + 'IngressLoadBalancerStatus', 'ingress').schema).toEqual({
      kind: 'array',
      items: { kind: 'ref', name: N + 'IngressLoadBalancerIngress' },
    });
  });

  it('NetworkPolicy ports take IntOrString and peers take selectors or an IP block', () => {
    expect(field(reg, N + 'NetworkPolicyPort', 'port').schema).toEqual({
      kind: 'ref',
      name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    });
    expect(fieldNames(reg, N + 'NetworkPolicyPeer')).toEqual(['ipBlock', 'namespaceSelector', 'podSelector']);
    expect(def(reg, N + 'NetworkPolicySpec').required).toEqual(['podSelector']);
    expect(def(reg, N + 'IPBlock').required).toEqual(['cidr']);
  });
});

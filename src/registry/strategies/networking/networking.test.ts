import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { copy, create, get, set, update, updateStatus } from '../test-support.js';
import { ingressClassStrategy } from './ingressclasses.js';
import { ingressStrategy } from './ingresses.js';
import { networkPolicyStrategy } from './networkpolicies.js';

const backend = { service: { name: 'web', port: { number: 80 } } };

function ingress(...edits: [string, unknown][]): KubeObject {
  const o: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'main', namespace: 'default' },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: 'example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
      tls: [{ hosts: ['example.com'], secretName: 'tls' }],
    },
  };
  for (const [path, value] of edits) set(o, path, value);
  return o;
}

describe('Ingress', () => {
  it('accepts a valid ingress and prepares it', () => {
    const o = ingress(['status', { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }]);
    expect(create(ingressStrategy, o)).toEqual([]);
    expect(o['status']).toEqual({ loadBalancer: {} });
    expect(o.metadata?.generation).toBe(1);
  });
  it('requires rules or a default backend', () => {
    expect(create(ingressStrategy, ingress(['spec', {}]))).toEqual([
      'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    ]);
  });
  it('checks path types and paths', () => {
    const o = ingress([
      'spec.rules.0.http.paths',
      [
        { path: '/', backend },
        { path: 'foo', pathType: 'Exact', backend },
        { path: '/a//b/..', pathType: 'Prefix', backend },
        { path: 'x', pathType: 'ImplementationSpecific', backend },
        { path: '/', pathType: 'Regex', backend },
      ],
    ]);
    expect(create(ingressStrategy, o)).toEqual([
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[1].path: Invalid value: "foo": must be an absolute path',
      'spec.rules[0].http.paths[2].path: Invalid value: "/a//b/..": must not contain \'//\'',
      'spec.rules[0].http.paths[2].path: Invalid value: "/a//b/..": cannot end with \'/..\'',
      'spec.rules[0].http.paths[3].path: Invalid value: "x": must be an absolute path',
      'spec.rules[0].http.paths[4].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ]);
  });
  it('checks backends', () => {
    const o = ingress([
      'spec.rules.0.http.paths',
      [
        {
          path: '/a',
          pathType: 'Prefix',
          backend: { service: { name: 'web', port: { name: 'http', number: 80 } } },
        },
        { path: '/b', pathType: 'Prefix', backend: { service: { name: 'Web', port: {} } } },
        { path: '/c', pathType: 'Prefix', backend: {} },
      ],
    ]);
    expect(create(ingressStrategy, o)).toEqual([
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
      "spec.rules[0].http.paths[1].backend.service.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      'spec.rules[0].http.paths[1].backend: Required value: port name or number is required',
      'spec.rules[0].http.paths[2].backend: Invalid value: "": resource or service backend is required',
    ]);
  });
  it('checks hosts, wildcards and TLS hosts', () => {
    const o = ingress(
      ['spec.rules.0.host', '*.example.com'],
      ['spec.rules.1', { host: '10.0.0.1', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
      ['spec.rules.2', { host: 'foo.*.com' }],
      ['spec.tls.0.hosts', ['*.example.com', 'Bad']],
    );
    const errs = create(ingressStrategy, o);
    expect(errs[0]).toBe(
      'spec.rules[1].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    );
    expect(errs[1]).toMatch(
      /^spec\.rules\[2\]\.host: Invalid value: "foo\.\*\.com": a wildcard DNS-1123 subdomain must start with '\*\.'/,
    );
    expect(errs[2]).toMatch(
      /^spec\.tls\[0\]\.hosts\[1\]: Invalid value: "Bad": a lowercase RFC 1123 subdomain/,
    );
    expect(errs).toHaveLength(3);
  });
  it('requires the class annotation to match ingressClassName, and warns about it', () => {
    const o = ingress(['metadata.annotations', { 'kubernetes.io/ingress.class': 'other' }]);
    expect(create(ingressStrategy, o)).toEqual([
      'annotations.kubernetes.io/ingress.class: Invalid value: "other": must match `ingressClassName` when both are specified',
    ]);
    expect(ingressStrategy.warnings?.(o, undefined)).toEqual([
      'annotation "kubernetes.io/ingress.class" is deprecated, please use \'spec.ingressClassName\' instead',
    ]);
  });
  it('validates load-balancer status', () => {
    const old = ingress();
    create(ingressStrategy, old);
    const o = copy(old);
    set(o, 'status.loadBalancer.ingress', [{ ip: '1.2.3' }, { hostname: '10.1.1.1' }]);
    expect(updateStatus(ingressStrategy, o, old)).toEqual([
      'status.loadBalancer.ingress[0].ip: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "10.1.1.1": must be a DNS name, not an IP address',
    ]);
  });
});

describe('IngressClass', () => {
  function ingressClass(...edits: [string, unknown][]): KubeObject {
    const o: KubeObject = { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } };
    for (const [path, value] of edits) set(o, path, value);
    return o;
  }
  it('defaults parameter scope and validates', () => {
    const o = ingressClass(['spec.parameters', { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' }]);
    expect(create(ingressClassStrategy, o)).toEqual([]);
    expect(get(o, 'spec.parameters.scope')).toBe('Cluster');
    expect(create(ingressClassStrategy, ingressClass(['spec.controller', 'nginx']))).toEqual([
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    ]);
    expect(
      create(
        ingressClassStrategy,
        ingressClass(['spec.parameters', { kind: 'P', name: 'p', scope: 'Namespace' }]),
      ),
    ).toEqual(["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]);
  });
  it('keeps the controller immutable', () => {
    const old = ingressClass();
    create(ingressClassStrategy, old);
    expect(update(ingressClassStrategy, ingressClass(['spec.controller', 'example.com/other']), old)).toEqual(
      ['spec.controller: Invalid value: "example.com/other": field is immutable'],
    );
  });
});

describe('NetworkPolicy', () => {
  function policy(...edits: [string, unknown][]): KubeObject {
    const o: KubeObject = { metadata: { name: 'np', namespace: 'default' }, spec: { podSelector: {} } };
    for (const [path, value] of edits) set(o, path, value);
    return o;
  }
  it('defaults protocols and policy types', () => {
    const o = policy(
      ['spec.ingress', [{ ports: [{ port: 80 }] }]],
      ['spec.egress', [{ to: [{ podSelector: {} }] }]],
    );
    expect(create(networkPolicyStrategy, o)).toEqual([]);
    expect(get(o, 'spec.ingress.0.ports.0.protocol')).toBe('TCP');
    expect(get(o, 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
    const plain = policy();
    create(networkPolicyStrategy, plain);
    expect(get(plain, 'spec.policyTypes')).toEqual(['Ingress']);
  });
  it('checks ports', () => {
    const o = policy([
      'spec.ingress',
      [
        {
          ports: [
            { port: 0 },
            { port: 100, endPort: 50 },
            { port: 'http', endPort: 90 },
            { endPort: 5 },
            { protocol: 'ICMP', port: 'Bad_Name' },
          ],
        },
      ],
    ]);
    expect(create(networkPolicyStrategy, o)).toEqual([
      'spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ingress[0].ports[1].endPort: Invalid value: 50: must be greater than or equal to `port`',
      'spec.ingress[0].ports[2].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
      'spec.ingress[0].ports[3].endPort: Invalid value: 5: may not be specified when `port` is not specified',
      'spec.ingress[0].ports[4].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      'spec.ingress[0].ports[4].port: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });
  it('checks peers and ipBlocks', () => {
    const o = policy([
      'spec.egress',
      [
        {
          to: [
            {},
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '11.0.0.0/16', '10.0.0.0/8', 'bad'] } },
            { ipBlock: { cidr: '10.0.0.0/33' }, podSelector: {} },
          ],
        },
      ],
    ]);
    expect(create(networkPolicyStrategy, o)).toEqual([
      'spec.egress[0].to[0]: Required value: must specify a peer',
      'spec.egress[0].to[1].ipBlock.except[1]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
      'spec.egress[0].to[1].ipBlock.except[2]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
      'spec.egress[0].to[1].ipBlock.except[3]: Invalid value: "bad": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.egress[0].to[2].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.egress[0].to[2]: Forbidden: may not specify both ipBlock and another peer',
    ]);
  });
  it('checks policy types and tolerates stored invalid CIDRs on update', () => {
    expect(
      create(networkPolicyStrategy, policy(['spec.policyTypes', ['Ingress', 'Egress', 'Ingress']])),
    ).toEqual([
      'spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes',
    ]);
    expect(create(networkPolicyStrategy, policy(['spec.policyTypes', ['Sideways']]))).toEqual([
      'spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]);
    const old = policy(['spec.ingress', [{ from: [{ ipBlock: { cidr: '010.0.0.0/8x' } }] }]]);
    const o = copy(old);
    set(o, 'spec.ingress.0.ports', [{ port: 443 }]);
    expect(update(networkPolicyStrategy, o, old)).toEqual([]);
    expect(o.metadata?.generation).toBe(1);
  });
});

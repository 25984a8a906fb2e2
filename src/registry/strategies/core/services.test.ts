import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { coreStrategies } from './index.js';
import { create, update, updateStatus } from './testing.js';

const services = coreStrategies['services']!;

function svc(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', ...meta },
    spec,
  };
}

const ports = [{ port: 80 }];

describe('service defaults', () => {
  it('fills type, affinity, ports and policies', () => {
    const { obj, errors } = create(services, svc({ selector: { app: 'web' }, ports }));
    expect(errors).toEqual([]);
    expect(obj['spec']).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(obj['status']).toEqual({ loadBalancer: {} });
    expect(services.nameValidation).toBe('dns1035');
    expect(services.allowCreateOnUpdate).toBe(true);
  });

  it('defaults LoadBalancer and NodePort extras', () => {
    const { obj } = create(
      services,
      svc({ type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] }),
    );
    expect(obj['spec']).toMatchObject({
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      ports: [{ port: 443, targetPort: 'https', protocol: 'TCP' }],
    });
  });

  it('defaults ClientIP affinity config and headless selectorless families', () => {
    expect(create(services, svc({ ports, sessionAffinity: 'ClientIP' })).obj['spec']).toMatchObject({
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    });
    const headless = create(services, svc({ clusterIP: 'None', ports }));
    expect(headless.errors).toEqual([]);
    expect(headless.obj['spec']).toMatchObject({
      clusterIPs: ['None'],
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv4', 'IPv6'],
    });
  });
});

describe('service validation', () => {
  it('reports upstream messages', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'spec.ports: Required value'],
      [{ ports: [{ port: 80 }, { port: 81 }] }, 'spec.ports[0].name: Required value'],
      [
        {
          ports: [
            { name: 'a', port: 80 },
            { name: 'a', port: 81 },
          ],
        },
        'spec.ports[1].name: Duplicate value: "a"',
      ],
      [
        { ports: [{ port: 0 }] },
        'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      ],
      [
        { ports: [{ port: 80, protocol: 'ICMP' }] },
        'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      ],
      [
        { ports, type: 'Weird' },
        'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
      [
        { ports: [{ port: 80, nodePort: 30080 }] },
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      ],
      [{ type: 'ExternalName' }, 'spec.externalName: Required value'],
      [
        { type: 'ExternalName', externalName: 'Bad_Host' },
        "spec.externalName: Invalid value: \"Bad_Host\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
      [
        { ports, clusterIP: '10.0.0.300' },
        'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
      [
        { ports, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } },
        'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
      ],
      [
        { ports: [{ port: 80 }, { port: 80, name: 'b' }].map((p, i) => ({ ...p, name: `p${i}` })) },
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
      [
        { ports, externalTrafficPolicy: 'Local' },
        'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
      ],
      [
        { ports, loadBalancerSourceRanges: ['10.0.0.0/8'] },
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
      ],
      [
        { ports, type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
        'spec.healthCheckNodePort: Required value',
      ],
      [
        { ports, externalIPs: ['127.0.0.1'] },
        'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ];
    for (const [spec, want] of cases) expect(create(services, svc(spec)).errors, want).toContain(want);
  });

  it('accepts NodePort and LoadBalancer services without allocated values', () => {
    expect(create(services, svc({ type: 'NodePort', ports })).errors).toEqual([]);
    expect(
      create(services, svc({ type: 'LoadBalancer', ports, loadBalancerClass: 'example.com/lb' })).errors,
    ).toEqual([]);
  });
});

describe('service update', () => {
  const stored = ((): KubeObject => {
    const s = create(services, svc({ selector: { app: 'web' }, ports, type: 'NodePort' })).obj as {
      spec: Record<string, unknown> & { ports: Record<string, unknown>[] };
    };
    // What the allocator would have filled in.
    s.spec['clusterIP'] = '10.96.0.10';
    s.spec['clusterIPs'] = ['10.96.0.10'];
    s.spec.ports[0]!['nodePort'] = 30080;
    return s as unknown as KubeObject;
  })();

  it('keeps allocated values a client leaves out (kubectl replace/apply)', () => {
    const { obj, errors } = update(
      services,
      svc({ selector: { app: 'web' }, ports, type: 'NodePort' }),
      stored,
    );
    expect(errors).toEqual([]);
    expect(obj['spec']).toMatchObject({
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [{ nodePort: 30080 }],
    });
  });

  it('refuses a changed cluster IP', () => {
    const { errors } = update(
      services,
      svc({ selector: { app: 'web' }, ports, type: 'NodePort', clusterIP: '10.96.0.11' }),
      stored,
    );
    expect(errors).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
    ]);
  });

  it('clears node ports and cluster IPs the new type does not use', () => {
    const toClusterIP = update(services, svc({ selector: { app: 'web' }, ports, type: 'ClusterIP' }), stored);
    expect(toClusterIP.errors).toEqual([]);
    expect((toClusterIP.obj['spec'] as { ports: Record<string, unknown>[] }).ports[0]).not.toHaveProperty(
      'nodePort',
    );
    const toExternal = update(services, svc({ type: 'ExternalName', externalName: 'example.com' }), stored);
    expect(toExternal.errors).toEqual([]);
    expect(toExternal.obj['spec']).not.toHaveProperty('clusterIPs');
    expect(toExternal.obj['spec']).not.toHaveProperty('ipFamilies');
  });

  it('validates load balancer status', () => {
    const next = structuredClone(stored);
    next['status'] = { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } };
    expect(updateStatus(services, next, stored).errors).toEqual([
      "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'",
    ]);
  });

  it('exposes spec.clusterIP and spec.type selectors', () => {
    expect(services.selectableFields?.(stored)).toEqual({
      'spec.clusterIP': '10.96.0.10',
      'spec.type': 'NodePort',
    });
  });
});

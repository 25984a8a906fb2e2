import { describe, expect, it } from 'vitest';
import { ep, slice, svc } from './fixtures.js';
import { buildServicePorts, isIPv4CIDR, usableEndpoints } from './model.js';

describe('buildServicePorts', () => {
  it('gathers the endpoints of each port by port name, deduplicated and sorted', () => {
    const s = svc(
      'web',
      '10.43.0.20',
      {},
      {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
        ],
      },
    );
    const a = slice('web', [ep('10.42.0.3'), ep('10.42.0.2')], {
      name: 'a',
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'dns', port: 5353, protocol: 'UDP' },
      ],
    });
    const b = slice('web', [ep('10.42.0.3')], { name: 'b' });
    const { ports, problems } = buildServicePorts(s, [a, b]);
    expect(problems).toEqual([]);
    expect(ports.map((p) => p.id)).toEqual(['default/web/tcp/http', 'default/web/udp/dns']);
    expect(ports[0]?.endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual(['10.42.0.2:8080', '10.42.0.3:8080']);
    expect(ports[1]?.endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual(['10.42.0.2:5353', '10.42.0.3:5353']);
  });

  it('skips headless and ExternalName services entirely', () => {
    expect(buildServicePorts(svc('h', 'None'), []).ports).toEqual([]);
    expect(buildServicePorts(svc('x', '', { type: 'ExternalName', externalName: 'a.b' }), []).ports).toEqual(
      [],
    );
  });

  it('keeps node ports only for NodePort and LoadBalancer types, and LB ingress IPs as external IPs', () => {
    const lb = svc(
      'lb',
      '10.43.0.21',
      { type: 'LoadBalancer', externalIPs: ['192.0.2.9'] },
      {
        ports: [{ name: 'http', port: 80, nodePort: 30080 }],
        status: {
          loadBalancer: {
            ingress: [{ ip: '192.0.2.7' }, { ip: '192.0.2.8', ipMode: 'Proxy' }, { hostname: 'x' }],
          },
        },
      },
    );
    const [p] = buildServicePorts(lb, []).ports;
    expect(p?.nodePort).toBe(30080);
    expect(p?.externalIPs).toEqual(['192.0.2.7', '192.0.2.9']);
    const plain = svc('c', '10.43.0.22', {}, { ports: [{ port: 80, nodePort: 30081 }] });
    expect(buildServicePorts(plain, []).ports[0]?.nodePort).toBeUndefined();
  });

  it('reports and skips what cannot be programmed, keeping the rest', () => {
    const s = svc(
      'bad',
      '10.43.0.23',
      { externalIPs: ['fe80::1', '192.0.2.1'] },
      {
        ports: [
          { name: 'ok', port: 80 },
          { name: 'weird', port: 81, protocol: 'ICMP' },
          { name: 'zero', port: 0 },
        ],
      },
    );
    const sl = slice('bad', [ep('not-an-ip'), ep('10.42.0.9')], { ports: [{ name: 'ok', port: 8080 }] });
    const { ports, problems } = buildServicePorts(s, [sl]);
    expect(ports.map((p) => p.id)).toEqual(['default/bad/tcp/ok']);
    expect(ports[0]?.externalIPs).toEqual(['192.0.2.1']);
    expect(ports[0]?.endpoints.map((e) => e.ip)).toEqual(['10.42.0.9']);
    expect(problems).toHaveLength(4);
  });

  it('skips ports whose names would not fit in nft names', () => {
    const long = svc('a'.repeat(63), '10.43.0.26', {}, { namespace: `${'b'.repeat(150)}` });
    const { ports, problems } = buildServicePorts(long, []);
    expect(ports).toEqual([]);
    expect(problems).toEqual(['port http: namespace and name too long to program']);
  });

  it('turns ClientIP affinity into a timeout (default 3 h)', () => {
    const a = svc('a', '10.43.0.24', { sessionAffinity: 'ClientIP' });
    expect(buildServicePorts(a, []).ports[0]?.affinityTimeoutSeconds).toBe(10800);
    const b = svc('b', '10.43.0.25', {
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    expect(buildServicePorts(b, []).ports[0]?.affinityTimeoutSeconds).toBe(60);
  });
});

describe('usableEndpoints', () => {
  const eps =
    buildServicePorts(svc('w', '10.43.0.30'), [
      slice('w', [
        ep('10.42.0.1', 'node-a'),
        ep('10.42.0.2', 'node-b'),
        ep('10.42.0.3', 'node-a', { ready: false, serving: true, terminating: true }),
        ep('10.42.0.4', 'node-b', { ready: false }),
      ]),
    ]).ports[0]?.endpoints ?? [];

  it('uses ready endpoints only, while there are any', () => {
    expect(usableEndpoints(eps).map((e) => e.ip)).toEqual(['10.42.0.1', '10.42.0.2']);
    expect(usableEndpoints(eps, 'node-b').map((e) => e.ip)).toEqual(['10.42.0.2']);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const noneReady = eps.map((e) =>
      e.ready ? { ...e, ready: false, serving: false, terminating: true } : e,
    );
    expect(usableEndpoints(noneReady).map((e) => e.ip)).toEqual(['10.42.0.3']);
    expect(usableEndpoints(noneReady, 'node-b')).toEqual([]);
  });
});

describe('isIPv4CIDR', () => {
  it('accepts IPv4 prefixes only', () => {
    expect(isIPv4CIDR('10.42.0.0/16')).toBe(true);
    expect(isIPv4CIDR('10.42.0.0/33')).toBe(false);
    expect(isIPv4CIDR('fd00::/8')).toBe(false);
    expect(isIPv4CIDR('10.42.0.0')).toBe(false);
  });
});

describe('loadBalancerSourceRanges in the model', () => {
  it('keeps IPv4 ranges as network addresses and reports malformed ones', () => {
    const s = svc(
      'shop',
      '10.43.0.30',
      {
        type: 'LoadBalancer',
        loadBalancerSourceRanges: ['10.1.2.3/16', '10.1.0.0/16', 'bogus', '2001:db8::/32'],
      },
      { status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }, { hostname: 'lb.example' }] } } },
    );
    const { ports, problems } = buildServicePorts(s, []);
    expect(ports[0]?.sourceRanges).toEqual(['10.1.0.0/16']);
    expect(ports[0]?.loadBalancerIPs).toEqual(['192.168.1.10']);
    expect(ports[0]?.sourceRangesNoIPv4).toBeUndefined();
    expect(problems).toEqual(['loadBalancerSourceRanges entry "bogus" is not an IPv4 CIDR: skipped']);
  });

  it('has no ranges for other Service types', () => {
    const s = svc('np', '10.43.0.31', { type: 'NodePort', loadBalancerSourceRanges: ['10.0.0.0/8'] });
    expect(buildServicePorts(s, []).ports[0]?.sourceRanges).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { ep, slice, svc } from './fixtures.js';
import { buildState, generateRuleset } from './generate.js';

const node = { nodeName: 'node-a', clusterCIDR: '10.42.0.0/16' };
const nodeIPs = ['192.168.1.10'];

function lines(text: string): string[] {
  return text.trim().split('\n');
}

describe('rule generation', () => {
  it('balances a ClusterIP at random over its ready endpoints, with hairpin and off-cluster masquerade', () => {
    const text = generateRuleset(
      't',
      [svc('web', '10.43.0.20')],
      [
        slice('web', [
          ep('10.42.0.2'),
          ep('10.42.0.3', 'node-b'),
          ep('10.42.0.4', 'node-b', { ready: false }),
        ]),
      ],
      node,
      nodeIPs,
    );
    const l = lines(text);
    expect(l.slice(0, 3)).toEqual(['add table ip t', 'delete table ip t', 'add table ip t']);
    expect(l).toContain(
      'add element ip t service-ips { 10.43.0.20 . tcp . 80 : goto cip-default/web/tcp/http }',
    );
    expect(l).toContain(
      'add rule ip t cip-default/web/tcp/http ip saddr != 10.42.0.0/16 jump mark-for-masquerade',
    );
    expect(l).toContain('add rule ip t cip-default/web/tcp/http goto svc-default/web/tcp/http');
    expect(l).toContain(
      'add rule ip t svc-default/web/tcp/http meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { ' +
        '0 : 10.42.0.2 . 8080, 1 : 10.42.0.3 . 8080 }',
    );
    // a pod that reaches itself through the service is masqueraded (hairpin)
    expect(l).toContain(
      'add rule ip t nat-postrouting ct status dnat ip saddr . ip daddr @hairpin-endpoints masquerade fully-random',
    );
    expect(l).toContain(
      'add element ip t hairpin-endpoints { 10.42.0.2 . 10.42.0.2, 10.42.0.3 . 10.42.0.3 }',
    );
    // the not-ready endpoint gets no traffic
    expect(text).not.toContain('10.42.0.4');
    expect(l).toContain('add element ip t nodeport-ips { 192.168.1.10 }');
  });

  it('rejects traffic to a service without endpoints, and uses terminating endpoints only when none is ready', () => {
    const { state } = buildState(
      [svc('empty', '10.43.0.22'), svc('ending', '10.43.0.23')],
      [
        slice('ending', [
          ep('10.42.0.7', 'node-a', { ready: false, serving: true, terminating: true }),
          ep('10.42.0.8', 'node-a', { ready: false, serving: false, terminating: true }),
        ]),
      ],
      node,
      nodeIPs,
    );
    expect(state.elements.get('no-endpoint-services')?.get('10.43.0.22 . tcp . 80')).toBe(
      'goto reject-chain',
    );
    expect(state.elements.get('service-ips')?.get('10.43.0.23 . tcp . 80')).toBe(
      'goto cip-default/ending/tcp/http',
    );
    const chains = state.fragments.get('default/ending')?.chains;
    expect(chains?.get('svc-default/ending/tcp/http')).toEqual(['meta l4proto tcp dnat to 10.42.0.7:8080']);
    expect([...(state.elements.get('hairpin-endpoints')?.keys() ?? [])]).toEqual(['10.42.0.7 . 10.42.0.7']);
  });

  it('programs NodePorts, external IPs and LB ingress IPs through the external chain (SNAT for Cluster)', () => {
    const { state } = buildState(
      [
        svc(
          'lb',
          '10.43.0.30',
          { type: 'LoadBalancer', externalIPs: ['192.0.2.9'] },
          {
            ports: [{ name: 'http', port: 80, nodePort: 30080 }],
            status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } },
          },
        ),
      ],
      [slice('lb', [ep('10.42.0.2', 'node-b')])],
      node,
      nodeIPs,
    );
    const ips = state.elements.get('service-ips');
    expect(ips?.get('192.0.2.7 . tcp . 80')).toBe('goto ext-default/lb/tcp/http');
    expect(ips?.get('192.0.2.9 . tcp . 80')).toBe('goto ext-default/lb/tcp/http');
    expect(state.elements.get('service-nodeports')?.get('tcp . 30080')).toBe('goto ext-default/lb/tcp/http');
    expect(state.fragments.get('default/lb')?.chains.get('ext-default/lb/tcp/http')).toEqual([
      'jump mark-for-masquerade',
      'goto svc-default/lb/tcp/http',
    ]);
  });

  it('sends external traffic only to local endpoints without SNAT under externalTrafficPolicy Local', () => {
    const spec = { type: 'NodePort' as const, externalTrafficPolicy: 'Local' as const };
    const ports = [{ name: 'http', port: 80, nodePort: 30081 }];
    const { state } = buildState(
      [
        svc('loc', '10.43.0.31', spec, { ports }),
        svc('far', '10.43.0.32', spec, { ports: [{ name: 'http', port: 80, nodePort: 30082 }] }),
      ],
      [
        slice('loc', [ep('10.42.0.2', 'node-a'), ep('10.42.0.3', 'node-b')]),
        slice('far', [ep('10.42.0.5', 'node-b')]),
      ],
      node,
      nodeIPs,
    );
    expect(state.fragments.get('default/loc')?.chains.get('ext-default/loc/tcp/http')).toEqual([
      'ip saddr 10.42.0.0/16 goto svc-default/loc/tcp/http',
      'fib saddr type local jump mark-for-masquerade',
      'fib saddr type local goto svc-default/loc/tcp/http',
      'goto loc-default/loc/tcp/http',
    ]);
    expect(state.fragments.get('default/loc')?.chains.get('loc-default/loc/tcp/http')).toEqual([
      'meta l4proto tcp dnat to 10.42.0.2:8080',
    ]);
    // no local endpoint: off-node clients are dropped, pods still reach the remote endpoint
    expect(state.fragments.get('default/far')?.chains.get('ext-default/far/tcp/http')?.at(-1)).toBe('drop');
  });

  it('keeps ClusterIP traffic on the node under internalTrafficPolicy Local (drop when none is local)', () => {
    const { state } = buildState(
      [
        svc('dns', '10.43.0.10', { internalTrafficPolicy: 'Local' }),
        svc('off', '10.43.0.11', { internalTrafficPolicy: 'Local' }),
      ],
      [
        slice('dns', [ep('10.42.0.2', 'node-a'), ep('10.42.0.3', 'node-b')]),
        slice('off', [ep('10.42.0.4', 'node-b')]),
      ],
      node,
      nodeIPs,
    );
    expect(state.fragments.get('default/dns')?.chains.get('cip-default/dns/tcp/http')?.at(-1)).toBe(
      'goto loc-default/dns/tcp/http',
    );
    expect(state.elements.get('no-endpoint-services')?.get('10.43.0.11 . tcp . 80')).toBe('drop');
  });

  it('pins clients with ClientIP affinity through per-endpoint sets with the timeout', () => {
    const { state } = buildState(
      [
        svc('s', '10.43.0.40', {
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } },
        }),
      ],
      [slice('s', [ep('10.42.0.2'), ep('10.42.0.3')])],
      node,
      nodeIPs,
    );
    const frag = state.fragments.get('default/s');
    expect(frag?.sets.get('aff-30-default/s/tcp/http__10.42.0.2/8080')).toBe(
      '{ type ipv4_addr ; flags dynamic,timeout ; timeout 30s ; }',
    );
    expect(frag?.chains.get('svc-default/s/tcp/http')?.slice(0, 2)).toEqual([
      'ip saddr @aff-30-default/s/tcp/http__10.42.0.2/8080 goto ep-default/s/tcp/http__10.42.0.2/8080',
      'ip saddr @aff-30-default/s/tcp/http__10.42.0.3/8080 goto ep-default/s/tcp/http__10.42.0.3/8080',
    ]);
    expect(frag?.chains.get('ep-default/s/tcp/http__10.42.0.3/8080')).toEqual([
      'update @aff-30-default/s/tcp/http__10.42.0.3/8080 { ip saddr }',
      'meta l4proto tcp dnat to 10.42.0.3:8080',
    ]);
  });

  it('programs UDP and SCTP ports with their own protocol', () => {
    const { state } = buildState(
      [
        svc(
          'm',
          '10.43.0.50',
          {},
          {
            ports: [
              { name: 'dns', port: 53, protocol: 'UDP' },
              { name: 'sig', port: 3868, protocol: 'SCTP' },
            ],
          },
        ),
      ],
      [
        slice('m', [ep('10.42.0.2')], {
          ports: [
            { name: 'dns', port: 10053, protocol: 'UDP' },
            { name: 'sig', port: 3868, protocol: 'SCTP' },
          ],
        }),
      ],
      node,
      nodeIPs,
    );
    expect(state.elements.get('service-ips')?.get('10.43.0.50 . udp . 53')).toBe(
      'goto cip-default/m/udp/dns',
    );
    expect(state.fragments.get('default/m')?.chains.get('svc-default/m/udp/dns')?.at(-1)).toBe(
      'meta l4proto udp dnat to 10.42.0.2:10053',
    );
    expect(state.elements.get('service-ips')?.get('10.43.0.50 . sctp . 3868')).toBe(
      'goto cip-default/m/sctp/sig',
    );
  });

  it('gives a contested address and port to one service and reports the other', () => {
    const { state, problems } = buildState(
      [
        svc('a', '10.43.0.60', { externalIPs: ['192.0.2.1'] }),
        svc('b', '10.43.0.61', { externalIPs: ['192.0.2.1'] }),
      ],
      [slice('a', [ep('10.42.0.2')]), slice('b', [ep('10.42.0.3')])],
      node,
      nodeIPs,
    );
    expect(state.elements.get('service-ips')?.get('192.0.2.1 . tcp . 80')).toBe(
      'goto ext-default/a/tcp/http',
    );
    expect(problems).toEqual(['conflict: default/b: 192.0.2.1 . tcp . 80 in service-ips']);
  });
});

describe('loadBalancerSourceRanges', () => {
  const lb = (ranges: string[]) =>
    svc(
      'shop',
      '10.43.0.30',
      { type: 'LoadBalancer', loadBalancerSourceRanges: ranges, externalIPs: ['192.168.9.9'] },
      {
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
        status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }] } },
      },
    );

  it('drops new connections to the load-balancer IPs from other sources, before DNAT', () => {
    const l = lines(
      generateRuleset(
        't',
        [lb(['10.42.0.0/16', ' 203.0.113.7/24'])],
        [slice('shop', [ep('10.42.0.2')])],
        node,
        nodeIPs,
      ),
    );
    expect(l).toContain('add rule ip t filter-prerouting ct state new jump firewall-check');
    expect(l).toContain('add rule ip t filter-output ct state new jump firewall-check');
    expect(l).toContain(
      'add rule ip t fw-default/shop/tcp/http ip saddr != { 10.42.0.0/16, 203.0.113.0/24 } drop',
    );
    expect(l).toContain(
      'add element ip t firewall-ips { 192.168.1.10 . tcp . 80 : goto fw-default/shop/tcp/http }',
    );
    // externalIPs and the NodePort are not restricted (as upstream)
    expect(l.filter((x) => x.includes('firewall-ips') && x.includes('192.168.9.9'))).toEqual([]);
    expect(l).toContain(
      'add element ip t service-nodeports { tcp . 30080 : goto ext-default/shop/tcp/http }',
    );
  });

  it('refuses every IPv4 source when only IPv6 ranges are given, and nothing without ranges', () => {
    const only6 = generateRuleset(
      't',
      [lb(['2001:db8::/32'])],
      [slice('shop', [ep('10.42.0.2')])],
      node,
      nodeIPs,
    );
    expect(lines(only6)).toContain('add rule ip t fw-default/shop/tcp/http drop');
    const open = generateRuleset('t', [lb([])], [slice('shop', [ep('10.42.0.2')])], node, nodeIPs);
    expect(open).not.toContain('fw-default');
  });
});

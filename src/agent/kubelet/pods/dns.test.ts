import { describe, expect, it } from 'vitest';
import { parseResolvConf, podDns, type NodeDns } from './dns.js';

const node: NodeDns = {
  clusterDNS: ['10.43.0.10'],
  clusterDomain: 'cluster.local',
  host: parseResolvConf('# comment\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 timeout:2\n'),
};

describe('podDns', () => {
  it('ClusterFirst uses the cluster DNS and the namespace search path', () => {
    expect(podDns({ containers: [] }, 'web', node)).toEqual({
      servers: ['10.43.0.10'],
      searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:5'],
    });
  });

  it('host-network pods with ClusterFirst get the node resolver; ClusterFirstWithHostNet the cluster one', () => {
    expect(podDns({ containers: [], hostNetwork: true }, 'a', node).servers).toEqual(['192.0.2.53']);
    expect(
      podDns({ containers: [], hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, 'a', node).servers,
    ).toEqual(['10.43.0.10']);
  });

  it('None takes dnsConfig alone and merges options by name', () => {
    const dns = podDns(
      {
        containers: [],
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['1.2.3.4'],
          searches: ['x.example'],
          options: [{ name: 'ndots', value: '2' }],
        },
      },
      'a',
      node,
    );
    expect(dns).toEqual({ servers: ['1.2.3.4'], searches: ['x.example'], options: ['ndots:2'] });
  });

  it('dnsConfig options override the policy options with the same name', () => {
    const dns = podDns(
      { containers: [], dnsConfig: { options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } },
      'a',
      node,
    );
    expect(dns.options).toEqual(['ndots:1', 'rotate']);
  });

  it('Default copies the host resolver', () => {
    expect(podDns({ containers: [], dnsPolicy: 'Default' }, 'a', node)).toEqual({
      servers: ['192.0.2.53'],
      searches: ['corp.example'],
      options: ['edns0', 'timeout:2'],
    });
  });
});

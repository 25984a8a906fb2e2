import type { EndpointSubset } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { PodObject, ServiceObject } from '../endpointslice/podutil.js';
import { pod, service } from '../endpointslice/testing/harness.js';
import { desiredSubsets, truncateSubsets } from './subsets.js';

const svc = (o: Parameters<typeof service>[1] = {}): ServiceObject => service('web', o) as ServiceObject;
const p = (name: string, o: Parameters<typeof pod>[1] = {}): PodObject => pod(name, o) as PodObject;
const ips = (list: { ip: string }[] | undefined): string[] => (list ?? []).map((a) => a.ip);

describe('desiredSubsets', () => {
  it('puts ready pods under addresses and the others under notReadyAddresses, terminating ones left out', () => {
    const subsets = desiredSubsets(svc(), [
      p('b', { ip: '10.42.0.2' }),
      p('a', { ip: '10.42.0.1' }),
      p('c', { ip: '10.42.0.3', ready: false }),
      p('d', { ip: '10.42.0.4', deleting: true }),
      p('e', { ip: '' }),
    ]);
    expect(subsets).toHaveLength(1);
    const [s] = subsets as [EndpointSubset];
    expect(ips(s.addresses)).toEqual(['10.42.0.1', '10.42.0.2']);
    expect(ips(s.notReadyAddresses)).toEqual(['10.42.0.3']);
    expect(s.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(s.addresses?.[0]).toEqual({
      ip: '10.42.0.1',
      nodeName: 'n1',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-pod-a' },
    });
  });

  it('publishes not-ready and terminating pods as ready with publishNotReadyAddresses', () => {
    const [s] = desiredSubsets(svc({ spec: { publishNotReadyAddresses: true } }), [
      p('c', { ip: '10.42.0.3', ready: false }),
      p('d', { ip: '10.42.0.4', deleting: true }),
    ]);
    expect(ips(s?.addresses)).toEqual(['10.42.0.3', '10.42.0.4']);
    expect(s?.notReadyAddresses).toBeUndefined();
  });

  it('packs ports by the pods that have them (named target ports per pod)', () => {
    const s = svc({
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
          { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9100 },
        ],
      },
    });
    const subsets = desiredSubsets(s, [
      p('a', { ip: '10.42.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      p('b', { ip: '10.42.0.2', ports: [{ name: 'web', containerPort: 8080 }] }),
      p('c', { ip: '10.42.0.3' }),
    ]);
    expect(subsets.map((x) => [ips(x.addresses), (x.ports ?? []).map((q) => `${q.name}:${q.port}`)])).toEqual(
      [
        [['10.42.0.1', '10.42.0.2'], ['http:8080']],
        [['10.42.0.1', '10.42.0.2', '10.42.0.3'], ['metrics:9100']],
      ],
    );
  });

  it('gives a headless Service without ports one subset without ports, with hostnames', () => {
    const s = svc({ spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [] } });
    const subsets = desiredSubsets(s, [p('web-0', { spec: { hostname: 'web-0', subdomain: 'web' } })]);
    expect(subsets).toEqual([
      {
        addresses: [
          {
            ip: '10.42.0.1',
            hostname: 'web-0',
            nodeName: 'n1',
            targetRef: { kind: 'Pod', namespace: 'ns', name: 'web-0', uid: 'uid-pod-web-0' },
          },
        ],
      },
    ]);
  });

  it('has no subsets when nothing is selected', () => {
    expect(desiredSubsets(svc(), [])).toEqual([]);
  });
});

describe('truncateSubsets', () => {
  const addrs = (n: number, base: number): { ip: string }[] =>
    Array.from({ length: n }, (_, i) => ({ ip: `10.${base}.${Math.floor(i / 250)}.${i % 250}` }));

  it('keeps at most 1000 addresses, ready ones first', () => {
    const subsets: EndpointSubset[] = [{ addresses: addrs(900, 1), notReadyAddresses: addrs(300, 2) }];
    expect(truncateSubsets(subsets)).toBe(true);
    expect(subsets[0]?.addresses).toHaveLength(900);
    expect(subsets[0]?.notReadyAddresses).toHaveLength(100);
    const many: EndpointSubset[] = [{ addresses: addrs(1200, 1), notReadyAddresses: addrs(10, 2) }];
    expect(truncateSubsets(many)).toBe(true);
    expect(many[0]?.addresses).toHaveLength(1000);
    expect(many[0]?.notReadyAddresses).toBeUndefined();
    expect(truncateSubsets([{ addresses: addrs(1000, 1) }])).toBe(false);
  });
});

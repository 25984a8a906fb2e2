import type { Node } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { desiredEndpoints, portSetKey } from './desired.js';
import type { PodObject, ServiceObject } from './podutil.js';
import { node, pod, service } from './testing/harness.js';

const nodes = new Map<string, Node>([
  ['n1', node('n1', { zone: 'zone-a' }) as Node],
  ['n2', node('n2') as Node],
]);
const nodeOf = (n: string): Node | undefined => nodes.get(n);
const svc = (o: Parameters<typeof service>[1] = {}): ServiceObject => service('web', o) as ServiceObject;
const p = (name: string, o: Parameters<typeof pod>[1] = {}): PodObject => pod(name, o) as PodObject;

function only(d: ReturnType<typeof desiredEndpoints>) {
  const groups = [...(d.byAddressType.get('IPv4')?.values() ?? [])];
  return groups;
}

describe('desired endpoints', () => {
  it('gives each pod its conditions as upstream: serving = Ready, terminating = being deleted', () => {
    const d = desiredEndpoints(
      svc(),
      [
        p('a', { ip: '10.42.0.1' }),
        p('b', { ip: '10.42.0.2', ready: false }),
        p('c', { ip: '10.42.0.3', deleting: true }),
        p('d', { ip: '10.42.0.4', deleting: true, ready: false }),
      ],
      nodeOf,
    );
    const [group] = only(d);
    expect(group?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(group?.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ['10.42.0.1', { ready: true, serving: true, terminating: false }],
      ['10.42.0.2', { ready: false, serving: false, terminating: false }],
      ['10.42.0.3', { ready: false, serving: true, terminating: true }],
      ['10.42.0.4', { ready: false, serving: false, terminating: true }],
    ]);
    expect(group?.endpoints[0]).toEqual({
      addresses: ['10.42.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'n1',
      zone: 'zone-a',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-pod-a' },
    });
  });

  it('publishNotReadyAddresses makes every endpoint ready', () => {
    const d = desiredEndpoints(
      svc({ spec: { publishNotReadyAddresses: true } }),
      [p('b', { ready: false }), p('c', { deleting: true, ip: '10.42.0.3' })],
      nodeOf,
    );
    expect(only(d)[0]?.endpoints.map((e) => e.conditions?.ready)).toEqual([true, true]);
  });

  it('leaves out pods without an IP and terminal pods', () => {
    const d = desiredEndpoints(
      svc(),
      [p('noip', { ip: '' }), p('done', { phase: 'Succeeded' }), p('failed', { phase: 'Failed' })],
      nodeOf,
    );
    expect(only(d)).toEqual([]);
    expect(d.missingNodes).toEqual([]);
  });

  it('resolves a named targetPort per pod: pods lacking it get a port set without it', () => {
    const s = svc({
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
          { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9100 },
        ],
      },
    });
    const d = desiredEndpoints(
      s,
      [
        p('a', { ip: '10.42.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
        p('b', { ip: '10.42.0.2', ports: [{ name: 'web', containerPort: 8081 }] }),
        p('c', { ip: '10.42.0.3' }),
        p('udp', { ip: '10.42.0.4', ports: [{ name: 'web', containerPort: 53, protocol: 'UDP' }] }),
      ],
      nodeOf,
    );
    const groups = only(d).map((g) => [
      g.ports.map((x) => `${x.name}:${x.port}`),
      g.endpoints.map((e) => e.addresses[0]),
    ]);
    expect(groups).toEqual([
      [['http:8080', 'metrics:9100'], ['10.42.0.1']],
      [['http:8081', 'metrics:9100'], ['10.42.0.2']],
      [['metrics:9100'], ['10.42.0.3', '10.42.0.4']],
    ]);
  });

  it('sets the hostname of pods whose subdomain names the Service', () => {
    const s = svc({ spec: { clusterIP: 'None', clusterIPs: ['None'] } });
    const d = desiredEndpoints(
      s,
      [
        p('web-0', { ip: '10.42.0.1', spec: { hostname: 'web-0', subdomain: 'web' } }),
        p('other', { ip: '10.42.0.2', spec: { hostname: 'other', subdomain: 'elsewhere' } }),
      ],
      nodeOf,
    );
    expect(only(d)[0]?.endpoints.map((e) => [e.targetRef?.name, e.hostname])).toEqual([
      ['other', undefined],
      ['web-0', 'web-0'],
    ]);
  });

  it('a headless Service without ports gets endpoints with no ports', () => {
    const s = svc({ spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [] } });
    const d = desiredEndpoints(s, [p('a')], nodeOf);
    expect(only(d)).toEqual([
      { ports: [], endpoints: [expect.objectContaining({ addresses: ['10.42.0.1'] })] },
    ]);
  });

  it('skips pods on an unknown node (retried) unless not-ready addresses are published', () => {
    const d = desiredEndpoints(svc(), [p('a', { node: 'ghost' })], nodeOf);
    expect(only(d)).toEqual([]);
    expect(d.missingNodes).toEqual(['ghost']);
    const d2 = desiredEndpoints(
      svc({ spec: { publishNotReadyAddresses: true } }),
      [p('a', { node: 'ghost' })],
      nodeOf,
    );
    expect(only(d2)[0]?.endpoints[0]?.nodeName).toBe('ghost');
  });

  it('uses the address family of the Service', () => {
    const s = svc({ spec: { ipFamilies: ['IPv6'], clusterIP: 'fd00::10', clusterIPs: ['fd00::10'] } });
    const v6 = pod('a', { ip: 'fd00:42::1' }) as PodObject;
    const d = desiredEndpoints(s, [v6, p('b', { ip: '10.42.0.2' })], nodeOf);
    expect([...d.byAddressType.keys()]).toEqual(['IPv6']);
    expect([...(d.byAddressType.get('IPv6')?.values() ?? [])][0]?.endpoints.map((e) => e.addresses)).toEqual([
      ['fd00:42::1'],
    ]);
  });

  it('hints each endpoint for its zone with trafficDistribution PreferClose', () => {
    const d = desiredEndpoints(
      svc({ spec: { trafficDistribution: 'PreferClose' } }),
      [p('a', { node: 'n1' }), p('b', { node: 'n2', ip: '10.42.0.2' })],
      nodeOf,
    );
    expect(only(d)[0]?.endpoints.map((e) => e.hints)).toEqual([
      { forZones: [{ name: 'zone-a' }] },
      undefined,
    ]);
  });

  it('keys port sets regardless of order', () => {
    const a = { name: 'a', port: 1, protocol: 'TCP' };
    const b = { name: 'b', port: 2, protocol: 'UDP' };
    expect(portSetKey([a, b])).toBe(portSetKey([b, a]));
    expect(portSetKey([])).toBe(portSetKey(undefined));
    expect(portSetKey([a])).not.toBe(portSetKey([b]));
  });
});

import { describe, expect, it } from 'vitest';
import type { Answer } from 'dns-packet';
import { DnsCache } from './cache.js';
import { resolve, type Resolution, type ResolverOptions } from './resolver.js';
import { serviceOf, sliceOf, trimService, trimSlice } from './types.js';
import { sliceObj, svcObj } from './testing/fixtures.js';
import { reverseName } from './names.js';

const opts: ResolverOptions = { ttl: 5, podMode: 'insecure' };

function cluster(): DnsCache {
  const c = new DnsCache('cluster.local', () => 1_700_000_000_000);
  const addSvc = (o: ReturnType<typeof svcObj>): void => c.upsertService(serviceOf(trimService(o)));
  const addSlice = (o: ReturnType<typeof sliceObj>): void => c.upsertSlice(sliceOf(trimSlice(o)));
  addSvc(
    svcObj('default', 'kubernetes', {
      clusterIP: '10.43.0.1',
      clusterIPs: ['10.43.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    }),
  );
  addSvc(
    svcObj('kube-system', 'kube-dns', {
      clusterIP: '10.43.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    }),
  );
  addSvc(
    svcObj('shop', 'dual', {
      clusterIP: '10.43.5.5',
      clusterIPs: ['10.43.5.5', 'fd00:43::5'],
      ports: [{ port: 8080 }],
    }),
  );
  addSvc(svcObj('shop', 'web', { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  addSlice(
    sliceObj(
      'shop',
      'web-abc',
      'web',
      [
        { ip: '10.42.0.5', hostname: 'web-0' },
        { ip: '10.42.0.6', hostname: 'web-1' },
        { ip: '10.42.0.7', hostname: 'web-2', ready: false },
        { ip: '10.42.0.8' },
      ],
      [{ name: 'http', port: 8080 }],
    ),
  );
  addSlice(
    sliceObj(
      'shop',
      'web-v6',
      'web',
      [{ ip: 'fd00:42::5', hostname: 'web-0' }],
      [{ name: 'http', port: 8080 }],
      'IPv6',
    ),
  );
  addSvc(svcObj('shop', 'empty', { clusterIP: 'None' }));
  addSvc(svcObj('shop', 'ext', { type: 'ExternalName', externalName: 'db.example.com.' }));
  addSvc(
    svcObj('shop', 'alias', { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }),
  );
  return c;
}

function q(
  c: DnsCache,
  name: string,
  type: string,
  o: ResolverOptions = opts,
): Extract<Resolution, { kind: 'answer' }> {
  const r = resolve(c, { name, type }, o);
  if (r.kind !== 'answer') throw new Error(`${name} ${type} was forwarded`);
  return r;
}

function datas(answers: Answer[], type?: string): unknown[] {
  return answers.filter((a) => !type || a.type === type).map((a) => ('data' in a ? a.data : undefined));
}

describe('cluster DNS resolver', () => {
  it('answers A with the ClusterIP, owner name as asked, TTL 5', () => {
    const r = q(cluster(), 'Kubernetes.Default.SVC.cluster.local.', 'A');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([
      { name: 'Kubernetes.Default.SVC.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.43.0.1' },
    ]);
  });

  it('answers AAAA of a dual-stack service and NODATA (with SOA) for a single-stack one', () => {
    const c = cluster();
    expect(datas(q(c, 'dual.shop.svc.cluster.local', 'AAAA').answers)).toEqual(['fd00:43::5']);
    expect(datas(q(c, 'dual.shop.svc.cluster.local', 'A').answers)).toEqual(['10.43.5.5']);
    const r = q(c, 'kubernetes.default.svc.cluster.local', 'AAAA');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers).toEqual([]);
    expect(r.authorities[0]).toMatchObject({ type: 'SOA', name: 'cluster.local', ttl: 5 });
    expect(r.authorities[0]?.type === 'SOA' && r.authorities[0].data).toMatchObject({
      mname: 'ns.dns.cluster.local',
      rname: 'hostmaster.cluster.local',
      minimum: 5,
      serial: 1_700_000_000,
    });
  });

  it('gives NXDOMAIN for a missing service, namespace or deeper name, NODATA for empty non-terminals', () => {
    const c = cluster();
    expect(q(c, 'nope.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, 'kubernetes.nope.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, 'a.b.kubernetes.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, 'x.kubernetes.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, 'nope.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    const nx = q(c, 'nope.default.svc.cluster.local', 'A');
    expect(nx.authorities.map((a) => a.type)).toEqual(['SOA']);
    for (const name of [
      'default.svc.cluster.local',
      'svc.cluster.local',
      'pod.cluster.local',
      'cluster.local',
    ]) {
      const r = q(c, name, 'A');
      expect([name, r.rcode, r.answers.length]).toEqual([name, 'NOERROR', 0]);
      expect(r.authorities.map((a) => a.type)).toEqual(['SOA']);
    }
    expect(q(c, 'kubernetes.default.svc.cluster.local', 'TXT').rcode).toBe('NOERROR');
  });

  it('answers a headless service with its ready endpoints, by family', () => {
    const c = cluster();
    expect(datas(q(c, 'web.shop.svc.cluster.local', 'A').answers)).toEqual([
      '10.42.0.5',
      '10.42.0.6',
      '10.42.0.8',
    ]);
    expect(datas(q(c, 'web.shop.svc.cluster.local', 'AAAA').answers)).toEqual(['fd00:42::5']);
  });

  it('gives NXDOMAIN for a headless service with no ready endpoints', () => {
    expect(q(cluster(), 'empty.shop.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
  });

  it('includes not-ready endpoints when the service publishes them', () => {
    const c = cluster();
    c.upsertService(
      serviceOf(
        svcObj('shop', 'web', {
          clusterIP: 'None',
          publishNotReadyAddresses: true,
          ports: [{ name: 'http', port: 80 }],
        }),
      ),
    );
    expect(datas(q(c, 'web.shop.svc.cluster.local', 'A').answers)).toContain('10.42.0.7');
    expect(datas(q(c, 'web-2.web.shop.svc.cluster.local', 'A').answers)).toEqual(['10.42.0.7']);
  });

  it('answers StatefulSet pod names and dashed names of endpoints without hostname', () => {
    const c = cluster();
    expect(datas(q(c, 'web-0.web.shop.svc.cluster.local', 'A').answers)).toEqual(['10.42.0.5']);
    expect(datas(q(c, 'WEB-0.web.shop.svc.cluster.local', 'AAAA').answers)).toEqual(['fd00:42::5']);
    expect(datas(q(c, '10-42-0-8.web.shop.svc.cluster.local', 'A').answers)).toEqual(['10.42.0.8']);
    expect(q(c, 'web-2.web.shop.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN'); // not ready
    expect(q(c, 'web-1.web.shop.svc.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    // Endpoint names exist only for headless services.
    expect(q(c, 'web-0.kubernetes.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
  });

  it('answers SRV of a ClusterIP service at the service name, with its address as additional', () => {
    const r = q(cluster(), '_https._tcp.kubernetes.default.svc.cluster.local', 'SRV');
    expect(r.answers).toEqual([
      {
        name: '_https._tcp.kubernetes.default.svc.cluster.local',
        type: 'SRV',
        class: 'IN',
        ttl: 5,
        data: { priority: 0, weight: 100, port: 443, target: 'kubernetes.default.svc.cluster.local' },
      },
    ]);
    expect(r.additionals).toEqual([
      { name: 'kubernetes.default.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, data: '10.43.0.1' },
    ]);
  });

  it('distinguishes SRV names: wrong protocol or unknown port → NXDOMAIN; _proto alone → NODATA', () => {
    const c = cluster();
    expect(q(c, '_https._udp.kubernetes.default.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(q(c, '_http._tcp.kubernetes.default.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(q(c, '_tcp.kubernetes.default.svc.cluster.local', 'SRV')).toMatchObject({
      rcode: 'NOERROR',
      answers: [],
    });
    expect(q(c, '_udp.kubernetes.default.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(q(c, '_https._tcp.kubernetes.default.svc.cluster.local', 'A')).toMatchObject({
      rcode: 'NOERROR',
      answers: [],
    });
    // Unnamed ports have no _port._proto name.
    expect(q(c, '_._tcp.dual.shop.svc.cluster.local', 'SRV').rcode).toBe('NXDOMAIN');
    expect(datas(q(c, '_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV').answers)).toEqual([
      { priority: 0, weight: 100, port: 53, target: 'kube-dns.kube-system.svc.cluster.local' },
    ]);
  });

  it('answers SRV of a headless service per endpoint, targets at endpoint names, with their addresses', () => {
    const r = q(cluster(), '_HTTP._TCP.web.shop.svc.cluster.local', 'SRV');
    const targets = datas(r.answers).map((d) => (d as { target: string; port: number }).target);
    expect(targets.sort()).toEqual([
      '10-42-0-8.web.shop.svc.cluster.local',
      'web-0.web.shop.svc.cluster.local',
      'web-1.web.shop.svc.cluster.local',
    ]);
    expect(datas(r.answers).every((d) => (d as { port: number }).port === 8080)).toBe(true);
    expect(
      r.additionals
        .filter((a) => a.name === 'web-0.web.shop.svc.cluster.local')
        .map((a) => a.type)
        .sort(),
    ).toEqual(['A', 'AAAA']);
  });

  it('lists every port at the bare service name for SRV', () => {
    expect(datas(q(cluster(), 'dual.shop.svc.cluster.local', 'SRV').answers)).toEqual([
      { priority: 0, weight: 100, port: 8080, target: 'dual.shop.svc.cluster.local' },
    ]);
  });

  it('answers PTR for ClusterIPs (v4 and v6) and headless endpoints; unknown addresses are forwarded', () => {
    const c = cluster();
    expect(datas(q(c, '1.0.43.10.in-addr.arpa', 'PTR').answers)).toEqual([
      'kubernetes.default.svc.cluster.local',
    ]);
    expect(datas(q(c, reverseName('fd00:43::5') ?? '', 'PTR').answers)).toEqual([
      'dual.shop.svc.cluster.local',
    ]);
    expect(datas(q(c, '5.0.42.10.IN-ADDR.ARPA.', 'PTR').answers)).toEqual([
      'web-0.web.shop.svc.cluster.local',
    ]);
    expect(datas(q(c, '8.0.42.10.in-addr.arpa', 'PTR').answers)).toEqual([
      '10-42-0-8.web.shop.svc.cluster.local',
    ]);
    expect(resolve(c, { name: '9.9.9.10.in-addr.arpa', type: 'PTR' }, opts)).toEqual({ kind: 'forward' });
    expect(q(c, '1.0.43.10.in-addr.arpa', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers ExternalName with a CNAME, and asks the server to chase names outside the zone', () => {
    const c = cluster();
    const r = q(c, 'ext.shop.svc.cluster.local', 'A');
    expect(r.answers).toEqual([
      { name: 'ext.shop.svc.cluster.local', type: 'CNAME', class: 'IN', ttl: 5, data: 'db.example.com' },
    ]);
    expect(r.chase).toBe('db.example.com');
    expect(q(c, 'ext.shop.svc.cluster.local', 'CNAME').chase).toBeUndefined();
    const alias = q(c, 'alias.shop.svc.cluster.local', 'A');
    expect(alias.answers.map((a) => [a.type, 'data' in a ? a.data : undefined])).toEqual([
      ['CNAME', 'kubernetes.default.svc.cluster.local'],
      ['A', '10.43.0.1'],
    ]);
    expect(alias.chase).toBeUndefined();
  });

  it('answers pod A/AAAA records of dashed addresses in insecure mode, and NXDOMAIN when disabled', () => {
    const c = cluster();
    expect(datas(q(c, '10-42-1-7.shop.pod.cluster.local', 'A').answers)).toEqual(['10.42.1.7']);
    expect(datas(q(c, 'fd00-42--7.shop.pod.cluster.local', 'AAAA').answers)).toEqual(['fd00:42::7']);
    expect(q(c, '10-42-1-7.shop.pod.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(q(c, '10-42-1-999.shop.pod.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, 'not-an-ip.shop.pod.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, '10-42-1-7.shop.pod.cluster.local', 'A', { ttl: 5, podMode: 'disabled' }).rcode).toBe(
      'NXDOMAIN',
    );
  });

  it('serves the schema version TXT record, SOA and NS at the apex', () => {
    const c = cluster();
    expect(datas(q(c, 'dns-version.cluster.local', 'TXT').answers)).toEqual(['1.1.0']);
    expect(q(c, 'dns-version.cluster.local', 'A')).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(q(c, 'cluster.local', 'SOA').answers.map((a) => a.type)).toEqual(['SOA']);
    const ns = q(c, 'cluster.local', 'NS');
    expect(datas(ns.answers)).toEqual(['ns.dns.cluster.local']);
    expect(datas(ns.additionals)).toEqual(['10.43.0.10']);
    expect(datas(q(c, 'ns.dns.cluster.local', 'A').answers)).toEqual(['10.43.0.10']);
  });

  it('uses the configured TTL everywhere', () => {
    const r = q(cluster(), 'nope.default.svc.cluster.local', 'A', { ttl: 30, podMode: 'insecure' });
    expect(r.authorities[0]).toMatchObject({ ttl: 30 });
    expect(
      q(cluster(), 'kubernetes.default.svc.cluster.local', 'A', { ttl: 30, podMode: 'insecure' }).answers[0],
    ).toMatchObject({
      ttl: 30,
    });
  });

  it('forwards names outside the cluster zone', () => {
    expect(resolve(cluster(), { name: 'example.com', type: 'A' }, opts)).toEqual({ kind: 'forward' });
    expect(resolve(cluster(), { name: 'notcluster.local', type: 'A' }, opts)).toEqual({ kind: 'forward' });
  });

  it('follows incremental updates: deletes, slice moves and readiness changes', () => {
    const c = cluster();
    c.upsertSlice(
      sliceOf(
        sliceObj(
          'shop',
          'web-abc',
          'web',
          [{ ip: '10.42.0.9', hostname: 'web-0' }],
          [{ name: 'http', port: 8080 }],
        ),
      ),
    );
    expect(datas(q(c, 'web.shop.svc.cluster.local', 'A').answers)).toEqual(['10.42.0.9']);
    expect(resolve(c, { name: '5.0.42.10.in-addr.arpa', type: 'PTR' }, opts)).toEqual({ kind: 'forward' });
    c.deleteSlice('shop', 'web-abc');
    c.deleteSlice('shop', 'web-v6');
    expect(q(c, 'web.shop.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    c.deleteService('default', 'kubernetes');
    expect(q(c, 'kubernetes.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(q(c, 'default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(resolve(c, { name: '1.0.43.10.in-addr.arpa', type: 'PTR' }, opts)).toEqual({ kind: 'forward' });
    // A slice that arrives before its service is used once the service exists.
    c.upsertSlice(sliceOf(sliceObj('late', 'db-1', 'db', [{ ip: '10.42.3.3' }])));
    expect(q(c, 'db.late.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    c.upsertService(serviceOf(svcObj('late', 'db', { clusterIP: 'None' })));
    expect(datas(q(c, 'db.late.svc.cluster.local', 'A').answers)).toEqual(['10.42.3.3']);
  });
});

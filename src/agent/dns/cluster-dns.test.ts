import { afterEach, describe, expect, it } from 'vitest';
import { encode, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import { FakeClient } from '../../client/testing/fake-client.js';
import { logger } from '../../util/log.js';
import { ClusterDns } from './cluster-dns.js';
import { startFakeUpstream, tcpQuery, udpQuery, type FakeUpstream } from './testing/client.js';
import { sliceObj, svcObj } from './testing/fixtures.js';

const log = logger.child({ component: 'dns-test' });
log.level = 'silent';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function seeded(): FakeClient {
  const c = new FakeClient();
  c.put(
    SERVICES,
    svcObj('default', 'kubernetes', { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443 }] }),
  );
  c.put(
    SERVICES,
    svcObj('kube-system', 'kube-dns', {
      clusterIP: '10.43.0.10',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    }),
  );
  c.put(SERVICES, svcObj('db', 'pg', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
  const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.1.${i + 1}`, hostname: `pg-${i}` }));
  c.put(ENDPOINTSLICES, sliceObj('db', 'pg-1', 'pg', many, [{ name: 'pg', port: 5432 }]));
  c.put(SERVICES, svcObj('db', 'ext', { type: 'ExternalName', externalName: 'db.example.test' }));
  return c;
}

async function startDns(
  client: FakeClient,
  upstreams: string[] = [],
  extra: Partial<ConstructorParameters<typeof ClusterDns>[0]> = {},
): Promise<ClusterDns> {
  const dns = new ClusterDns({
    client,
    listen: { host: '127.0.0.1', port: 0 },
    upstreams,
    logger: log,
    ...extra,
  });
  await dns.start();
  cleanups.push(() => dns.stop());
  return dns;
}

function query(name: string, type: RecordType, id = 7, edns?: number): Packet {
  return {
    type: 'query',
    id,
    flags: 0x0100,
    questions: [{ name, type, class: 'IN' }],
    ...(edns
      ? {
          additionals: [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: edns,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
        }
      : {}),
  };
}

/** dns-packet decodes the response code as `rcode` (not in its types). */
function rcodeOf(p: DecodedPacket | undefined): unknown {
  return (p as unknown as { rcode?: string } | undefined)?.rcode;
}

function addrs(p: DecodedPacket): unknown[] {
  return (p.answers ?? [])
    .filter((a) => a.type === 'A' || a.type === 'AAAA')
    .map((a) => ('data' in a ? a.data : undefined));
}

async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, deadlineMs = 3000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ClusterDns server', () => {
  it('answers over UDP and TCP once started, authoritative, with the question as asked', async () => {
    const dns = await startDns(seeded());
    const { host, port } = dns.address;
    expect(port).toBeGreaterThan(0);
    const u = await udpQuery(host, port, query('KUBERNETES.default.svc.cluster.local', 'A', 42));
    expect(u.id).toBe(42);
    expect(u.flag_qr && u.flag_aa && u.flag_rd && u.flag_ra).toBe(true);
    expect(u.questions).toEqual([{ name: 'KUBERNETES.default.svc.cluster.local', type: 'A', class: 'IN' }]);
    expect(u.answers).toEqual([
      {
        name: 'KUBERNETES.default.svc.cluster.local',
        type: 'A',
        class: 'IN',
        ttl: 5,
        flush: false,
        data: '10.43.0.1',
      },
    ]);
    const [t1, t2] = await tcpQuery(host, port, [
      query('kubernetes.default.svc.cluster.local', 'A', 1),
      query('nope.default.svc.cluster.local', 'A', 2),
    ]);
    expect(addrs(t1!)).toEqual(['10.43.0.1']);
    expect(rcodeOf(t2)).toBe('NXDOMAIN');
    expect(t2!.authorities?.map((a) => a.type)).toEqual(['SOA']);
  });

  it('truncates UDP answers over 512 bytes (TC), honours a larger EDNS size, and gives the whole answer over TCP', async () => {
    const dns = await startDns(seeded());
    const { host, port } = dns.address;
    const small = await udpQuery(host, port, query('pg.db.svc.cluster.local', 'A'));
    expect(small.flag_tc).toBe(true);
    expect(addrs(small).length).toBeGreaterThan(0);
    expect(addrs(small).length).toBeLessThan(60);
    const edns = await udpQuery(host, port, query('pg.db.svc.cluster.local', 'A', 8, 4096));
    expect(edns.flag_tc).toBe(false);
    expect(addrs(edns)).toHaveLength(60);
    expect(edns.additionals?.find((a) => a.type === 'OPT')).toMatchObject({ udpPayloadSize: 1232 });
    const [tcp] = await tcpQuery(host, port, [query('pg.db.svc.cluster.local', 'A')]);
    expect(tcp!.flag_tc).toBe(false);
    expect(addrs(tcp!)).toHaveLength(60);
    // SRV over UDP: the answers fit or are truncated, additionals go first.
    const srv = await udpQuery(host, port, query('_pg._tcp.pg.db.svc.cluster.local', 'SRV'));
    expect(srv.flag_tc).toBe(true);
  });

  it('drops the additional section without TC when only the answers fit in 512 bytes', async () => {
    const client = seeded();
    client.put(SERVICES, svcObj('db', 'kv', { clusterIP: 'None', ports: [{ name: 'kv', port: 7000 }] }));
    const eps = Array.from({ length: 8 }, (_, i) => ({ ip: `10.42.3.${i + 1}`, hostname: `kv-${i}` }));
    client.put(ENDPOINTSLICES, sliceObj('db', 'kv-1', 'kv', eps, [{ name: 'kv', port: 7000 }]));
    const dns = await startDns(client);
    const { host, port } = dns.address;
    const udp = await udpQuery(host, port, query('_kv._tcp.kv.db.svc.cluster.local', 'SRV'));
    expect(udp.flag_tc).toBe(false);
    expect(udp.answers).toHaveLength(8);
    expect(udp.additionals ?? []).toHaveLength(0);
    const [tcp] = await tcpQuery(host, port, [query('_kv._tcp.kv.db.svc.cluster.local', 'SRV')]);
    expect(tcp!.answers).toHaveLength(8);
    expect(tcp!.additionals).toHaveLength(8);
  });

  it('follows Service and EndpointSlice changes from the watch', async () => {
    const client = seeded();
    const dns = await startDns(client);
    const { host, port } = dns.address;
    client.put(SERVICES, svcObj('shop', 'cart', { clusterIP: '10.43.9.9' }));
    const got = await poll(
      () => udpQuery(host, port, query('cart.shop.svc.cluster.local', 'A')),
      (p) => addrs(p).length > 0,
    );
    expect(addrs(got)).toEqual(['10.43.9.9']);
    client.put(
      ENDPOINTSLICES,
      sliceObj('db', 'pg-1', 'pg', [{ ip: '10.42.2.2', hostname: 'pg-0' }], [{ name: 'pg', port: 5432 }]),
    );
    const pg = await poll(
      () => udpQuery(host, port, query('pg-0.pg.db.svc.cluster.local', 'A')),
      (p) => addrs(p)[0] === '10.42.2.2',
    );
    expect(addrs(pg)).toEqual(['10.42.2.2']);
    client.remove(SERVICES, 'shop/cart');
    const gone = await poll(
      () => udpQuery(host, port, query('cart.shop.svc.cluster.local', 'A')),
      (p) => rcodeOf(p) === 'NXDOMAIN',
    );
    expect(rcodeOf(gone)).toBe('NXDOMAIN');
  });

  it('shuffles the addresses of a headless service from one answer to the next', async () => {
    const dns = await startDns(seeded());
    const firsts = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const r = await udpQuery(
        dns.address.host,
        dns.address.port,
        query('pg.db.svc.cluster.local', 'A', 100 + i, 4096),
      );
      expect(addrs(r)).toHaveLength(60);
      firsts.add(addrs(r)[0]);
    }
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('refuses other names at once when no upstream is configured', async () => {
    const dns = await startDns(seeded(), []);
    const t0 = Date.now();
    const r = await udpQuery(dns.address.host, dns.address.port, query('example.com', 'A'));
    expect(rcodeOf(r)).toBe('REFUSED');
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('answers malformed and unsupported queries with FORMERR, NOTIMP, REFUSED and BADVERS', async () => {
    const dns = await startDns(seeded());
    const { host, port } = dns.address;
    const garbage = Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 60, 1, 2]);
    expect(await udpQuery(host, port, garbage)).toMatchObject({ id: 9, rcode: 'FORMERR' });
    const notify = Buffer.from(encode(query('cluster.local', 'SOA', 10)));
    notify[2] = (notify[2] ?? 0) | (4 << 3);
    expect(await udpQuery(host, port, notify)).toMatchObject({ id: 10, rcode: 'NOTIMP' });
    expect(await udpQuery(host, port, query('cluster.local', 'AXFR', 11))).toMatchObject({
      rcode: 'REFUSED',
    });
    const v1 = query('cluster.local', 'SOA', 12, 1232);
    const opt = v1.additionals?.[0];
    if (opt?.type === 'OPT') opt.ednsVersion = 1;
    const bad = await udpQuery(host, port, v1);
    expect(bad.additionals?.find((a) => a.type === 'OPT')).toMatchObject({ extendedRcode: 1 });
  });

  it('forwards other names to an upstream, falls back to TCP on truncation, and chases ExternalName targets', async () => {
    const up: FakeUpstream = await startFakeUpstream((name, type) => {
      if (name === 'big.example.test' && type === 'A')
        return Array.from({ length: 50 }, (_, i) => ({
          name,
          type: 'A' as const,
          ttl: 60,
          data: `192.0.2.${i + 1}`,
        }));
      if (name === 'db.example.test' && type === 'A')
        return [{ name, type: 'A', ttl: 60, data: '192.0.2.200' }];
      if (name === 'small.example.test') return [{ name, type: 'A', ttl: 60, data: '192.0.2.7' }];
      return [];
    });
    cleanups.push(() => up.close());
    const dns = await startDns(seeded(), [`127.0.0.1:${up.port}`]);
    const { host, port } = dns.address;
    const small = await udpQuery(host, port, query('small.example.test', 'A', 77));
    expect(small.id).toBe(77);
    expect(addrs(small)).toEqual(['192.0.2.7']);
    expect(rcodeOf(await udpQuery(host, port, query('none.example.test', 'A')))).toBe('NXDOMAIN');
    // The upstream truncates over UDP: the forwarder retries over TCP; a UDP client gets a reply that fits.
    const [big] = await tcpQuery(host, port, [query('big.example.test', 'A', 5)]);
    expect(addrs(big!)).toHaveLength(50);
    expect(up.seen).toContain('tcp big.example.test A');
    const bigUdp = await udpQuery(host, port, query('big.example.test', 'A', 6));
    expect(bigUdp.flag_tc).toBe(true);
    // ExternalName: the CNAME, then the upstream's answer for the target.
    const ext = await udpQuery(host, port, query('ext.db.svc.cluster.local', 'A'));
    expect(ext.answers?.map((a) => [a.type, 'data' in a ? a.data : undefined])).toEqual([
      ['CNAME', 'db.example.test'],
      ['A', '192.0.2.200'],
    ]);
    // The cluster zone is never forwarded.
    await udpQuery(host, port, query('nope.default.svc.cluster.local', 'A'));
    expect(up.seen.some((s) => s.includes('cluster.local'))).toBe(false);
    expect(dns.metricsText()).toMatch(/coredns_forward_requests_total\{to="127\.0\.0\.1:\d+"\} \d+/);
  });

  it('answers SERVFAIL when the upstream does not answer in time, without hanging', async () => {
    const up = await startFakeUpstream(
      () => [],
      () => true,
    );
    cleanups.push(() => up.close());
    const dns = await startDns(seeded(), [`127.0.0.1:${up.port}`], { forwardTimeoutMs: 150 });
    const t0 = Date.now();
    const r = await udpQuery(dns.address.host, dns.address.port, query('slow.example.test', 'A'), 3000);
    expect(rcodeOf(r)).toBe('SERVFAIL');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('exposes CoreDNS-named request metrics', async () => {
    const dns = await startDns(seeded());
    await udpQuery(dns.address.host, dns.address.port, query('kubernetes.default.svc.cluster.local', 'A'));
    const text = dns.metricsText();
    expect(text).toMatch(
      /coredns_dns_requests_total\{family="1",proto="udp",server="dns:\/\/127\.0\.0\.1:\d+",type="A",view="",zone="\."\} 1/,
    );
    expect(text).toMatch(/coredns_dns_responses_total\{plugin="kubernetes",rcode="NOERROR",.*\} 1/);
    expect(text).toContain('coredns_dns_request_duration_seconds_bucket{le="+Inf"');
  });

  it('skips upstreams that point back at itself or at the cluster DNS service', async () => {
    const dns = await startDns(seeded(), ['10.43.0.10', '127.0.0.1:1']);
    expect(dns.upstreamServers).toEqual([{ host: '127.0.0.1', port: 1 }]);
  });
});

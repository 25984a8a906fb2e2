/**
 * The cluster DNS server on a real `k8ts server` (built: run `npm run build` first): Services and
 * EndpointSlices created through the API reach DNS answers through the informers.
 */
import { pino } from 'pino';
import type { DecodedPacket, Packet, RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../../test/support/manifests.js';
import { pollUntil } from '../../../test/support/poll.js';
import { startServer, type TestServer } from '../../../test/support/server.js';
import { clientFromKubeconfig } from '../../client/http.js';
import { ENDPOINTSLICES, NAMESPACES, SERVICES } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { ClusterDns } from './cluster-dns.js';
import { tcpQuery, udpQuery } from './testing/client.js';

const quiet = pino({ enabled: false });

function query(name: string, type: RecordType): Packet {
  return { type: 'query', id: 3, flags: 0x0100, questions: [{ name, type, class: 'IN' }] };
}

function datas(p: DecodedPacket): unknown[] {
  return (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));
}

function rcodeOf(p: DecodedPacket): unknown {
  return (p as unknown as { rcode?: string }).rcode;
}

describe('cluster DNS against a real server', () => {
  let server: TestServer;
  let client: Client;
  let dns: ClusterDns;
  let ns: string;

  beforeAll(async () => {
    server = await startServer({ args: ['--controllers', '*,-scheduler'] });
    client = clientFromKubeconfig(server.kubeconfig, { component: 'dns-int-test' });
    ns = uniqueName('dns');
    await client.resource(NAMESPACES).create({ metadata: { name: ns } });
    dns = new ClusterDns({ client, listen: { host: '127.0.0.1', port: 0 }, upstreams: [], logger: quiet });
    await dns.start();
  });

  afterAll(async () => {
    await dns?.stop();
    client?.close();
    await server?.stop();
  });

  const ask = (name: string, type: RecordType): Promise<DecodedPacket> =>
    udpQuery(dns.address.host, dns.address.port, query(name, type));

  it('answers the kubernetes service at its ClusterIP, and PTR back', async () => {
    const svc = await client.resource(SERVICES, 'default').get('kubernetes');
    const ip = (svc['spec'] as { clusterIP: string }).clusterIP;
    const a = await ask('kubernetes.default.svc.cluster.local', 'A');
    expect(datas(a)).toEqual([ip]);
    const ptr = await ask(`${ip.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
    expect(datas(ptr)).toEqual(['kubernetes.default.svc.cluster.local']);
    const [srv] = await tcpQuery(dns.address.host, dns.address.port, [
      query('_https._tcp.kubernetes.default.svc.cluster.local', 'SRV'),
    ]);
    expect(datas(srv!)).toEqual([
      { priority: 0, weight: 100, port: 443, target: 'kubernetes.default.svc.cluster.local' },
    ]);
  });

  it('follows a new headless service and its EndpointSlice, ExternalName, and deletion', async () => {
    await client.resource(SERVICES, ns).create({
      metadata: { name: 'web' },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    await client.resource(ENDPOINTSLICES, ns).create({
      metadata: {
        name: 'web-manual',
        labels: {
          'kubernetes.io/service-name': 'web',
          'endpointslice.kubernetes.io/managed-by': 'dns-int-test',
        },
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.42.7.1'], hostname: 'web-0', conditions: { ready: true } },
        { addresses: ['10.42.7.2'], hostname: 'web-1', conditions: { ready: false } },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    await client.resource(SERVICES, ns).create({
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'db.example.test' },
    });
    const a = await pollUntil(
      'the headless service in DNS',
      () => ask(`web.${ns}.svc.cluster.local`, 'A'),
      (p) => datas(p).length > 0,
    );
    expect(datas(a)).toEqual(['10.42.7.1']);
    expect(datas(await ask(`web-0.web.${ns}.svc.cluster.local`, 'A'))).toEqual(['10.42.7.1']);
    expect(rcodeOf(await ask(`web-1.web.${ns}.svc.cluster.local`, 'A'))).toBe('NXDOMAIN');
    expect(datas(await ask(`_http._tcp.web.${ns}.svc.cluster.local`, 'SRV'))).toEqual([
      { priority: 0, weight: 100, port: 8080, target: `web-0.web.${ns}.svc.cluster.local` },
    ]);
    const ext = await pollUntil(
      'the ExternalName service in DNS',
      () => ask(`ext.${ns}.svc.cluster.local`, 'A'),
      (p) => datas(p).length > 0,
    );
    expect(ext.answers?.map((x) => x.type)).toEqual(['CNAME']);
    expect(datas(ext)).toEqual(['db.example.test']);

    await client.resource(SERVICES, ns).delete('web');
    await pollUntil(
      'the deleted service to be gone from DNS',
      () => ask(`web.${ns}.svc.cluster.local`, 'A'),
      (p) => rcodeOf(p) === 'NXDOMAIN',
    );
  });
});

/**
 * The service proxy against the real kernel, inside network namespaces the test creates: a "node"
 * with a pod bridge, three "pods" on veths answering HTTP with their own name, and an off-cluster
 * "client" on a routed link. The proxy runs here with an in-memory API client and applies its nft
 * transactions inside the node namespace (`nsenter --net=… nft -f -`). Needs root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nftRunner } from '../../src/agent/proxy/apply.js';
import { conntrackRunner } from '../../src/agent/proxy/conntrack.js';
import { ep, slice, svc } from '../../src/agent/proxy/fixtures.js';
import { ServiceProxy } from '../../src/agent/proxy/proxy.js';
import { ENDPOINTSLICES, SERVICES } from '../../src/client/resources.js';
import { FakeClient } from '../../src/client/testing/fake-client.js';
import { logger } from '../../src/util/log.js';
import { createTestHost, type TestHost } from '../support/host.js';
import { pollUntil } from '../support/poll.js';

const isRoot = process.getuid?.() === 0;
const NODE_IP = '192.168.77.1';
const CLIENT_IP = '192.168.77.2';
const BRIDGE_IP = '10.42.0.1';
const PODS = ['pod-1', 'pod-2', 'pod-3'];
const podIP = (i: number): string => `10.42.0.${11 + i}`;
const TABLE = 'k8ts-proxy';

/** A responder: HTTP on 8080 answers `<name> <client address>`; UDP on 5353 echoes `<name>`. */
const RESPONDER = `
const name = process.argv[1];
require('node:http').createServer((q, s) => s.end(name + ' ' + q.socket.remoteAddress)).listen(8080, () => {
  const u = require('node:dgram').createSocket('udp4');
  u.on('message', (m, r) => u.send(name, r.port, r.address));
  u.bind(5353, () => console.log('up'));
});`;

/** Makes `n` HTTP requests (a new connection each) from inside `host`; returns bodies or error codes. */
const REQUESTS = `
const [url, n] = [process.argv[1], Number(process.argv[2])];
const out = [];
const one = () => new Promise((resolve) => {
  const req = require('node:http').get(url, { agent: false, timeout: 2000 }, (res) => {
    let b = ''; res.setEncoding('utf8'); res.on('data', (d) => (b += d)); res.on('end', () => resolve(b));
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
  req.on('error', (e) => resolve('ERR ' + (e.code || e.message)));
});
(async () => { for (let i = 0; i < n; i++) out.push(await one()); process.stdout.write(JSON.stringify(out)); })();`;

/** One UDP datagram from inside `host` to `ip:port`; resolves with the answer or 'ERR …'. */
const UDP_ASK = `
const s = require('node:dgram').createSocket('udp4');
const t = setTimeout(() => { process.stdout.write('ERR timeout'); process.exit(0); }, 2000);
s.on('message', (m) => { clearTimeout(t); process.stdout.write(String(m)); process.exit(0); });
s.on('error', (e) => { process.stdout.write('ERR ' + e.code); process.exit(0); });
const go = () => s.send('hi', Number(process.argv[2]), process.argv[1]);
if (process.argv[3]) s.bind(Number(process.argv[3]), go); else go();`;

async function requests(host: TestHost, url: string, n: number): Promise<string[]> {
  const r = await host.exec(process.execPath, ['-e', REQUESTS, url, String(n)], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`requests from ${host.name}: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** The responder names in `bodies` (first word), counted. */
function hits(bodies: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const b of bodies) {
    const who = b.split(' ')[0] ?? '';
    counts[who] = (counts[who] ?? 0) + 1;
  }
  return counts;
}

describe.skipIf(!isRoot)('service proxy (nftables) in network namespaces', () => {
  const hosts: TestHost[] = [];
  let node: TestHost;
  let client: TestHost;
  const pods: TestHost[] = [];
  const api = new FakeClient();
  let proxy: ServiceProxy;
  const quiet = logger.child({ component: 'proxy-int' });
  quiet.level = 'warn';

  beforeAll(async () => {
    node = await createTestHost();
    client = await createTestHost();
    hosts.push(node, client);
    const n = (...args: string[]): Promise<unknown> => node.exec('ip', args, { check: true });
    await n('link', 'add', 'br0', 'type', 'bridge');
    await n('addr', 'add', `${BRIDGE_IP}/24`, 'dev', 'br0');
    await n('link', 'set', 'br0', 'up');
    await node.exec('sysctl', ['-w', 'net.ipv4.ip_forward=1'], { check: true });
    // Pod-to-pod replies cross the bridge; br_netfilter makes conntrack undo the DNAT on them.
    await node.exec('sysctl', ['-w', 'net.bridge.bridge-nf-call-iptables=1']);
    for (const [i, name] of PODS.entries()) {
      const pod = await createTestHost();
      hosts.push(pod);
      pods.push(pod);
      const veth = `vp${i}${pod.name.slice(-4)}`;
      await n('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.name);
      await n('link', 'set', veth, 'master', 'br0', 'up');
      // a pod reaching its own service comes back through the same bridge port
      await node.exec('bridge', ['link', 'set', 'dev', veth, 'hairpin', 'on']);
      await pod.exec('ip', ['addr', 'add', `${podIP(i)}/24`, 'dev', 'eth0'], { check: true });
      await pod.exec('ip', ['link', 'set', 'eth0', 'up'], { check: true });
      await pod.exec('ip', ['route', 'add', 'default', 'via', BRIDGE_IP], { check: true });
      const child = pod.spawn(process.execPath, ['-e', RESPONDER, name]);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      await pollUntil(
        `responder in ${name}`,
        () => out,
        (o) => o.includes('up'),
        { timeoutMs: 10_000 },
      );
    }
    await node.link(client, { address: `${NODE_IP}/24`, peerAddress: `${CLIENT_IP}/24` });
    await client.exec('ip', ['route', 'add', 'default', 'via', NODE_IP], { check: true });
    // the node's own default route (as a real node has): service IPs without endpoints are routed
    // and then rejected in the forward hook
    await node.exec('ip', ['route', 'add', 'default', 'via', CLIENT_IP], { check: true });

    const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
    api.put(
      SERVICES,
      svc(
        'web',
        '10.43.0.20',
        { type: 'NodePort' },
        { ports: [{ name: 'http', port: 80, nodePort: 30080 }] },
      ),
    );
    api.put(
      ENDPOINTSLICES,
      slice(
        'web',
        PODS.map((_, i) => ep(podIP(i), i === 0 ? 'node-a' : 'node-b')),
        { ports: http },
      ),
    );
    api.put(SERVICES, svc('empty', '10.43.0.21'));
    api.put(
      SERVICES,
      svc('sticky', '10.43.0.22', {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      }),
    );
    api.put(
      ENDPOINTSLICES,
      slice(
        'sticky',
        PODS.map((_, i) => ep(podIP(i))),
        { ports: http },
      ),
    );
    api.put(
      SERVICES,
      svc(
        'local',
        '10.43.0.23',
        { type: 'NodePort', externalTrafficPolicy: 'Local' },
        {
          ports: [{ name: 'http', port: 80, nodePort: 30081 }],
        },
      ),
    );
    // pod-1 is on this node (node-a); the others elsewhere
    api.put(
      ENDPOINTSLICES,
      slice(
        'local',
        PODS.map((_, i) => ep(podIP(i), i === 0 ? 'node-a' : 'node-b')),
        { ports: http },
      ),
    );
    api.put(SERVICES, svc('dns', '10.43.0.10', {}, { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }));
    api.put(
      ENDPOINTSLICES,
      slice('dns', [ep(podIP(1))], { ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }),
    );

    api.put(SERVICES, svc('itp', '10.43.0.25', { internalTrafficPolicy: 'Local' }));
    api.put(ENDPOINTSLICES, slice('itp', [ep(podIP(0), 'node-a'), ep(podIP(1), 'node-b')], { ports: http }));

    // like cluster DNS: a selectorless service whose endpoint is this node's own address
    const onNode = node.spawn(process.execPath, [
      '-e',
      RESPONDER.replace('8080', '18080').replace('5353', '15353'),
      'node-a',
    ]);
    let nodeOut = '';
    onNode.stdout?.on('data', (d: Buffer) => (nodeOut += d.toString()));
    await pollUntil(
      'responder on the node',
      () => nodeOut,
      (o) => o.includes('up'),
      { timeoutMs: 10_000 },
    );
    api.put(SERVICES, svc('nodelocal', '10.43.0.26', { internalTrafficPolicy: 'Local' }));
    api.put(
      ENDPOINTSLICES,
      slice('nodelocal', [ep(NODE_IP, 'node-a')], {
        ports: [{ name: 'http', port: 18080, protocol: 'TCP' }],
      }),
    );

    proxy = new ServiceProxy({
      client: api,
      nodeName: 'node-a',
      nodeIPs: [NODE_IP],
      clusterCIDR: '10.42.0.0/16',
      logger: quiet,
      minSyncPeriodMs: 100,
      fullResyncPeriodMs: 2000,
      nft: nftRunner(['nsenter', `--net=${node.netnsPath}`, 'nft']),
      conntrack: conntrackRunner(['nsenter', `--net=${node.netnsPath}`, 'conntrack']),
    });
    await proxy.start();
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await proxy?.cleanup().catch(() => undefined);
    const problems: string[] = [];
    for (const h of hosts.reverse()) {
      await h.destroy().catch((err: unknown) => problems.push(String(err)));
    }
    expect(problems).toEqual([]);
  });

  it('balances a ClusterIP over all ready endpoints, from off-cluster (masqueraded) and from pods', async () => {
    const bodies = await requests(client, 'http://10.43.0.20/', 60);
    expect(Object.keys(hits(bodies)).sort()).toEqual(PODS);
    // an off-cluster source is masqueraded: pods see the node's address, not the client's
    expect(bodies.every((b) => !b.endsWith(CLIENT_IP))).toBe(true);
    // a pod reaching its own service (hairpin) always gets an answer, and from every endpoint
    const fromPod = await requests(pods[0] as TestHost, 'http://10.43.0.20/', 30);
    expect(fromPod.filter((b) => b.startsWith('ERR'))).toEqual([]);
    expect(Object.keys(hits(fromPod)).sort()).toEqual(PODS);
  });

  it('serves NodePorts on the node address from outside, with SNAT under Cluster policy', async () => {
    const bodies = await requests(client, `http://${NODE_IP}:30080/`, 30);
    expect(Object.keys(hits(bodies)).sort()).toEqual(PODS);
    expect(bodies.some((b) => b.endsWith(CLIENT_IP))).toBe(false);
  });

  it('keeps externalTrafficPolicy Local traffic on local endpoints with the client address', async () => {
    const bodies = await requests(client, `http://${NODE_IP}:30081/`, 20);
    expect(hits(bodies)).toEqual({ 'pod-1': 20 });
    expect(bodies.every((b) => b.endsWith(CLIENT_IP))).toBe(true);
  });

  it('keeps ClusterIP traffic on this node under internalTrafficPolicy Local', async () => {
    expect(hits(await requests(pods[2] as TestHost, 'http://10.43.0.25/', 20))).toEqual({ 'pod-1': 20 });
  });

  it("reaches an endpoint on the node's own address from pods and from the node itself", async () => {
    expect(hits(await requests(pods[1] as TestHost, 'http://10.43.0.26/', 3))).toEqual({ 'node-a': 3 });
    expect(hits(await requests(node, 'http://10.43.0.26/', 3))).toEqual({ 'node-a': 3 });
  });

  it('rejects connections to a service without endpoints', async () => {
    expect(await requests(client, 'http://10.43.0.21/', 2)).toEqual(['ERR ECONNREFUSED', 'ERR ECONNREFUSED']);
    expect(await requests(pods[1] as TestHost, 'http://10.43.0.21/', 1)).toEqual(['ERR ECONNREFUSED']);
  });

  it('pins a client to one endpoint with ClientIP affinity', async () => {
    const bodies = await requests(client, 'http://10.43.0.22/', 20);
    expect(Object.keys(hits(bodies))).toHaveLength(1);
    const set = await node.exec('nft', ['list', 'table', 'ip', TABLE], { check: true });
    expect(set.stdout).toContain(CLIENT_IP); // the affinity entry of this client
  });

  it('repairs tampered rules at the periodic resync, keeping affinity entries', async () => {
    const before = hits(await requests(client, 'http://10.43.0.22/', 5));
    await node.exec('nft', ['flush', 'chain', 'ip', TABLE, 'services'], { check: true });
    // (the flush succeeded; whatever restores the rule now is the proxy's resync)
    await pollUntil(
      'the resync restores the services chain',
      async () => (await node.exec('nft', ['list', 'chain', 'ip', TABLE, 'services'])).stdout,
      (out) => out.includes('@service-ips'),
      { timeoutMs: 10_000 },
    );
    expect(Object.keys(hits(await requests(client, 'http://10.43.0.20/', 30))).sort()).toEqual(PODS);
    expect(hits(await requests(client, 'http://10.43.0.22/', 5))).toEqual(
      Object.fromEntries(Object.keys(before).map((k) => [k, 5])),
    );
  });

  it('balances UDP services', async () => {
    const r = await client.exec(process.execPath, ['-e', UDP_ASK, '10.43.0.10', '53'], { check: true });
    expect(r.stdout).toBe('pod-2');
  });

  it('moves a UDP flow to the new endpoint when its endpoint leaves (stale conntrack entries cleared)', async () => {
    const ask = async (): Promise<string> =>
      (await client.exec(process.execPath, ['-e', UDP_ASK, '10.43.0.10', '53', '40053'], { check: true }))
        .stdout;
    expect(await ask()).toBe('pod-2');
    api.put(
      ENDPOINTSLICES,
      slice('dns', [ep(podIP(2))], { ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }),
    );
    await pollUntil(
      'the DNS endpoint moves in the kernel',
      async () => (await node.exec('nft', ['list', 'chain', 'ip', TABLE, 'svc-default/dns/udp/dns'])).stdout,
      (out) => out.includes(podIP(2)),
      { timeoutMs: 10_000 },
    );
    // the same client port: without the conntrack cleanup this flow would stay with pod-2
    await pollUntil('the flow follows the endpoint', ask, (who) => who === 'pod-3', { timeoutMs: 5000 });
  });

  it('applies updates: a not-ready endpoint gets no traffic, a new service starts working', async () => {
    const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
    api.put(
      ENDPOINTSLICES,
      slice('web', [ep(podIP(0)), ep(podIP(1)), ep(podIP(2), 'node-b', { ready: false })], { ports: http }),
    );
    api.put(SERVICES, svc('late', '10.43.0.24'));
    api.put(ENDPOINTSLICES, slice('late', [ep(podIP(2))], { ports: http }));
    await pollUntil(
      'the not-ready endpoint leaves the kernel',
      async () => (await node.exec('nft', ['list', 'chain', 'ip', TABLE, 'svc-default/web/tcp/http'])).stdout,
      (out) => out.includes(podIP(0)) && !out.includes(podIP(2)),
      { timeoutMs: 10_000 },
    );
    await pollUntil(
      'the new service answers',
      () => requests(client, 'http://10.43.0.24/', 1),
      (b) => b[0]?.startsWith('pod-3') === true,
      { timeoutMs: 10_000 },
    );
    const bodies = await requests(client, 'http://10.43.0.20/', 40);
    expect(Object.keys(hits(bodies)).sort()).toEqual(['pod-1', 'pod-2']);
    // the metrics saw these changes
    expect(await proxy.metricsText()).toMatch(/kubeproxy_network_programming_duration_seconds_count [1-9]/);
  });

  it('cleanup removes everything the proxy installed', async () => {
    await proxy.stop();
    await proxy.cleanup();
    const tables = await node.exec('nft', ['list', 'tables'], { check: true });
    expect(tables.stdout).not.toContain(TABLE);
    const after = await requests(client, 'http://10.43.0.20/', 1);
    expect(after[0]).toMatch(/^ERR/);
  });
});

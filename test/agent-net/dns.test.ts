/**
 * Issue 5 acceptance, cluster DNS from a pod (busybox nslookup through the pod's resolv.conf, i.e.
 * the kube-dns Service 10.43.0.10 that the proxy sends to the node's own DNS server): a Service by
 * short name and FQDN, a headless Service's pod records, SRV for a named port, a StatefulSet pod's
 * name, PTR of a ClusterIP, ExternalName as CNAME, NXDOMAIN for a missing name.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, waitRunningReady } from '../support/node.js';
import { pollUntil } from '../support/poll.js';
import {
  WAIT_MS,
  WEB_PORT,
  clientPod,
  getService,
  livePods,
  newNamespace,
  service,
  sh,
  startNetNode,
  stopNetNode,
  waitEndpoints,
  waitWebPods,
  webContainer,
  webDeployment,
  type NetNode,
} from './support.js';

let net: NetNode;
let ns: string;

/** `nslookup ARGS…` in the client pod (its resolv.conf's server); output and exit code together. */
async function nslookup(...args: string[]): Promise<string> {
  const r = await sh(net.node, ns, 'client', `nslookup ${args.join(' ')} 2>&1; echo "exit $?"`, 30_000);
  return r.out;
}

/** The addresses of the answer section that busybox nslookup printed (after the server's lines). */
function addresses(out: string): string[] {
  const answer = out
    .split(/\n\s*\n/)
    .slice(1)
    .join('\n');
  return [...answer.matchAll(/^Address(?: \d+)?:\s+(\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1] ?? '').sort();
}

function statefulSet(name: string, replicas: number): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns },
    spec: {
      serviceName: name,
      replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 5, containers: [webContainer()] },
      },
    },
  };
}

beforeAll(async () => {
  net = await startNetNode();
  ns = await newNamespace(net, 'dns');
  await apply(net.node, [
    webDeployment(ns, 'web', 2),
    service(ns, 'web'),
    service(ns, 'web-h', { clusterIP: 'None' }, 'web'),
    statefulSet('db', 2),
    service(ns, 'db', { clusterIP: 'None' }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ext', namespace: ns },
      spec: { type: 'ExternalName', externalName: 'www.example.org' },
    },
    clientPod(net.node, ns),
  ]);
  await waitWebPods(net.node, ns, 'web', 2);
  await waitWebPods(net.node, ns, 'db', 2);
  await waitRunningReady(net.node, ns, 'client', WAIT_MS);
  await waitEndpoints(net.node, ns, 'web-h', 2);
  await waitEndpoints(net.node, ns, 'db', 2);
  // The pod's resolver is the kube-dns Service; wait until its path (proxy rule, node DNS) works.
  await pollUntil(
    'the cluster DNS to answer from the client pod',
    () => nslookup(`kubernetes.default.svc.cluster.local`),
    (out) => /exit 0/.test(out) && addresses(out).length > 0,
    { timeoutMs: WAIT_MS, intervalMs: 500 },
  );
});

afterAll(async () => {
  await stopNetNode(net);
});

describe('cluster DNS from a pod', () => {
  it('answers the pod resolv.conf server 10.43.0.10 through the kube-dns Service', async () => {
    const resolv = (await sh(net.node, ns, 'client', 'cat /etc/resolv.conf')).out;
    expect(resolv).toMatch(/^nameserver 10\.43\.0\.10$/m);
    expect(resolv).toMatch(
      new RegExp(`^search ${ns}\\.svc\\.cluster\\.local svc\\.cluster\\.local cluster\\.local`, 'm'),
    );
    const kubeDns = await getService(net.node, 'kube-system', 'kube-dns');
    expect(kubeDns.spec?.clusterIP).toBe('10.43.0.10');
  });

  it('resolves a Service by short name and by FQDN to its ClusterIP', async () => {
    const ip = (await getService(net.node, ns, 'web')).spec?.clusterIP ?? '';
    // busybox nslookup tries the search domains for a name without dots.
    expect(addresses(await nslookup('web'))).toContain(ip);
    // The C library's resolver (ndots:5) does so for `web.<ns>` too: ping prints what it resolved.
    const ping = await sh(net.node, ns, 'client', `ping -c 1 -W 1 web.${ns} 2>&1`, 30_000);
    expect(ping.out).toContain(`PING web.${ns} (${ip})`);
    const fqdn = await nslookup(`web.${ns}.svc.cluster.local`);
    expect(addresses(fqdn), fqdn).toEqual([ip]);
  });

  it("resolves a headless Service to its ready pods' addresses", async () => {
    const podIPs = (await livePods(net.node, ns, 'web')).map((p) => p.status?.podIP ?? '').sort();
    const out = await nslookup(`web-h.${ns}.svc.cluster.local`);
    expect(addresses(out), out).toEqual(podIPs);
  });

  it('answers SRV for a named port, with the ClusterIP service and with StatefulSet pod targets', async () => {
    const svcSrv = await nslookup('-type=srv', `_http._tcp.web.${ns}.svc.cluster.local`);
    expect(svcSrv).toMatch(new RegExp(`\\b80 web\\.${ns}\\.svc\\.cluster\\.local`));
    const podSrv = await nslookup('-type=srv', `_http._tcp.db.${ns}.svc.cluster.local`);
    expect(podSrv).toMatch(new RegExp(`\\b${WEB_PORT} db-0\\.db\\.${ns}\\.svc\\.cluster\\.local`));
    expect(podSrv).toMatch(new RegExp(`\\b${WEB_PORT} db-1\\.db\\.${ns}\\.svc\\.cluster\\.local`));
  });

  it("resolves a StatefulSet pod's stable name to its address", async () => {
    const db0 = (await livePods(net.node, ns, 'db')).find((p) => p.metadata?.name === 'db-0');
    const out = await nslookup(`db-0.db.${ns}.svc.cluster.local`);
    expect(addresses(out), out).toEqual([db0?.status?.podIP ?? '?']);
  });

  it('answers PTR for a ClusterIP and CNAME for an ExternalName Service', async () => {
    const ip = (await getService(net.node, ns, 'web')).spec?.clusterIP ?? '';
    const ptr = await nslookup('-type=ptr', ip.split('.').reverse().join('.') + '.in-addr.arpa');
    expect(ptr).toContain(`name = web.${ns}.svc.cluster.local`);
    const cname = await nslookup('-type=cname', `ext.${ns}.svc.cluster.local`);
    expect(cname).toContain('canonical name = www.example.org');
  });

  it('answers NXDOMAIN for a missing name', async () => {
    const out = await nslookup(`nope.${ns}.svc.cluster.local`);
    expect(out).toContain('NXDOMAIN');
    expect(out).toMatch(/exit 1/);
  });
});

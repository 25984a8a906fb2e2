/**
 * Service plumbing end to end, on a real server with hollow nodes (their pods go Running with IPs
 * and Ready) and the real kubectl: EndpointSlices and Endpoints of Deployments behind Services as
 * they scale, named target ports, headless Services with StatefulSet hostnames, selectorless
 * Services left to their owner, the `kubernetes` and `kube-dns` Services, and LoadBalancer
 * addresses from the nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHollowNodes, type HollowProcess } from '../support/hollow.js';
import { kubectl, kubectlJson, kubectlOk } from '../support/kubectl.js';
import { uniqueName, type Obj } from '../support/manifests.js';
import { create, createNamespace } from '../support/objects.js';
import { pollUntil } from '../support/poll.js';
import { startServer, type TestServer } from '../support/server.js';
import { parseTable, rowNamed } from '../support/table.js';

const NODES = 3;

let server: TestServer;
let hollow: HollowProcess;
let ns = '';
let prefix = '';

beforeAll(async () => {
  server = await startServer();
  prefix = uniqueName('ep');
  ns = await createNamespace(server, prefix);
  hollow = await startHollowNodes(server, NODES, ['--name-prefix', `${prefix}-`]);
});

afterAll(async () => {
  await hollow?.stop();
  await server?.stop();
});

interface Slice {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
  addressType: string;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    hostname?: string;
    nodeName?: string;
    targetRef?: { name?: string };
  }[];
}

interface EndpointsView {
  metadata: { name: string; labels?: Record<string, string> };
  subsets?: {
    addresses?: { ip: string; hostname?: string; nodeName?: string }[];
    notReadyAddresses?: { ip: string }[];
    ports?: { name?: string; port: number; protocol?: string }[];
  }[];
}

function deployment(name: string, replicas: number, ports: Obj[] = []): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'k8ts.local/busybox:1', ...(ports.length ? { ports } : {}) }],
        },
      },
    },
  };
}

function svc(name: string, spec: Obj, meta: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, ...meta }, spec };
}

async function slicesOf(service: string, namespace = ns): Promise<Slice[]> {
  const list = await kubectlJson<{ items: Slice[] }>(server, [
    'get',
    'endpointslices',
    '-n',
    namespace,
    '-l',
    `kubernetes.io/service-name=${service}`,
  ]);
  return list.items;
}

function readyIPs(slices: Slice[]): string[] {
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready)
    .flatMap((e) => e.addresses)
    .sort();
}

function allEndpoints(slices: Slice[]): number {
  return slices.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0);
}

describe('EndpointSlices', () => {
  it('a Deployment of 3 behind a Service has 3 ready endpoints; scaled to 0, none', async () => {
    await create(server, deployment('web', 3));
    // An explicit cluster IP: the server does not allocate one yet (ServiceAllocator is only an interface).
    await create(
      server,
      svc('web', {
        clusterIP: '10.43.200.1',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      }),
    );
    const slices = await pollUntil(
      '3 ready endpoints',
      () => slicesOf('web'),
      (s) => readyIPs(s).length === 3,
      {
        timeoutMs: 60_000,
      },
    );
    expect(slices).toHaveLength(1);
    const slice = slices[0] as Slice;
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toMatchObject({
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata.labels?.['service.kubernetes.io/headless']).toBeUndefined();
    expect(slice.metadata.ownerReferences).toMatchObject([{ kind: 'Service', name: 'web' }]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    for (const e of slice.endpoints ?? []) {
      expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
      expect(e.nodeName).toMatch(new RegExp(`^${prefix}-`));
    }

    const table = await kubectlOk(server, ['get', 'endpointslices', '-n', ns]);
    expect(parseTable(table).header).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    const row = rowNamed(table, slice.metadata.name);
    expect(row?.['ADDRESSTYPE']).toBe('IPv4');
    expect(row?.['PORTS']).toBe('8080');
    expect(row?.['ENDPOINTS']?.split(',').sort()).toEqual(readyIPs(slices));

    const eps = await pollUntil(
      'Endpoints with 3 addresses',
      () => kubectlJson<EndpointsView>(server, ['get', 'endpoints', 'web', '-n', ns]),
      (e) => (e.subsets?.[0]?.addresses?.length ?? 0) === 3,
    );
    expect(eps.subsets).toHaveLength(1);
    expect(eps.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(eps.subsets?.[0]?.addresses?.map((a) => a.ip).sort()).toEqual(readyIPs(slices));
    const epTable = await kubectlOk(server, ['get', 'endpoints', 'web', '-n', ns]);
    expect(parseTable(epTable).header).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(rowNamed(epTable, 'web')?.['ENDPOINTS']?.split(',').sort()).toEqual(
      readyIPs(slices).map((ip) => `${ip}:8080`),
    );

    const described = await kubectlOk(server, ['describe', 'svc', 'web', '-n', ns]);
    const line = described.split('\n').find((l) => l.startsWith('Endpoints:')) ?? '';
    expect(line.replace('Endpoints:', '').trim().split(',').sort()).toEqual(
      readyIPs(slices).map((ip) => `${ip}:8080`),
    );

    // Settled: neither object is rewritten while nothing changes.
    const versions = async (): Promise<string> => {
      const slice = await kubectlJson<{ metadata: { resourceVersion: string } }>(server, [
        'get',
        'endpointslice',
        slices[0]?.metadata.name ?? '',
        '-n',
        ns,
      ]);
      const ep = await kubectlJson<{ metadata: { resourceVersion: string } }>(server, [
        'get',
        'endpoints',
        'web',
        '-n',
        ns,
      ]);
      return `${slice.metadata.resourceVersion}/${ep.metadata.resourceVersion}`;
    };
    const settled = await versions();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await versions()).toBe(settled);

    await kubectlOk(server, ['scale', 'deployment/web', '-n', ns, '--replicas', '0']);
    const after = await pollUntil(
      'no endpoints',
      () => slicesOf('web'),
      (s) => allEndpoints(s) === 0,
      {
        timeoutMs: 60_000,
      },
    );
    // The placeholder slice stays: "no endpoints" rather than "not synced".
    expect(after).toHaveLength(1);
    const empty = await kubectlOk(server, ['get', 'endpointslices', '-n', ns]);
    expect(rowNamed(empty, after[0]?.metadata.name ?? '')?.['ENDPOINTS']).toBe('<unset>');
    const none = await pollUntil(
      'Endpoints without addresses',
      () => kubectlOk(server, ['get', 'endpoints', 'web', '-n', ns]),
      (t) => rowNamed(t, 'web')?.['ENDPOINTS'] === '<none>',
    );
    expect(parseTable(none).rows).toHaveLength(1);
  });

  it('keeps a terminating pod as serving and terminating, not ready; Endpoints drop it', async () => {
    await create(server, deployment('term', 2));
    await create(server, svc('term', { selector: { app: 'term' }, ports: [{ port: 80 }] }));
    await pollUntil(
      '2 ready',
      () => slicesOf('term'),
      (s) => readyIPs(s).length === 2,
      { timeoutMs: 60_000 },
    );
    // A pod held by a finalizer stays terminating after its node is done with it.
    const pods = await kubectlJson<{ items: { metadata: { name: string } }[] }>(server, [
      'get',
      'pods',
      '-n',
      ns,
      '-l',
      'app=term',
    ]);
    const victim = pods.items[0]?.metadata.name ?? '';
    await kubectlOk(server, [
      'patch',
      'pod',
      victim,
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["e2e.k8ts.io/hold"]}}',
    ]);
    await kubectlOk(server, ['scale', 'deployment/term', '-n', ns, '--replicas', '1']);
    await kubectlOk(server, ['delete', 'pod', victim, '-n', ns, '--wait=false']);
    const slices = await pollUntil(
      'a terminating endpoint',
      () => slicesOf('term'),
      (s) =>
        s
          .flatMap((x) => x.endpoints ?? [])
          .some((e) => e.targetRef?.name === victim && e.conditions?.terminating),
    );
    const held = slices.flatMap((x) => x.endpoints ?? []).find((e) => e.targetRef?.name === victim);
    expect(held?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    const eps = await pollUntil(
      'Endpoints without the terminating pod',
      () => kubectlJson<EndpointsView>(server, ['get', 'endpoints', 'term', '-n', ns]),
      (e) =>
        (e.subsets ?? []).flatMap((x) => [...(x.addresses ?? []), ...(x.notReadyAddresses ?? [])]).length ===
        1,
    );
    expect(eps.subsets?.[0]?.addresses).toHaveLength(1);
    await kubectlOk(server, [
      'patch',
      'pod',
      victim,
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    await pollUntil(
      'gone',
      () => slicesOf('term'),
      (s) => allEndpoints(s) === 1,
    );
  });

  it('resolves a named targetPort from each pod', async () => {
    await create(server, deployment('named', 2, [{ name: 'web', containerPort: 8081 }]));
    await create(
      server,
      svc('named', { selector: { app: 'named' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
    );
    const slices = await pollUntil(
      '2 endpoints',
      () => slicesOf('named'),
      (s) => readyIPs(s).length === 2,
      {
        timeoutMs: 60_000,
      },
    );
    expect(slices.map((s) => s.ports)).toEqual([[{ name: 'http', port: 8081, protocol: 'TCP' }]]);
  });

  it('gives headless Services slices with the StatefulSet pods’ hostnames', async () => {
    await create(
      server,
      svc('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] }),
    );
    await create(server, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        serviceName: 'db',
        replicas: 2,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'k8ts.local/busybox:1' }] },
        },
      },
    });
    const slices = await pollUntil(
      '2 endpoints',
      () => slicesOf('db'),
      (s) => readyIPs(s).length === 2,
      {
        timeoutMs: 60_000,
      },
    );
    expect(slices[0]?.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    const hostnames = slices.flatMap((s) => s.endpoints ?? []).map((e) => e.hostname);
    expect(hostnames.sort()).toEqual(['db-0', 'db-1']);
    const eps = await pollUntil(
      'Endpoints with hostnames',
      () => kubectlJson<EndpointsView>(server, ['get', 'endpoints', 'db', '-n', ns]),
      (e) => (e.subsets?.[0]?.addresses?.length ?? 0) === 2,
    );
    expect(eps.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    expect(eps.subsets?.[0]?.addresses?.map((a) => a.hostname).sort()).toEqual(['db-0', 'db-1']);
  });

  it('leaves the slices of a selectorless Service to their owner', async () => {
    await create(server, svc('manual', { ports: [{ port: 80 }] }));
    await create(server, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'manual-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'manual' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.0.2.10'] }],
      ports: [{ port: 80 }],
    });
    // Give the controllers time to (wrongly) act, then check nothing changed.
    await create(server, svc('marker', { selector: { app: 'marker' }, ports: [{ port: 80 }] }));
    await pollUntil(
      'marker placeholder',
      () => slicesOf('marker'),
      (s) => s.length === 1,
    );
    const slices = await slicesOf('manual');
    expect(slices.map((s) => [s.metadata.name, s.endpoints?.map((e) => e.addresses)])).toEqual([
      ['manual-1', [['192.0.2.10']]],
    ]);
    // Nor does the Endpoints controller write an Endpoints for it.
    await pollUntil(
      'marker Endpoints',
      () => kubectl(server, ['get', 'endpoints', 'marker', '-n', ns]),
      (r) => r.code === 0,
    );
    const r = await kubectl(server, ['get', 'endpoints', 'manual', '-n', ns]);
    expect(r.stderr).toContain('endpoints "manual" not found');
  });
});

describe('hand-written Endpoints', () => {
  it('are mirrored into EndpointSlices for a selectorless Service', async () => {
    await create(server, svc('external', { ports: [{ name: 'pg', port: 5432 }] }));
    await create(server, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'external', namespace: ns },
      subsets: [
        { addresses: [{ ip: '192.0.2.20' }, { ip: '192.0.2.21' }], ports: [{ name: 'pg', port: 5432 }] },
      ],
    });
    const slices = await pollUntil(
      'mirrored slice',
      () => slicesOf('external'),
      (s) => s.length === 1,
    );
    expect(slices[0]?.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe(
      'endpointslicemirroring-controller.k8s.io',
    );
    expect(slices[0]?.ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    expect(readyIPs(slices)).toEqual(['192.0.2.20', '192.0.2.21']);
    await kubectlOk(server, ['delete', 'endpoints', 'external', '-n', ns]);
    await pollUntil(
      'mirror removed',
      () => slicesOf('external'),
      (s) => s.length === 0,
    );
  });
});

describe('the kubernetes and kube-dns Services', () => {
  it('has an EndpointSlice for the kubernetes Service next to its Endpoints', async () => {
    const slice = await kubectlJson<Slice>(server, ['get', 'endpointslice', 'kubernetes', '-n', 'default']);
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    expect(slice.ports).toEqual([{ name: 'https', port: server.port, protocol: 'TCP' }]);
    const eps = await kubectlJson<EndpointsView>(server, ['get', 'endpoints', 'kubernetes', '-n', 'default']);
    expect(slice.endpoints?.map((e) => e.addresses[0])).toEqual(
      eps.subsets?.[0]?.addresses?.map((a) => a.ip),
    );
    expect(slice.endpoints?.[0]?.conditions?.ready).toBe(true);
  });

  it('serves kube-dns at the 10th service IP with one endpoint per Ready node', async () => {
    const table = await kubectlOk(server, ['get', 'svc', 'kube-dns', '-n', 'kube-system']);
    expect(rowNamed(table, 'kube-dns')).toMatchObject({
      TYPE: 'ClusterIP',
      'CLUSTER-IP': '10.43.0.10',
      'EXTERNAL-IP': '<none>',
      'PORT(S)': '53/UDP,53/TCP',
    });
    const nodes = await kubectlJson<{
      items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[];
    }>(server, ['get', 'nodes']);
    const want = nodes.items
      .map((n) => [n.metadata.name, n.status.addresses.find((a) => a.type === 'InternalIP')?.address])
      .sort();
    const slice = await pollUntil(
      'kube-dns-nodes with every node',
      () => kubectlJson<Slice>(server, ['get', 'endpointslice', 'kube-dns-nodes', '-n', 'kube-system']),
      (s) => (s.endpoints?.length ?? 0) === want.length,
    );
    expect(want).toHaveLength(NODES);
    expect(slice.metadata.labels).toMatchObject({
      'kubernetes.io/service-name': 'kube-dns',
      'endpointslice.kubernetes.io/managed-by': 'dns-endpoints.k8ts.io',
    });
    expect(slice.ports).toEqual([
      { name: 'dns', port: 10053, protocol: 'UDP' },
      { name: 'dns-tcp', port: 10053, protocol: 'TCP' },
    ]);
    expect((slice.endpoints ?? []).map((e) => [e.nodeName, e.addresses[0]]).sort()).toEqual(want);
  });
});

describe('LoadBalancer Services', () => {
  it('get the Ready nodes’ addresses as EXTERNAL-IP, removed when the type changes', async () => {
    await create(
      server,
      svc('lb', {
        type: 'LoadBalancer',
        clusterIP: '10.43.200.2',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      }),
    ).catch(async (err: unknown) => {
      // Once (30 Nov 2026, CI) this IP was already allocated and nothing showed by whom: say it.
      const held = await kubectl(server, ['get', 'svc', '-A', '-o', 'wide']);
      throw new Error(`${String(err)}\nServices at that moment:\n${held.stdout}${held.stderr}`);
    });
    const nodes = await kubectlJson<{
      items: { status: { addresses: { type: string; address: string }[] } }[];
    }>(server, ['get', 'nodes']);
    const ips = nodes.items
      .map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '')
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const row = await pollUntil(
      'EXTERNAL-IP',
      async () => rowNamed(await kubectlOk(server, ['get', 'svc', 'lb', '-n', ns]), 'lb'),
      (r) => r !== undefined && r['EXTERNAL-IP'] !== '<pending>',
    );
    expect(row?.['TYPE']).toBe('LoadBalancer');
    expect(row?.['EXTERNAL-IP']).toBe(ips.join(','));
    const status = await kubectlJson<{
      status: { loadBalancer: { ingress: { ip: string; ipMode: string }[] } };
    }>(server, ['get', 'svc', 'lb', '-n', ns]);
    expect(status.status.loadBalancer.ingress).toEqual(ips.map((ip) => ({ ip, ipMode: 'VIP' })));

    await kubectlOk(server, ['patch', 'svc', 'lb', '-n', ns, '-p', '{"spec":{"type":"ClusterIP"}}']);
    await pollUntil(
      'EXTERNAL-IP gone',
      async () => rowNamed(await kubectlOk(server, ['get', 'svc', 'lb', '-n', ns]), 'lb'),
      (r) => r?.['EXTERNAL-IP'] === '<none>' && r['TYPE'] === 'ClusterIP',
    );
  });
});

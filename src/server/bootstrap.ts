/**
 * Objects every cluster starts with, created at server start when missing: the system namespaces,
 * the two system priority classes (upstream creates the same), the `kubernetes` Service with its
 * Endpoints and EndpointSlice (kept pointing at the API server's address), and the cluster DNS
 * Service `kube-system/kube-dns`.
 */
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { ServedResources } from '../apiserver/served.js';
import type { StrategyContext } from '../registry/strategy.js';
import type { Clock } from '../util/time.js';
import { dnsServiceIP, DNS_NAMESPACE, DNS_SERVICE, NODE_DNS_PORT } from '../controllers/dnsendpoints/dns.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const SYSTEM_PRIORITY_CLASSES = [
  {
    name: 'system-node-critical',
    value: 2000001000,
    description: 'Highest priority: system pods a node needs to work.',
  },
  {
    name: 'system-cluster-critical',
    value: 2000000000,
    description: 'System pods the cluster needs; they may move between nodes.',
  },
];

const USER = { username: 'system:apiserver', groups: ['system:masters'] };

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * Creates an object unless it exists; when it exists with other values in `fields` (top-level
 * fields, compared after defaulting), brings them up to date. Returns what it did.
 */
export async function ensureCurrent(
  served: ServedResources,
  group: string,
  version: string,
  plural: string,
  obj: KubeObject,
  clock: Clock,
  fields: readonly string[],
): Promise<'created' | 'updated' | undefined> {
  if (await ensureObject(served, group, version, plural, obj, clock)) return 'created';
  const s = served.get(group, version, plural);
  if (!s?.store) return undefined;
  const want = structuredClone(obj);
  s.strategy.defaults?.(want);
  const ctx: StrategyContext = {
    user: USER,
    namespace: obj.metadata?.namespace ?? '',
    now: () => clock.now(),
  };
  const unchanged = new Error('unchanged');
  try {
    await s.store.mutate(obj.metadata?.name ?? '', ctx, { dryRun: false, subresource: '' }, (cur) => {
      if (fields.every((f) => canonical(cur[f]) === canonical(want[f]))) throw unchanged;
      for (const f of fields) cur[f] = structuredClone(want[f]);
      return cur;
    });
    return 'updated';
  } catch (err) {
    if (err === unchanged) return undefined;
    throw err;
  }
}

/** Creates an object unless it exists; returns true when it was created. */
export async function ensureObject(
  served: ServedResources,
  group: string,
  version: string,
  plural: string,
  obj: KubeObject,
  clock: Clock,
): Promise<boolean> {
  const s = served.get(group, version, plural);
  if (!s?.store) throw new Error(`cannot bootstrap ${plural}: not served`);
  const ctx: StrategyContext = {
    user: USER,
    namespace: obj.metadata?.namespace ?? '',
    now: () => clock.now(),
  };
  try {
    const stored = structuredClone(obj);
    s.strategy.defaults?.(stored);
    await s.store.create(stored, ctx, { dryRun: false });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'AlreadyExists') return false;
    throw err;
  }
}

/** Creates the system PriorityClasses that are missing; returns the names it created. */
export async function ensureSystemPriorityClasses(served: ServedResources, clock: Clock): Promise<string[]> {
  const created: string[] = [];
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    const obj = {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: pc.name },
      value: pc.value,
      description: pc.description,
    };
    if (await ensureObject(served, 'scheduling.k8s.io', 'v1', 'priorityclasses', obj, clock))
      created.push(`priorityclass/${pc.name}`);
  }
  return created;
}

/**
 * The readiness check `poststarthook/scheduling/bootstrap-system-priority-classes`: passes once both
 * system PriorityClasses are stored; while one is missing it creates it and fails with its name.
 */
export function systemPriorityClassesCheck(served: ServedResources, clock: Clock): () => Promise<void> {
  return async () => {
    const cache = served.cache('scheduling.k8s.io', 'priorityclasses');
    const present = new Set([...(cache?.values() ?? [])].map((c) => c.name));
    const missing = SYSTEM_PRIORITY_CLASSES.map((pc) => pc.name).filter((n) => !present.has(n));
    if (missing.length === 0) return;
    await ensureSystemPriorityClasses(served, clock);
    throw new Error(`system priority classes not yet created: ${missing.join(', ')}`);
  };
}

/**
 * Creates the IngressClass `k8ts` (controller `k8ts.io/ingress`), the default class, unless an
 * IngressClass of that name exists (a user may have changed it, e.g. removed the default mark).
 */
export async function ensureDefaultIngressClass(served: ServedResources, clock: Clock): Promise<string[]> {
  const obj = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name: 'k8ts',
      annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
      labels: { 'app.kubernetes.io/managed-by': 'k8ts' },
    },
    spec: { controller: 'k8ts.io/ingress' },
  };
  return (await ensureObject(served, 'networking.k8s.io', 'v1', 'ingressclasses', obj, clock))
    ? ['ingressclass/k8ts']
    : [];
}

/** Where the `kubernetes` Service points: the API server's address and port. */
export interface ApiEndpoint {
  serviceIP: string;
  /** Undefined on a machine without a non-loopback address: no Endpoints then. */
  address: string | undefined;
  port: number;
}

export async function bootstrapObjects(
  served: ServedResources,
  clock: Clock,
  api: ApiEndpoint,
): Promise<string[]> {
  const created: string[] = [];
  for (const name of SYSTEM_NAMESPACES) {
    if (
      await ensureObject(
        served,
        '',
        'v1',
        'namespaces',
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        clock,
      )
    ) {
      created.push(`namespace/${name}`);
    }
  }
  created.push(...(await ensureSystemPriorityClasses(served, clock)));
  created.push(...(await ensureDefaultIngressClass(served, clock)));
  // The `kubernetes` Service in default, as upstream keeps it: the first service IP, port 443 to the
  // API server. (Routing ClusterIPs to endpoints comes with the service proxy.)
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: api.serviceIP,
      clusterIPs: [api.serviceIP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: api.port }],
      sessionAffinity: 'None',
    },
  };
  if (await ensureObject(served, '', 'v1', 'services', service, clock)) created.push('service/kubernetes');
  try {
    if (await ensureObject(served, '', 'v1', 'services', kubeDnsService(dnsServiceIP(api.serviceIP)), clock))
      created.push('service/kube-dns');
  } catch (err) {
    // Its address taken by another Service (possible on a cluster older than this Service): the
    // server runs on, without cluster DNS, and says so.
    if (!(err instanceof ApiError && err.code === 422)) throw err;
    created.push(`service/kube-dns NOT created: ${err.message}`);
  }
  if (!api.address) return created;
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [
      { addresses: [{ ip: api.address }], ports: [{ name: 'https', port: api.port, protocol: 'TCP' }] },
    ],
  };
  const epDone = await ensureCurrent(served, '', 'v1', 'endpoints', endpoints, clock, ['subsets']);
  if (epDone) created.push(epDone === 'created' ? 'endpoints/kubernetes' : 'endpoints/kubernetes (updated)');
  // Its EndpointSlice, as upstream's API server keeps it next to the Endpoints: named like the
  // Service, labelled with its name only, the address ready.
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: api.address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [api.address], conditions: { ready: true } }],
    ports: [{ name: 'https', port: api.port, protocol: 'TCP' }],
  };
  const sliceDone = await ensureCurrent(served, 'discovery.k8s.io', 'v1', 'endpointslices', slice, clock, [
    'endpoints',
    'ports',
  ]);
  if (sliceDone)
    created.push(sliceDone === 'created' ? 'endpointslice/kubernetes' : 'endpointslice/kubernetes (updated)');
  return created;
}

/**
 * The cluster DNS Service: selectorless (its EndpointSlice lists the node-local DNS server of every
 * Ready node, kept by the dns-endpoints controller), reached on the node it is asked from.
 */
export function kubeDnsService(clusterIP: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: DNS_SERVICE, namespace: DNS_NAMESPACE, labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: NODE_DNS_PORT },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: NODE_DNS_PORT },
      ],
      internalTrafficPolicy: 'Local',
      sessionAffinity: 'None',
    },
  };
}

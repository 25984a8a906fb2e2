/**
 * API discovery, legacy (`/api`, `/apis`, `/apis/{group}`, `/apis/{group}/{version}`) and aggregated
 * (apidiscovery.k8s.io v2 and v2beta1, which kubectl 1.26+ asks for first). All documents are built
 * once from the resource catalog.
 */
import { createHash } from 'node:crypto';
import { RESOURCES, servedGroups, type ResourceType } from '../api/resources.js';

interface SubresourceDoc {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: readonly string[];
}

/** upstream's storageVersionHash: the first 8 bytes of sha256("group/version/kind"), base64. */
function storageVersionHash(r: ResourceType): string {
  const s = r.storage ?? { group: r.group, version: r.version };
  const kind = r.storage
    ? (RESOURCES.find(
        (x) => x.group === s.group && x.version === s.version && x.plural === r.storage?.resource,
      )?.kind ?? r.kind)
    : r.kind;
  return createHash('sha256')
    .update(`${s.group}/${s.version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

function subresourcesOf(r: ResourceType): SubresourceDoc[] {
  const subs: SubresourceDoc[] = [];
  if (r.status) subs.push({ name: 'status', kind: r.kind, verbs: ['get', 'patch', 'update'] });
  if (r.scale)
    subs.push({
      name: 'scale',
      kind: 'Scale',
      group: 'autoscaling',
      version: 'v1',
      verbs: ['get', 'patch', 'update'],
    });
  for (const [name, s] of Object.entries(r.subresources ?? {})) {
    subs.push({ name, kind: s.kind, group: s.group, version: s.version, verbs: s.verbs });
  }
  return subs.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The legacy APIResourceList of one group version. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    const entry: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
    };
    if (r.shortNames?.length) entry['shortNames'] = [...r.shortNames];
    if (r.categories?.length) entry['categories'] = [...r.categories];
    if (!r.virtual) entry['storageVersionHash'] = storageVersionHash(r);
    resources.push(entry);
    for (const s of subresourcesOf(r)) {
      const sub: Record<string, unknown> = {
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: s.kind,
        verbs: [...s.verbs],
      };
      if (s.group !== undefined) sub['group'] = s.group;
      if (s.version !== undefined) sub['version'] = s.version;
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: groupVersion(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupDoc(group: string): Record<string, unknown> | undefined {
  const g = servedGroups().find((x) => x.group === group && group !== '');
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) };
}

export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: servedGroups()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function gvk(group = '', version = '', kind: string): Record<string, string> {
  return { group, version, kind };
}

/** The aggregated discovery document of `/api` (core) or `/apis` (every other group). */
export function aggregatedDiscovery(core: boolean, apiVersion: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = servedGroups().filter((g) => (core ? g.group === '' : g.group !== ''));
  const items = groups.map((g) => {
    const metadata: Record<string, unknown> = { creationTimestamp: null };
    if (g.group) metadata['name'] = g.group;
    return {
      metadata,
      versions: g.versions.map((v) => ({
        version: v,
        resources: RESOURCES.filter((r) => r.group === g.group && r.version === v).map((r) => {
          const res: Record<string, unknown> = {
            resource: r.plural,
            responseKind: gvk('', '', r.kind),
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: [...r.verbs],
          };
          if (r.shortNames?.length) res['shortNames'] = [...r.shortNames];
          if (r.categories?.length) res['categories'] = [...r.categories];
          const subs = subresourcesOf(r);
          if (subs.length) {
            res['subresources'] = subs.map((s) => ({
              subresource: s.name,
              responseKind: gvk(s.group ?? '', s.version ?? '', s.kind),
              verbs: [...s.verbs],
            }));
          }
          return res;
        }),
        freshness: 'Current',
      })),
    };
  });
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items,
  };
}

/** Whether the Accept header asks for aggregated discovery, and which version. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.startsWith('application/json')) continue;
    if (!p.includes('g=apidiscovery.k8s.io') || !p.includes('as=APIGroupDiscoveryList')) {
      if (p === 'application/json' || p.startsWith('application/json;q=')) return undefined;
      continue;
    }
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

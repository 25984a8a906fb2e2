/**
 * How ResourceQuota sees a pod: what it consumes (`pods`, `requests.cpu`, `limits.memory`,
 * `count/pods`, hugepages and extended resources), which quota scopes it falls under (Terminating,
 * BestEffort, PriorityClass, CrossNamespacePodAffinity), and the per-container constraint that a
 * quota on cpu or memory imposes ("must specify limits.cpu for: c").
 */
import { Quantity } from '../quantity.js';
import { computePodQOS } from '../core/qos.js';
import { num, rec, records, str, type JsonObject } from '../core/util.js';
import { containerResources, podLimits, podRequests } from './podresources.js';
import { addLists, type ResourceList } from './resourcelist.js';
import type { ScopeRequirement } from './scopes.js';

const REQUESTS_PREFIX = 'requests.';
const HUGEPAGES_PREFIX = 'hugepages-';
const REQUESTS_HUGEPAGES_PREFIX = 'requests.hugepages-';

/** What a pod quota can track by exact name. */
export const POD_RESOURCES: readonly string[] = [
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
];

/** Names whose presence in a quota obliges every container to state them. */
const CONSTRAINED = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** A resource outside kubernetes.io's namespace, such as `example.com/gpu` (upstream's IsExtendedResourceName). */
export function isExtendedResourceName(name: string): boolean {
  if (name.startsWith(REQUESTS_PREFIX)) return false;
  const slash = name.indexOf('/');
  if (slash <= 0) return false;
  const domain = name.slice(0, slash);
  if (domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) return false;
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

/** `requests.example.com/gpu`: the only quota form of an extended resource. */
function isExtendedQuotaName(name: string): boolean {
  return name.startsWith(REQUESTS_PREFIX) && isExtendedResourceName(name.slice(REQUESTS_PREFIX.length));
}

/** The names of `input` a pod quota tracks. */
export function podMatchingResources(input: readonly string[]): string[] {
  return input.filter(
    (n) =>
      POD_RESOURCES.includes(n) ||
      n.startsWith(HUGEPAGES_PREFIX) ||
      n.startsWith(REQUESTS_HUGEPAGES_PREFIX) ||
      isExtendedQuotaName(n),
  );
}

/** Usage from requests and limits (of one container or a whole pod), with `pods: 1`. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', Quantity.fromInt(1)]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [name, q] of requests) {
    if (name.startsWith(HUGEPAGES_PREFIX)) {
      out.set(name, q);
      out.set(`${REQUESTS_PREFIX}${name}`, q);
    } else if (isExtendedResourceName(name)) {
      out.set(`${REQUESTS_PREFIX}${name}`, q);
    }
  }
  return out;
}

/**
 * Whether a pod still counts against compute quota at `now`: not Succeeded or Failed, and not past
 * the end of its deletion grace period (a pod stuck terminating on a lost node stops counting).
 */
export function podCountsForQuota(pod: JsonObject, now: Date): boolean {
  const phase = str(rec(pod['status'])?.['phase']);
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const meta = rec(pod['metadata']) ?? {};
  const ts = str(meta['deletionTimestamp']);
  const grace = num(meta['deletionGracePeriodSeconds']);
  if (ts !== '' && grace !== undefined) {
    const end = Date.parse(ts) + grace * 1000;
    if (Number.isFinite(end) && now.getTime() > end) return false;
  }
  return true;
}

/** What one pod consumes: always `count/pods`, the rest only while it {@link podCountsForQuota}. */
export function podUsage(pod: JsonObject, now: Date): ResourceList {
  const base: ResourceList = new Map([['count/pods', Quantity.fromInt(1)]]);
  if (!podCountsForQuota(pod, now)) return base;
  const spec = rec(pod['spec']);
  return addLists(base, computeUsage(podRequests(spec), podLimits(spec)));
}

function usesCrossNamespaceAffinity(spec: JsonObject): boolean {
  const affinity = rec(spec['affinity']) ?? {};
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = rec(affinity[kind]) ?? {};
    const terms = [
      ...records(a['requiredDuringSchedulingIgnoredDuringExecution']).map(([t]) => t),
      ...records(a['preferredDuringSchedulingIgnoredDuringExecution']).map(
        ([w]) => rec(w['podAffinityTerm']) ?? {},
      ),
    ];
    for (const t of terms) {
      const namespaces = Array.isArray(t['namespaces']) ? t['namespaces'] : [];
      if (namespaces.length > 0 || rec(t['namespaceSelector']) !== undefined) return true;
    }
  }
  return false;
}

/** Whether a pod falls under one scope requirement of a quota. */
export function podMatchesScope(req: ScopeRequirement, pod: JsonObject): boolean {
  const spec = rec(pod['spec']) ?? {};
  switch (req.scopeName) {
    case 'Terminating':
    case 'NotTerminating': {
      const deadline = num(spec['activeDeadlineSeconds']);
      const terminating = deadline !== undefined && deadline >= 0;
      return req.scopeName === 'Terminating' ? terminating : !terminating;
    }
    case 'BestEffort':
    case 'NotBestEffort': {
      const bestEffort = computePodQOS(spec) === 'BestEffort';
      return req.scopeName === 'BestEffort' ? bestEffort : !bestEffort;
    }
    case 'PriorityClass': {
      const pcn = str(spec['priorityClassName']);
      const values = req.values ?? [];
      switch (req.operator) {
        case 'Exists':
          return pcn !== '';
        case 'DoesNotExist':
          return pcn === '';
        case 'In':
          return pcn !== '' && values.includes(pcn);
        case 'NotIn':
          return pcn === '' || !values.includes(pcn);
        default:
          return false;
      }
    }
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespaceAffinity(spec);
    default:
      return false;
  }
}

/**
 * With a quota tracking cpu or memory, every container (and init container) must state a request
 * or limit for it. Returns upstream's "must specify limits.cpu for: a,b; requests.memory for: a",
 * or undefined when the pod complies.
 */
export function podConstraints(required: readonly string[], pod: JsonObject): string | undefined {
  const needed = required.filter((r) => CONSTRAINED.has(r));
  if (needed.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  const spec = rec(pod['spec']) ?? {};
  for (const [c] of [...records(spec['containers']), ...records(spec['initContainers'])]) {
    const usage = computeUsage(containerResources(c, 'requests'), containerResources(c, 'limits'));
    for (const r of needed) {
      if (usage.has(r)) continue;
      let names = missing.get(r);
      if (!names) missing.set(r, (names = new Set()));
      names.add(str(c['name']));
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()]
    .sort()
    .map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

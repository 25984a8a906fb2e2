/**
 * Quota evaluators, one per kind, as upstream's: what an object of the kind consumes, which quota
 * resource names the kind can be charged for, which writes charge it, and how scopes apply. Kinds
 * without an evaluator of their own are counted by name (`count/deployments.apps`).
 */
import { Quantity } from '../quantity.js';
import { rec, str, type JsonObject } from '../core/util.js';
import { podConstraints, podMatchesScope, podMatchingResources, podUsage } from './pods.js';
import { parseResourceList, type ResourceList } from './resourcelist.js';
import { quotaScopes, type ScopeRequirement } from './scopes.js';

/** What quota needs to know about one kind. */
export interface QuotaEvaluator {
  group: string;
  /** Plural resource name. */
  resource: string;
  /** Whether a write of this operation (on the resource itself, no subresource) is charged. */
  handles(operation: string): boolean;
  /** The names of `names` this kind can consume. */
  matchingResources(names: readonly string[]): string[];
  /** What one object consumes. */
  usage(obj: JsonObject, now: Date): ResourceList;
  /** Whether the object falls under one scope requirement (only pods have scopes). */
  matchesScope(req: ScopeRequirement, obj: JsonObject): boolean;
  /** Why the object may not be admitted under a quota on `required` (upstream's Constraints). */
  constraints(required: readonly string[], obj: JsonObject): string | undefined;
}

const ONE = Quantity.fromInt(1);
const ZERO = Quantity.fromInt(0);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** `count/pods` for the core group, `count/deployments.apps` for others. */
export function countResourceName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The kind a `count/<resource>[.<group>]` name counts, or undefined for other names. */
export function parseCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  if (rest === '') return undefined;
  const dot = rest.indexOf('.');
  return dot < 0
    ? { group: '', resource: rest }
    : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

const noScope = (): boolean => false;
const noConstraints = (): undefined => undefined;

function objectCounter(group: string, resource: string, alias?: string): QuotaEvaluator {
  const names = [countResourceName(group, resource), ...(alias ? [alias] : [])];
  return {
    group,
    resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    usage: () => new Map(names.map((n) => [n, ONE])),
    matchesScope: noScope,
    constraints: noConstraints,
  };
}

const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  handles: (op) => op === 'CREATE',
  matchingResources: podMatchingResources,
  usage: podUsage,
  matchesScope: podMatchesScope,
  constraints: podConstraints,
};

const SERVICE_RESOURCES = ['services', 'count/services', 'services.nodeports', 'services.loadbalancers'];

function serviceUsage(svc: JsonObject): ResourceList {
  const spec = rec(svc['spec']) ?? {};
  const ports = Array.isArray(spec['ports']) ? spec['ports'].length : 0;
  const type = str(spec['type']);
  let nodePorts = 0;
  let balancers = 0;
  if (type === 'NodePort') nodePorts = ports;
  else if (type === 'LoadBalancer') {
    balancers = 1;
    if (spec['allocateLoadBalancerNodePorts'] !== false) nodePorts = ports;
  }
  return new Map([
    ['count/services', ONE],
    ['services', ONE],
    ['services.loadbalancers', Quantity.fromInt(balancers)],
    ['services.nodeports', Quantity.fromInt(nodePorts)],
  ]);
}

const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) => input.filter((n) => SERVICE_RESOURCES.includes(n)),
  usage: serviceUsage,
  matchesScope: noScope,
  constraints: noConstraints,
};

const PVC_RESOURCES = ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'];

function pvcUsage(pvc: JsonObject): ResourceList {
  const out: ResourceList = new Map([
    ['persistentvolumeclaims', ONE],
    ['count/persistentvolumeclaims', ONE],
  ]);
  const spec = rec(pvc['spec']) ?? {};
  const annotations = rec(rec(pvc['metadata'])?.['annotations']) ?? {};
  const cls = str(annotations[STORAGE_CLASS_ANNOTATION]) || str(spec['storageClassName']);
  if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, ONE);
  let storage = parseResourceList(rec(spec['resources'])?.['requests']).get('storage');
  const allocated = parseResourceList(rec(pvc['status'])?.['allocatedResources']).get('storage');
  if (storage && allocated && allocated.cmp(storage) > 0) storage = allocated;
  if (storage) {
    const rounded = storage.roundUp(0);
    out.set('requests.storage', rounded);
    if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, rounded);
  }
  return out;
}

const pvcEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) =>
    input.filter(
      (n) =>
        PVC_RESOURCES.includes(n) || PVC_RESOURCES.some((r) => n.endsWith(`${STORAGE_CLASS_SUFFIX}${r}`)),
    ),
  usage: pvcUsage,
  matchesScope: noScope,
  constraints: noConstraints,
};

/** The evaluators with more than an object count (and core kinds with a legacy quota name). */
const CORE_EVALUATORS: readonly QuotaEvaluator[] = [
  podEvaluator,
  serviceEvaluator,
  pvcEvaluator,
  objectCounter('', 'configmaps', 'configmaps'),
  objectCounter('', 'secrets', 'secrets'),
  objectCounter('', 'replicationcontrollers', 'replicationcontrollers'),
  objectCounter('', 'resourcequotas', 'resourcequotas'),
];

/** The evaluator of a kind: its own, or an object counter for `count/<resource>.<group>`. */
export function evaluatorFor(group: string, resource: string): QuotaEvaluator {
  return (
    CORE_EVALUATORS.find((e) => e.group === group && e.resource === resource) ??
    objectCounter(group, resource)
  );
}

/** Every evaluator that may consume one of `hardNames` (core kinds plus each `count/…` kind named). */
export function evaluatorsForNames(hardNames: readonly string[]): QuotaEvaluator[] {
  const out = CORE_EVALUATORS.filter((e) => e.matchingResources(hardNames).length > 0);
  for (const n of hardNames) {
    const gr = parseCountName(n);
    if (!gr || out.some((e) => e.group === gr.group && e.resource === gr.resource)) continue;
    out.push(objectCounter(gr.group, gr.resource));
  }
  return out;
}

/** Whether every scope requirement of the quota holds for the object. */
export function matchesScopes(evaluator: QuotaEvaluator, quota: JsonObject, obj: JsonObject): boolean {
  return quotaScopes(quota).every((req) => evaluator.matchesScope(req, obj));
}

/**
 * Whether a quota covers an object (upstream's Matches): the quota limits something the kind
 * consumes (by `status.hard`, what the controller last published) and the object is in its scopes.
 */
export function quotaCovers(evaluator: QuotaEvaluator, quota: JsonObject, obj: JsonObject): boolean {
  const hard = Object.keys(rec(rec(quota['status'])?.['hard']) ?? {});
  return evaluator.matchingResources(hard).length > 0 && matchesScopes(evaluator, quota, obj);
}

/** Zero of each name: the usage of a tracked resource nothing consumes. */
export function zeros(names: Iterable<string>): ResourceList {
  return new Map([...names].map((n) => [n, ZERO]));
}

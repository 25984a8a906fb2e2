/**
 * The catalog of served resources: names, scope, verbs, subresources and the schema definition of
 * each. Discovery, routing, RBAC and OpenAPI all read this one table.
 */
import type { GroupResource, GroupVersion, GroupVersionKind } from './meta.js';

export type Verb = 'create' | 'get' | 'list' | 'watch' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: readonly Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
/** Review kinds (SelfSubjectAccessReview …) only accept create. */
export const CREATE_ONLY: readonly Verb[] = ['create'];

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceType extends GroupVersionKind {
  /** Plural, lower case: the URL segment. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs: readonly Verb[];
  /** Subresources served under `/{name}/{sub}`. */
  status?: boolean;
  scale?: ScaleSubresource;
  /** Other subresources by name (binding, eviction, log, exec …), with the kind each accepts. */
  subresources?: Readonly<
    Record<string, { kind: string; group?: string; version?: string; verbs: readonly string[] }>
  >;
  /** OpenAPI definition name of the kind, e.g. `io.k8s.api.core.v1.Pod`. */
  definition: string;
  /**
   * Where objects are stored, when several API versions (or groups) share one store: the storage
   * group/resource and the version stored. Defaults to this resource's own group, plural and version.
   */
  storage?: { group: string; resource: string; version: string };
  /** True when the kind is never stored (reviews): create returns the computed answer. */
  virtual?: boolean;
}

const defs = (group: string, version: string, kind: string): string => {
  const prefix: Record<string, string> = {
    '': 'io.k8s.api.core.',
    apps: 'io.k8s.api.apps.',
    batch: 'io.k8s.api.batch.',
    autoscaling: 'io.k8s.api.autoscaling.',
    'networking.k8s.io': 'io.k8s.api.networking.',
    'discovery.k8s.io': 'io.k8s.api.discovery.',
    'coordination.k8s.io': 'io.k8s.api.coordination.',
    'events.k8s.io': 'io.k8s.api.events.',
    'rbac.authorization.k8s.io': 'io.k8s.api.rbac.',
    'storage.k8s.io': 'io.k8s.api.storage.',
    policy: 'io.k8s.api.policy.',
    'scheduling.k8s.io': 'io.k8s.api.scheduling.',
    'authentication.k8s.io': 'io.k8s.api.authentication.',
    'authorization.k8s.io': 'io.k8s.api.authorization.',
  };
  const p = prefix[group];
  if (p === undefined) throw new Error(`no definition prefix for group ${group}`);
  return `${p}${version}.${kind}`;
};

type Spec = Omit<ResourceType, 'group' | 'version' | 'definition' | 'verbs' | 'singular'> & {
  verbs?: readonly Verb[];
  singular?: string;
};

function r(group: string, version: string, spec: Spec): ResourceType {
  return {
    group,
    version,
    singular: spec.singular ?? spec.kind.toLowerCase(),
    verbs: spec.verbs ?? ALL_VERBS,
    definition: defs(group, version, spec.kind),
    ...spec,
  } as ResourceType;
}

const ALL = ['all'] as const;
const replicasScale: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

/** Every resource k8ts serves, in discovery order. */
export const RESOURCES: readonly ResourceType[] = [
  // core/v1
  r('', 'v1', {
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: { finalize: { kind: 'Namespace', verbs: ['update'] } },
  }),
  r('', 'v1', {
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ALL,
    status: true,
    subresources: {
      binding: { kind: 'Binding', verbs: ['create'] },
      eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      log: { kind: 'Pod', verbs: ['get'] },
      exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
      attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      proxy: { kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      ephemeralcontainers: { kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      resize: { kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    },
  }),
  r('', 'v1', {
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ALL,
    status: true,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: {
      proxy: { kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    },
  }),
  r('', 'v1', {
    kind: 'Endpoints',
    plural: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
  }),
  r('', 'v1', { kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  r('', 'v1', { kind: 'Secret', plural: 'secrets', namespaced: true }),
  r('', 'v1', {
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    shortNames: ['sa'],
    subresources: {
      token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
    },
  }),
  r('', 'v1', {
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    status: true,
    subresources: {
      proxy: { kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    },
  }),
  r('', 'v1', {
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    storage: { group: '', resource: 'events', version: 'v1' },
  }),
  r('', 'v1', {
    kind: 'PersistentVolume',
    plural: 'persistentvolumes',
    namespaced: false,
    shortNames: ['pv'],
    status: true,
  }),
  r('', 'v1', {
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    status: true,
  }),
  r('', 'v1', { kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] }),
  r('', 'v1', {
    kind: 'ResourceQuota',
    plural: 'resourcequotas',
    namespaced: true,
    shortNames: ['quota'],
    status: true,
  }),
  // apps/v1
  r('apps', 'v1', {
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ALL,
    status: true,
    scale: replicasScale,
  }),
  r('apps', 'v1', {
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ALL,
    status: true,
    scale: replicasScale,
  }),
  r('apps', 'v1', {
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ALL,
    status: true,
    scale: replicasScale,
  }),
  r('apps', 'v1', {
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ALL,
    status: true,
  }),
  r('apps', 'v1', { kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true }),
  // batch/v1
  r('batch', 'v1', { kind: 'Job', plural: 'jobs', namespaced: true, categories: ALL, status: true }),
  r('batch', 'v1', {
    kind: 'CronJob',
    plural: 'cronjobs',
    namespaced: true,
    shortNames: ['cj'],
    categories: ALL,
    status: true,
  }),
  // autoscaling: v2 is stored; v1 converts.
  r('autoscaling', 'v2', {
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ALL,
    status: true,
  }),
  r('autoscaling', 'v1', {
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ALL,
    status: true,
    storage: { group: 'autoscaling', resource: 'horizontalpodautoscalers', version: 'v2' },
  }),
  // networking.k8s.io/v1
  r('networking.k8s.io', 'v1', {
    kind: 'Ingress',
    plural: 'ingresses',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
  }),
  r('networking.k8s.io', 'v1', { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false }),
  r('networking.k8s.io', 'v1', {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
    shortNames: ['netpol'],
  }),
  // discovery.k8s.io/v1
  r('discovery.k8s.io', 'v1', { kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true }),
  // coordination.k8s.io/v1
  r('coordination.k8s.io', 'v1', { kind: 'Lease', plural: 'leases', namespaced: true }),
  // events.k8s.io/v1 shares storage with core/v1 events.
  r('events.k8s.io', 'v1', {
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    storage: { group: '', resource: 'events', version: 'v1' },
  }),
  // rbac.authorization.k8s.io/v1
  r('rbac.authorization.k8s.io', 'v1', {
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    namespaced: false,
  }),
  r('rbac.authorization.k8s.io', 'v1', { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false }),
  r('rbac.authorization.k8s.io', 'v1', { kind: 'RoleBinding', plural: 'rolebindings', namespaced: true }),
  r('rbac.authorization.k8s.io', 'v1', { kind: 'Role', plural: 'roles', namespaced: true }),
  // storage.k8s.io/v1
  r('storage.k8s.io', 'v1', {
    kind: 'StorageClass',
    plural: 'storageclasses',
    namespaced: false,
    shortNames: ['sc'],
  }),
  // policy/v1
  r('policy', 'v1', {
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
    shortNames: ['pdb'],
    status: true,
  }),
  // scheduling.k8s.io/v1
  r('scheduling.k8s.io', 'v1', {
    kind: 'PriorityClass',
    plural: 'priorityclasses',
    namespaced: false,
    shortNames: ['pc'],
  }),
  // authentication.k8s.io/v1: reviews are computed, never stored.
  r('authentication.k8s.io', 'v1', {
    kind: 'SelfSubjectReview',
    plural: 'selfsubjectreviews',
    namespaced: false,
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authentication.k8s.io', 'v1', {
    kind: 'TokenReview',
    plural: 'tokenreviews',
    namespaced: false,
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  // authorization.k8s.io/v1
  r('authorization.k8s.io', 'v1', {
    kind: 'LocalSubjectAccessReview',
    plural: 'localsubjectaccessreviews',
    namespaced: true,
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', {
    kind: 'SelfSubjectAccessReview',
    plural: 'selfsubjectaccessreviews',
    namespaced: false,
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', {
    kind: 'SelfSubjectRulesReview',
    plural: 'selfsubjectrulesreviews',
    namespaced: false,
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', {
    kind: 'SubjectAccessReview',
    plural: 'subjectaccessreviews',
    namespaced: false,
    verbs: CREATE_ONLY,
    virtual: true,
  }),
];

/** Groups in discovery order, each with its versions, preferred first. */
export function servedGroups(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const res of RESOURCES) {
    let g = out.find((x) => x.group === res.group);
    if (!g) out.push((g = { group: res.group, versions: [] }));
    if (!g.versions.includes(res.version)) g.versions.push(res.version);
  }
  return out;
}

/** Looks a resource up by group, version and plural name. */
export function findResource(gv: GroupVersion, plural: string): ResourceType | undefined {
  return RESOURCES.find((x) => x.group === gv.group && x.version === gv.version && x.plural === plural);
}

/** Looks a resource up by group, version and kind. */
export function findResourceByKind(gvk: GroupVersionKind): ResourceType | undefined {
  return RESOURCES.find((x) => x.group === gvk.group && x.version === gvk.version && x.kind === gvk.kind);
}

/** Where a resource's objects are stored (shared between versions and groups that convert). */
export function storageOf(res: ResourceType): { group: string; resource: string; version: string } {
  return res.storage ?? { group: res.group, resource: res.plural, version: res.version };
}

export function groupResourceOf(res: ResourceType): GroupResource {
  return { group: res.group, resource: res.plural };
}

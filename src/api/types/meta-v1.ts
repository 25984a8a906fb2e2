/**
 * Schema definitions of the apimachinery types every group shares: the wire scalars (Quantity,
 * IntOrString, Time), object and list metadata, selectors, Status and DeleteOptions, watch events,
 * discovery documents and the server version.
 */
import type { GroupVersionKind } from '../meta.js';
import {
  INT_OR_STRING,
  META,
  MICRO_TIME,
  QUANTITY,
  RAW_EXTENSION,
  TIME,
  obj,
  p,
  scalar,
  t,
} from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

/** `io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1`. */
export const FIELDS_V1 = META + 'FieldsV1';
/** `io.k8s.apimachinery.pkg.version.Info`. */
export const VERSION_INFO = 'io.k8s.apimachinery.pkg.version.Info';

/**
 * The group/versions whose requests may carry DeleteOptions or produce WatchEvents: upstream tags
 * these two types with one GVK per served group version.
 */
const SHARED_KIND_GROUP_VERSIONS: readonly [string, string][] = [
  ['', 'v1'],
  ['apps', 'v1'],
  ['authentication.k8s.io', 'v1'],
  ['authorization.k8s.io', 'v1'],
  ['autoscaling', 'v1'],
  ['autoscaling', 'v2'],
  ['batch', 'v1'],
  ['coordination.k8s.io', 'v1'],
  ['discovery.k8s.io', 'v1'],
  ['events.k8s.io', 'v1'],
  ['networking.k8s.io', 'v1'],
  ['policy', 'v1'],
  ['rbac.authorization.k8s.io', 'v1'],
  ['scheduling.k8s.io', 'v1'],
  ['storage.k8s.io', 'v1'],
];

function everyGroup(kind: string): GroupVersionKind[] {
  return SHARED_KIND_GROUP_VERSIONS.map(([group, version]) => ({ group, version, kind }));
}

const coreKind = (kind: string): GroupVersionKind[] => [{ group: '', version: 'v1', kind }];
const m = (name: string) => t.ref(META + name);

const scalars: Definition[] = [
  scalar(
    QUANTITY,
    'A fixed-point amount such as "100m", "2", "512Mi" or "1.5Gi": CPU, memory, storage and other resources.',
    'quantity',
  ),
  scalar(
    INT_OR_STRING,
    'A value that may be an integer or a string, such as a port number (8080) or a port name ("http").',
    'int-or-string',
  ),
  scalar(TIME, 'A point in time, serialized as an RFC 3339 string with second precision.', 'date-time'),
  scalar(MICRO_TIME, 'A point in time with microsecond precision, serialized as RFC 3339.', 'micro-time'),
  scalar(
    RAW_EXTENSION,
    'An embedded object of any kind, carried as JSON and interpreted by whoever reads it.',
    'any-object',
  ),
  scalar(
    META + 'Patch',
    'The body of a PATCH request: a JSON patch, merge patch, strategic merge patch or apply configuration.',
    'any-object',
  ),
  scalar(
    FIELDS_V1,
    'The set of field paths a manager owns, in the server-side apply "FieldsV1" trie format.',
    'any-object',
  ),
];

const objectMeta: Definition[] = [
  obj(
    META + 'ObjectMeta',
    'Metadata that every persisted object carries: identity, labels, ownership and lifecycle.',
    {
      name: p.string(
        'Name of the object, unique within its namespace (or cluster, for cluster-scoped kinds).',
      ),
      generateName: p.string(
        'Prefix from which the server builds a unique name when name is empty on create.',
      ),
      namespace: p.string('Namespace the object lives in; empty for cluster-scoped kinds.'),
      selfLink: p.string('Deprecated and no longer set: the URL of this object.'),
      uid: p.string('Unique identifier assigned by the server at creation; never reused.'),
      resourceVersion: p.string(
        'Opaque version of the object, changed on every write; used for optimistic concurrency and watches.',
      ),
      generation: p.int64(
        'Sequence number of the desired state, incremented by the server when the spec changes.',
      ),
      creationTimestamp: p.time('When the server created the object.'),
      deletionTimestamp: p.time(
        'When the object will be (or started being) deleted; set by the server when deletion is requested.',
      ),
      deletionGracePeriodSeconds: p.int64(
        'Seconds the object is allowed to terminate gracefully before it is removed; set with deletionTimestamp.',
      ),
      labels: p.map(t.string, 'Key/value pairs used to organize and select objects.'),
      annotations: p.map(
        t.string,
        'Arbitrary non-identifying key/value data stored with the object for tools.',
      ),
      ownerReferences: p.array(
        m('OwnerReference'),
        'Objects this one depends on; when all owners are gone the object is garbage collected.',
        { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
      ),
      finalizers: p.array(
        t.string,
        'Names of pending cleanup steps that must finish (and be removed) before the object is deleted.',
        { patchStrategy: 'merge', listType: 'set' },
      ),
      managedFields: p.array(
        m('ManagedFieldsEntry'),
        'Which field managers own which fields, as tracked by server-side apply.',
        { listType: 'atomic' },
      ),
    },
  ),
  obj(META + 'ListMeta', 'Metadata of a list response: its version and how to fetch more.', {
    selfLink: p.string('Deprecated and no longer set: the URL of this list.'),
    resourceVersion: p.string('Version of the collection at the time it was read; start a watch from here.'),
    continue: p.string('Token to pass back to get the next page; empty when there are no more items.'),
    remainingItemCount: p.int64('Estimated number of items left after this page, when the server knows it.'),
  }),
  obj(
    META + 'OwnerReference',
    'Points at an object that owns this one, in the same namespace.',
    {
      apiVersion: p.string('API version of the owner.'),
      kind: p.string('Kind of the owner.'),
      name: p.string('Name of the owner.'),
      uid: p.string('UID of the owner.'),
      controller: p.bool('True when the owner is the managing controller; at most one owner may say so.'),
      blockOwnerDeletion: p.bool(
        'If true, foreground deletion of the owner waits until this object is removed.',
      ),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], mapType: 'atomic' },
  ),
  obj(META + 'ManagedFieldsEntry', 'One field manager’s claim on a set of fields of an object.', {
    manager: p.string('Name of the workflow (field manager) that owns these fields.'),
    operation: p.string('The operation that produced the entry: "Apply" or "Update".'),
    apiVersion: p.string('API version the field set is expressed in.'),
    time: p.time('When the entry was last changed.'),
    fieldsType: p.string('Format of fieldsV1; currently always "FieldsV1".'),
    fieldsV1: p.ref(FIELDS_V1, 'The owned fields.'),
    subresource: p.string(
      'Subresource the write went through, such as "status"; empty for the main resource.',
    ),
  }),
];

const selectors: Definition[] = [
  obj(
    META + 'LabelSelector',
    'A label query: every matchLabels pair and every expression must match. An empty selector matches everything.',
    {
      matchLabels: p.map(t.string, 'Labels that must be present with exactly these values.'),
      matchExpressions: p.array(
        m('LabelSelectorRequirement'),
        'Set-based requirements, all of which must hold.',
        {
          listType: 'atomic',
        },
      ),
    },
    { mapType: 'atomic' },
  ),
  obj(
    META + 'LabelSelectorRequirement',
    'A requirement on one label key: In, NotIn, Exists or DoesNotExist.',
    {
      key: p.string('The label key the requirement applies to.'),
      operator: p.string('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: p.array(t.string, 'Values for In and NotIn; must be empty for Exists and DoesNotExist.', {
        listType: 'atomic',
      }),
    },
    { required: ['key', 'operator'] },
  ),
  obj(
    META + 'FieldSelectorRequirement',
    'A requirement on one field: In, NotIn, Exists or DoesNotExist.',
    {
      key: p.string('The field path the requirement applies to.'),
      operator: p.string('How the field relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: p.array(t.string, 'Values for In and NotIn; must be empty for Exists and DoesNotExist.', {
        listType: 'atomic',
      }),
    },
    { required: ['key', 'operator'] },
  ),
  obj(
    META + 'Condition',
    'One aspect of an object’s current state, in the standard condition shape.',
    {
      type: p.string('Type of the condition in CamelCase, such as "Available".'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      observedGeneration: p.int64('The metadata.generation the condition was computed from.'),
      lastTransitionTime: p.time('When status last changed.'),
      reason: p.string('Machine-readable CamelCase reason for the last transition.'),
      message: p.string('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
];

const status: Definition[] = [
  obj(
    META + 'Status',
    'The result of an API call that does not return an object, most often an error.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.listMetadata(),
      status: p.string('"Success" or "Failure".'),
      message: p.string('Human-readable description of the result.'),
      reason: p.string('Machine-readable reason, such as "NotFound" or "AlreadyExists".'),
      details: p.ref(META + 'StatusDetails', 'Extra data about the object the result concerns.'),
      code: p.int32('HTTP status code of the result.'),
    },
    { gvk: coreKind('Status') },
  ),
  obj(META + 'StatusDetails', 'Details of a Status: the object involved and the individual causes.', {
    name: p.string('Name of the object the result concerns.'),
    group: p.string('API group of the object.'),
    kind: p.string('Kind of the object.'),
    uid: p.string('UID of the object, when known.'),
    causes: p.array(m('StatusCause'), 'The individual problems, such as each invalid field.', {
      listType: 'atomic',
    }),
    retryAfterSeconds: p.int32('Seconds a client should wait before retrying, when the server suggests it.'),
  }),
  obj(META + 'StatusCause', 'One cause of a failed request, often one invalid field.', {
    reason: p.string('Machine-readable cause, such as "FieldValueRequired".'),
    message: p.string('Human-readable description of the cause.'),
    field: p.string('Path of the field at fault, such as "spec.containers[0].name".'),
  }),
  obj(
    META + 'DeleteOptions',
    'Options for a delete request: grace period, preconditions and how dependents are handled.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      gracePeriodSeconds: p.int64('Seconds before the object is removed; 0 means immediately.'),
      preconditions: p.ref(
        META + 'Preconditions',
        'Conditions the object must meet for the delete to go ahead.',
      ),
      orphanDependents: p.bool('Deprecated: use propagationPolicy. If true, dependents are orphaned.'),
      propagationPolicy: p.string('How dependents are garbage collected: Orphan, Background or Foreground.'),
      dryRun: p.array(t.string, 'If set to ["All"], the request is validated but nothing is persisted.', {
        listType: 'atomic',
      }),
      ignoreStoreReadErrorWithClusterBreakingPotential: p.bool(
        'If true, deletes an object that cannot be read from storage, bypassing finalizers and admission.',
      ),
    },
    { gvk: everyGroup('DeleteOptions') },
  ),
  obj(META + 'Preconditions', 'Values the stored object must have for an operation to proceed.', {
    uid: p.string('The UID the object must have.'),
    resourceVersion: p.string('The resourceVersion the object must have.'),
  }),
  obj(
    META + 'WatchEvent',
    'One event of a watch stream: what happened and the object it happened to.',
    {
      type: p.string('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
      object: p.ref(
        RAW_EXTENSION,
        'The object after the change; for ERROR a Status; for BOOKMARK only its resourceVersion.',
      ),
    },
    { required: ['type', 'object'], gvk: everyGroup('WatchEvent') },
  ),
];

const discovery: Definition[] = [
  obj(
    META + 'APIResource',
    'A resource served by a group version, as listed by discovery.',
    {
      name: p.string('Plural resource name, possibly with a subresource such as "pods/status".'),
      singularName: p.string('Singular resource name, used by kubectl.'),
      namespaced: p.bool('Whether objects of this resource live in namespaces.'),
      group: p.string('Group of the resource, when it differs from the enclosing list.'),
      version: p.string('Version of the resource, when it differs from the enclosing list.'),
      kind: p.string('Kind of the objects this resource serves.'),
      verbs: p.array(t.string, 'Verbs the resource supports: get, list, watch, create and so on.', {
        listType: 'atomic',
      }),
      shortNames: p.array(t.string, 'Short aliases, such as "po" for pods.', { listType: 'atomic' }),
      categories: p.array(t.string, 'Groupings the resource belongs to, such as "all".', {
        listType: 'atomic',
      }),
      storageVersionHash: p.string('Hash of the version objects are stored in; changes when it changes.'),
    },
    { required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'] },
  ),
  obj(
    META + 'APIResourceList',
    'The resources served by one group version.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      groupVersion: p.string('The group version described, such as "apps/v1".'),
      resources: p.array(m('APIResource'), 'The resources of the group version.', { listType: 'atomic' }),
    },
    { required: ['groupVersion', 'resources'], gvk: coreKind('APIResourceList') },
  ),
  obj(
    META + 'APIGroup',
    'An API group with the versions it serves.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      name: p.string('Name of the group, such as "apps".'),
      versions: p.array(m('GroupVersionForDiscovery'), 'Versions served by the group.', {
        listType: 'atomic',
      }),
      preferredVersion: p.ref(META + 'GroupVersionForDiscovery', 'The version clients should prefer.'),
      serverAddressByClientCIDRs: p.array(
        m('ServerAddressByClientCIDR'),
        'Which server address clients should use, by their network.',
        { listType: 'atomic' },
      ),
    },
    { required: ['name', 'versions'], gvk: coreKind('APIGroup') },
  ),
  obj(
    META + 'APIGroupList',
    'The API groups the server serves, answered at /apis.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      groups: p.array(m('APIGroup'), 'The groups.', { listType: 'atomic' }),
    },
    { required: ['groups'], gvk: coreKind('APIGroupList') },
  ),
  obj(
    META + 'APIVersions',
    'The versions of the legacy core API, answered at /api.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      versions: p.array(t.string, 'The versions served, such as "v1".', { listType: 'atomic' }),
      serverAddressByClientCIDRs: p.array(
        m('ServerAddressByClientCIDR'),
        'Which server address clients should use, by their network.',
        { listType: 'atomic' },
      ),
    },
    { required: ['versions', 'serverAddressByClientCIDRs'], gvk: coreKind('APIVersions') },
  ),
  obj(
    META + 'GroupVersionForDiscovery',
    'One version of a group, as discovery lists it.',
    {
      groupVersion: p.string('The group and version, such as "apps/v1".'),
      version: p.string('The version alone, such as "v1".'),
    },
    { required: ['groupVersion', 'version'] },
  ),
  obj(
    META + 'ServerAddressByClientCIDR',
    'The server address that clients from one network should use.',
    {
      clientCIDR: p.string('The client network, in CIDR notation.'),
      serverAddress: p.string('Address (host or host:port) clients in that network should use.'),
    },
    { required: ['clientCIDR', 'serverAddress'] },
  ),
  obj(
    VERSION_INFO,
    'Version and build information of the server, answered at /version.',
    {
      major: p.string('Major version number.'),
      minor: p.string('Minor version number.'),
      emulationMajor: p.string('Major version of the Kubernetes behaviour the server emulates.'),
      emulationMinor: p.string('Minor version of the Kubernetes behaviour the server emulates.'),
      minCompatibilityMajor: p.string('Oldest major version the server stays compatible with.'),
      minCompatibilityMinor: p.string('Oldest minor version the server stays compatible with.'),
      gitVersion: p.string('Full version string, such as "v1.33.0".'),
      gitCommit: p.string('Source commit the server was built from.'),
      gitTreeState: p.string('Whether the source tree was "clean" or "dirty" at build time.'),
      buildDate: p.string('When the server was built, in RFC 3339.'),
      goVersion: p.string('Toolchain version used for the build.'),
      compiler: p.string('Compiler used for the build.'),
      platform: p.string('Operating system and architecture, such as "linux/amd64".'),
    },
    {
      required: [
        'major',
        'minor',
        'gitVersion',
        'gitCommit',
        'gitTreeState',
        'buildDate',
        'goVersion',
        'compiler',
        'platform',
      ],
    },
  ),
];

/** Every meta/v1 (and apimachinery scalar) definition. */
export const metaV1Definitions: Definition[] = [
  ...scalars,
  ...objectMeta,
  ...selectors,
  ...status,
  ...discovery,
];

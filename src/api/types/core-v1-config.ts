/**
 * core/v1 namespace-level kinds and shared references: Namespace, ConfigMap, Secret, Event,
 * LimitRange, ResourceQuota, ComponentStatus, and the object-reference types other groups use.
 */
import { obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';
import { c, coreKind, coreList, cref, resourceList } from './core-v1-util.js';

const QUOTA_SCOPES = [
  'BestEffort',
  'CrossNamespacePodAffinity',
  'NotBestEffort',
  'NotTerminating',
  'PriorityClass',
  'Terminating',
];

const namespace: Definition[] = [
  coreKind('Namespace', 'A scope for names; most objects live in exactly one namespace.', {
    spec: p.ref(c('NamespaceSpec'), 'Desired state of the namespace.'),
    status: p.ref(c('NamespaceStatus'), 'Observed state of the namespace.'),
  }),
  coreList('Namespace'),
  obj(c('NamespaceSpec'), 'Desired state of a namespace.', {
    finalizers: p.array(
      t.string,
      'Steps that must finish before the namespace is removed, such as "kubernetes".',
      {
        listType: 'atomic',
      },
    ),
  }),
  obj(c('NamespaceStatus'), 'Observed state of a namespace.', {
    phase: p.enum(['Active', 'Terminating'], 'Active, or Terminating while its contents are being deleted.'),
    conditions: p.array(cref('NamespaceCondition'), 'Current conditions, mostly about deletion progress.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  obj(
    c('NamespaceCondition'),
    'One condition of a namespace.',
    {
      type: p.string('Type of the condition, such as NamespaceContentRemaining.'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      lastTransitionTime: p.time('When the status last changed.'),
      reason: p.string('Short reason for the last transition.'),
      message: p.string('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
];

const configuration: Definition[] = [
  coreKind('ConfigMap', 'Configuration data for pods to consume.', {
    immutable: p.bool('If true, data and binaryData can no longer be changed.'),
    data: p.map(t.string, 'Configuration data as UTF-8 strings.'),
    binaryData: p.map(
      t.bytes,
      'Configuration data as base64-encoded bytes; keys may not repeat those of data.',
    ),
  }),
  coreList('ConfigMap'),
  coreKind('Secret', 'Sensitive data, such as passwords, tokens or keys, of up to 1 MiB.', {
    immutable: p.bool('If true, data can no longer be changed.'),
    data: p.map(t.bytes, 'The secret data, base64-encoded.'),
    stringData: p.map(t.string, 'Write-only plain-text data, merged into data on write and never returned.'),
    type: p.string('Type of the secret, such as "Opaque" or "kubernetes.io/tls", for programmatic handling.'),
  }),
  coreList('Secret'),
];

const events: Definition[] = [
  coreKind(
    'Event',
    'A report of something that happened to an object; best-effort and kept for a limited time.',
    {
      involvedObject: p.ref(c('ObjectReference'), 'The object the event is about.'),
      reason: p.string('Short machine-readable reason, such as "Scheduled" or "BackOff".'),
      message: p.string('Human-readable description of what happened.'),
      source: p.ref(c('EventSource'), 'Component and host that reported the event.'),
      firstTimestamp: p.time('When the event was first recorded.'),
      lastTimestamp: p.time('When the event was most recently recorded.'),
      count: p.int32('How many times the event has occurred.'),
      type: p.string('Normal or Warning.'),
      eventTime: p.microTime('When the event was first observed.'),
      series: p.ref(c('EventSeries'), 'Data about the series of repeats, if the event repeats.'),
      action: p.string('What action was taken or failed regarding the object.'),
      related: p.ref(c('ObjectReference'), 'A secondary object involved in the event.'),
      reportingComponent: p.string('Name of the controller that emitted the event, such as "kubelet".'),
      reportingInstance: p.string('ID of the controller instance, such as "kubelet-node1".'),
    },
    { required: ['metadata', 'involvedObject'] },
  ),
  coreList('Event'),
  obj(c('EventSource'), 'Where an event came from.', {
    component: p.string('Component that generated the event.'),
    host: p.string('Node on which the event was generated.'),
  }),
  obj(c('EventSeries'), 'A series of repeats of an event.', {
    count: p.int32('Number of occurrences up to the last heartbeat.'),
    lastObservedTime: p.microTime('When the last occurrence was observed.'),
  }),
];

const limits: Definition[] = [
  coreKind('LimitRange', 'Default, minimum and maximum resource amounts for objects in a namespace.', {
    spec: p.ref(c('LimitRangeSpec'), 'The limits enforced.'),
  }),
  coreList('LimitRange'),
  obj(
    c('LimitRangeSpec'),
    'The limits of a LimitRange.',
    {
      limits: p.array(cref('LimitRangeItem'), 'The limits, per kind of object.', { listType: 'atomic' }),
    },
    { required: ['limits'] },
  ),
  obj(
    c('LimitRangeItem'),
    'Resource limits for one kind of object: Pod, Container or PersistentVolumeClaim.',
    {
      type: p.string('Kind of object the limits apply to: Pod, Container or PersistentVolumeClaim.'),
      max: resourceList('Largest allowed amount of each resource.'),
      min: resourceList('Smallest allowed amount of each resource.'),
      default: resourceList('Limit set when a container specifies none.'),
      defaultRequest: resourceList('Request set when a container specifies none.'),
      maxLimitRequestRatio: resourceList('Largest allowed ratio of limit to request, per resource.'),
    },
    { required: ['type'] },
  ),
  coreKind('ResourceQuota', 'Caps on the total resource use and object counts in a namespace.', {
    spec: p.ref(c('ResourceQuotaSpec'), 'The desired quota.'),
    status: p.ref(c('ResourceQuotaStatus'), 'The enforced quota and current use.'),
  }),
  coreList('ResourceQuota'),
  obj(c('ResourceQuotaSpec'), 'The desired quota.', {
    hard: resourceList('Hard limit for each resource or object count, such as "requests.cpu" or "pods".'),
    scopes: p.array(
      t.enum(QUOTA_SCOPES),
      'Filters on the objects the quota counts; all objects when empty.',
      {
        listType: 'atomic',
      },
    ),
    scopeSelector: p.ref(c('ScopeSelector'), 'Scope filters with operators; must match as well as scopes.'),
  }),
  obj(
    c('ScopeSelector'),
    'Scope requirements, all of which must match.',
    {
      matchExpressions: p.array(cref('ScopedResourceSelectorRequirement'), 'The requirements.', {
        listType: 'atomic',
      }),
    },
    { mapType: 'atomic' },
  ),
  obj(
    c('ScopedResourceSelectorRequirement'),
    'A requirement on one quota scope.',
    {
      scopeName: p.enum(QUOTA_SCOPES, 'The scope the requirement applies to.'),
      operator: p.enum(['DoesNotExist', 'Exists', 'In', 'NotIn'], 'How the scope relates to the values.'),
      values: p.array(t.string, 'Values for In and NotIn; empty for Exists and DoesNotExist.', {
        listType: 'atomic',
      }),
    },
    { required: ['scopeName', 'operator'] },
  ),
  obj(c('ResourceQuotaStatus'), 'The enforced quota and current use.', {
    hard: resourceList('Enforced hard limit for each resource.'),
    used: resourceList('Current use of each resource in the namespace.'),
  }),
];

const components: Definition[] = [
  coreKind('ComponentStatus', 'Deprecated: health of a control-plane component.', {
    conditions: p.array(cref('ComponentCondition'), 'Observed conditions of the component.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  coreList('ComponentStatus'),
  obj(
    c('ComponentCondition'),
    'One condition of a component.',
    {
      type: p.string('Type of the condition; "Healthy".'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      message: p.string('Details, such as the result of a health check.'),
      error: p.string('Error code of the check, if it failed.'),
    },
    { required: ['type', 'status'] },
  ),
];

const references: Definition[] = [
  obj(
    c('ObjectReference'),
    'A reference to an object, with enough information to find it.',
    {
      kind: p.string('Kind of the object.'),
      namespace: p.string('Namespace of the object.'),
      name: p.string('Name of the object.'),
      uid: p.string('UID of the object.'),
      apiVersion: p.string('API version of the object.'),
      resourceVersion: p.string('Resource version of the object the reference was made to.'),
      fieldPath: p.string('Part of the object referred to, such as "spec.containers{app}".'),
    },
    { mapType: 'atomic' },
  ),
  obj(
    c('LocalObjectReference'),
    'A reference to an object by name, in the same namespace.',
    { name: p.string('Name of the object.', { default: '' }) },
    { mapType: 'atomic' },
  ),
  obj(
    c('TypedLocalObjectReference'),
    'A reference to an object of a given kind in the same namespace.',
    {
      apiGroup: p.string('API group of the object; the core group when empty.'),
      kind: p.string('Kind of the object.'),
      name: p.string('Name of the object.'),
    },
    { required: ['kind', 'name'], mapType: 'atomic' },
  ),
  obj(
    c('SecretReference'),
    'A reference to a Secret in any namespace.',
    {
      name: p.string('Name of the Secret.'),
      namespace: p.string('Namespace of the Secret.'),
    },
    { mapType: 'atomic' },
  ),
];

/** Namespace, configuration, event, quota and reference definitions of core/v1. */
export const coreV1ConfigDefinitions: Definition[] = [
  ...namespace,
  ...configuration,
  ...events,
  ...limits,
  ...components,
  ...references,
];

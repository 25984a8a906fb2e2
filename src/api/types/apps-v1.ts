/**
 * Schema definitions for apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet and
 * ControllerRevision, with their spec, status, strategy and condition types (Kubernetes v1.33).
 */
import { CORE, META, RAW_EXTENSION, list, obj, p, t } from '../schema/dsl.js';
import type { Definition, Property } from '../schema/types.js';

const APPS = 'io.k8s.api.apps.v1.';
const gvk = (kind: string) => ({ group: 'apps', version: 'v1', kind });

/** The fields every apps/v1 condition type shares. */
function conditionFields(what: string): Record<string, Property> {
  return {
    type: p.string(`Which aspect of the ${what} this condition reports.`),
    status: p.string('Whether the condition holds: True, False or Unknown.'),
    lastTransitionTime: p.time('When the status of this condition last changed.'),
    reason: p.string('A one-word, CamelCase cause of the last status change.'),
    message: p.string('A human-readable explanation of the last status change.'),
  };
}

/** Conditions are merged by their `type` in patches and apply. */
const conditionList = (item: string, description: string): Property =>
  p.array(t.ref(APPS + item), description, {
    patchStrategy: 'merge',
    patchMergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  });

const updateStrategyTypes = ['OnDelete', 'RollingUpdate'] as const;

const deployment: Definition[] = [
  obj(
    APPS + 'Deployment',
    'Declares a desired set of identical pods and rolls changes out to them through ReplicaSets.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(APPS + 'DeploymentSpec', 'The desired state of the Deployment.'),
      status: p.ref(
        APPS + 'DeploymentStatus',
        'The state of the Deployment as last observed by its controller.',
      ),
    },
    { gvk: [gvk('Deployment')] },
  ),
  list(APPS + 'Deployment', gvk('DeploymentList')),
  obj(
    APPS + 'DeploymentSpec',
    'What a Deployment should run and how it replaces old pods with new ones.',
    {
      replicas: p.int32('How many pods to run; unset means 1.'),
      selector: p.ref(
        META + 'LabelSelector',
        'Chooses the pods (and ReplicaSets) this Deployment owns; must match the template labels.',
      ),
      template: p.ref(CORE + 'PodTemplateSpec', 'The pod to create; its restartPolicy must be Always.'),
      strategy: p.ref(APPS + 'DeploymentStrategy', 'How existing pods are replaced by new ones.', {
        patchStrategy: 'retainKeys',
      }),
      minReadySeconds: p.int32(
        'Seconds a new pod must stay ready, with no crash, before it counts as available.',
      ),
      revisionHistoryLimit: p.int32('How many old ReplicaSets to keep for rollback; unset means 10.'),
      paused: p.bool('While true, changes to the template do not start a rollout.'),
      progressDeadlineSeconds: p.int32(
        'Seconds a rollout may go without progress before it is reported as failed; unset means 600.',
      ),
    },
    { required: ['selector', 'template'] },
  ),
  obj(APPS + 'DeploymentStrategy', 'How a Deployment replaces its pods.', {
    type: p.enum(['Recreate', 'RollingUpdate'], 'Recreate or RollingUpdate (the default).'),
    rollingUpdate: p.ref(
      APPS + 'RollingUpdateDeployment',
      'Rolling update limits; only used when type is RollingUpdate.',
    ),
  }),
  obj(APPS + 'RollingUpdateDeployment', 'The pace of a Deployment rolling update.', {
    maxUnavailable: p.intOrString(
      'How many desired pods may be unavailable during the update, as a number or a percentage (default 25%).',
    ),
    maxSurge: p.intOrString(
      'How many pods may be created above the desired count during the update, as a number or a percentage (default 25%).',
    ),
  }),
  obj(APPS + 'DeploymentStatus', 'The observed state of a Deployment.', {
    observedGeneration: p.int64('The metadata.generation the controller last acted on.'),
    replicas: p.int32('Pods owned by this Deployment that are not terminating.'),
    updatedReplicas: p.int32('Non-terminating pods that already run the current template.'),
    readyReplicas: p.int32('Non-terminating pods whose Ready condition is true.'),
    availableReplicas: p.int32('Non-terminating pods that have been ready for at least minReadySeconds.'),
    unavailableReplicas: p.int32('Pods still missing before the Deployment reaches full available capacity.'),
    terminatingReplicas: p.int32(
      'Pods of this Deployment that are shutting down (alpha; needs the DeploymentReplicaSetTerminatingReplicas gate).',
    ),
    conditions: conditionList('DeploymentCondition', 'The latest observations of the rollout.'),
    collisionCount: p.int32('Counts name-hash collisions, used to name the newest ReplicaSet uniquely.'),
  }),
  obj(
    APPS + 'DeploymentCondition',
    'One aspect of a Deployment state at a point in time.',
    {
      ...conditionFields('deployment'),
      lastUpdateTime: p.time('When the controller last refreshed this condition.'),
    },
    { required: ['type', 'status'] },
  ),
];

const replicaSet: Definition[] = [
  obj(
    APPS + 'ReplicaSet',
    'Keeps a given number of identical pods running.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(APPS + 'ReplicaSetSpec', 'The desired state of the ReplicaSet.'),
      status: p.ref(APPS + 'ReplicaSetStatus', 'The state of the ReplicaSet as last observed; read-only.'),
    },
    { gvk: [gvk('ReplicaSet')] },
  ),
  list(APPS + 'ReplicaSet', gvk('ReplicaSetList')),
  obj(
    APPS + 'ReplicaSetSpec',
    'How many pods a ReplicaSet keeps and what they look like.',
    {
      replicas: p.int32('How many pods to keep; unset means 1.'),
      minReadySeconds: p.int32(
        'Seconds a new pod must stay ready, with no crash, before it counts as available.',
      ),
      selector: p.ref(
        META + 'LabelSelector',
        'Chooses the pods this ReplicaSet counts; must match the template labels.',
      ),
      template: p.ref(CORE + 'PodTemplateSpec', 'The pod to create when too few match the selector.'),
    },
    { required: ['selector'] },
  ),
  obj(
    APPS + 'ReplicaSetStatus',
    'The observed state of a ReplicaSet.',
    {
      replicas: p.int32('Matching pods that are not terminating.'),
      fullyLabeledReplicas: p.int32('Non-terminating pods that carry every label of the pod template.'),
      readyReplicas: p.int32('Non-terminating pods whose Ready condition is true.'),
      availableReplicas: p.int32('Non-terminating pods that have been ready for at least minReadySeconds.'),
      terminatingReplicas: p.int32(
        'Pods of this ReplicaSet that are shutting down (alpha; needs the DeploymentReplicaSetTerminatingReplicas gate).',
      ),
      observedGeneration: p.int64('The metadata.generation the controller last acted on.'),
      conditions: conditionList('ReplicaSetCondition', 'The latest observations of the ReplicaSet.'),
    },
    { required: ['replicas'] },
  ),
  obj(
    APPS + 'ReplicaSetCondition',
    'One aspect of a ReplicaSet state at a point in time.',
    conditionFields('replica set'),
    {
      required: ['type', 'status'],
    },
  ),
];

const statefulSet: Definition[] = [
  obj(
    APPS + 'StatefulSet',
    'Runs pods with stable names, network identities and per-pod storage, created and updated in order.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(APPS + 'StatefulSetSpec', 'The desired identities and pods of the set.'),
      status: p.ref(APPS + 'StatefulSetStatus', 'The state of the set as last observed.'),
    },
    { gvk: [gvk('StatefulSet')] },
  ),
  list(APPS + 'StatefulSet', gvk('StatefulSetList')),
  obj(
    APPS + 'StatefulSetSpec',
    'What a StatefulSet runs and how it numbers, creates and updates its pods.',
    {
      replicas: p.int32('How many pods the set should have; unset means 1.'),
      selector: p.ref(
        META + 'LabelSelector',
        'Chooses the pods this set counts; must match the template labels.',
      ),
      template: p.ref(
        CORE + 'PodTemplateSpec',
        'The pod each replica runs, named <set name>-<ordinal>; restartPolicy must be Always.',
      ),
      volumeClaimTemplates: p.array(
        t.ref(CORE + 'PersistentVolumeClaim'),
        'Claims created once per pod; each must be mounted by name in the template.',
        { listType: 'atomic' },
      ),
      serviceName: p.string('The headless Service that gives each pod its DNS name.'),
      podManagementPolicy: p.enum(
        ['OrderedReady', 'Parallel'],
        'OrderedReady (default) starts and stops pods one at a time in order; Parallel does not wait.',
      ),
      updateStrategy: p.ref(
        APPS + 'StatefulSetUpdateStrategy',
        'How pods are replaced when the template changes.',
      ),
      revisionHistoryLimit: p.int32('How many old revisions to keep; unset means 10.'),
      minReadySeconds: p.int32(
        'Seconds a new pod must stay ready, with no crash, before it counts as available.',
      ),
      persistentVolumeClaimRetentionPolicy: p.ref(
        APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy',
        'Whether claims from volumeClaimTemplates are kept or deleted when the set is deleted or scaled down.',
      ),
      ordinals: p.ref(APPS + 'StatefulSetOrdinals', 'How replica indices are numbered; by default from 0.'),
    },
    { required: ['selector', 'template'] },
  ),
  obj(APPS + 'StatefulSetUpdateStrategy', 'How a StatefulSet replaces pods after a template change.', {
    type: p.enum(updateStrategyTypes, 'RollingUpdate (the default) or OnDelete.'),
    rollingUpdate: p.ref(
      APPS + 'RollingUpdateStatefulSetStrategy',
      'Rolling update settings; only used when type is RollingUpdate.',
    ),
  }),
  obj(APPS + 'RollingUpdateStatefulSetStrategy', 'Settings of a StatefulSet rolling update.', {
    partition: p.int32('Only pods with an ordinal at or above this value are updated; default 0.'),
    maxUnavailable: p.intOrString(
      'How many pods may be unavailable during the update, as a number or a percentage; default 1 (beta).',
    ),
  }),
  obj(
    APPS + 'StatefulSetPersistentVolumeClaimRetentionPolicy',
    'What happens to claims made from volumeClaimTemplates.',
    {
      whenDeleted: p.enum(
        ['Delete', 'Retain'],
        'Retain (default) keeps the claims when the StatefulSet is deleted; Delete removes them.',
      ),
      whenScaled: p.enum(
        ['Delete', 'Retain'],
        'Retain (default) keeps the claims of removed replicas on scale-down; Delete removes them.',
      ),
    },
  ),
  obj(APPS + 'StatefulSetOrdinals', 'How a StatefulSet numbers its replicas.', {
    start: p.int32('The index of the first replica; replicas use [start, start + replicas). Default 0.'),
  }),
  obj(
    APPS + 'StatefulSetStatus',
    'The observed state of a StatefulSet.',
    {
      observedGeneration: p.int64('The metadata.generation the controller last acted on.'),
      replicas: p.int32('Pods the controller has created.'),
      readyReplicas: p.int32('Pods of this set whose Ready condition is true.'),
      currentReplicas: p.int32('Pods created from the revision named by currentRevision.'),
      updatedReplicas: p.int32('Pods created from the revision named by updateRevision.'),
      availableReplicas: p.int32('Pods that have been ready for at least minReadySeconds.'),
      currentRevision: p.string('The revision used for pods in [0, currentReplicas).'),
      updateRevision: p.string('The revision used for pods in [replicas - updatedReplicas, replicas).'),
      collisionCount: p.int32(
        'Counts name-hash collisions, used to name the newest ControllerRevision uniquely.',
      ),
      conditions: conditionList('StatefulSetCondition', 'The latest observations of the StatefulSet.'),
    },
    { required: ['replicas'] },
  ),
  obj(
    APPS + 'StatefulSetCondition',
    'One aspect of a StatefulSet state at a point in time.',
    conditionFields('stateful set'),
    { required: ['type', 'status'] },
  ),
];

const daemonSet: Definition[] = [
  obj(
    APPS + 'DaemonSet',
    'Runs one copy of a pod on every eligible node.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(APPS + 'DaemonSetSpec', 'The desired behaviour of the DaemonSet.'),
      status: p.ref(APPS + 'DaemonSetStatus', 'The state of the DaemonSet as last observed; read-only.'),
    },
    { gvk: [gvk('DaemonSet')] },
  ),
  list(APPS + 'DaemonSet', gvk('DaemonSetList')),
  obj(
    APPS + 'DaemonSetSpec',
    'What a DaemonSet runs on each node and how it updates.',
    {
      selector: p.ref(
        META + 'LabelSelector',
        'Chooses the pods this DaemonSet owns; must match the template labels.',
      ),
      template: p.ref(
        CORE + 'PodTemplateSpec',
        'The pod to run on each node matched by its node selector; restartPolicy must be Always.',
      ),
      updateStrategy: p.ref(APPS + 'DaemonSetUpdateStrategy', 'How daemon pods are replaced after a change.'),
      minReadySeconds: p.int32(
        'Seconds a new pod must stay ready, with no crash, before it counts as available.',
      ),
      revisionHistoryLimit: p.int32('How many old revisions to keep for rollback; unset means 10.'),
    },
    { required: ['selector', 'template'] },
  ),
  obj(APPS + 'DaemonSetUpdateStrategy', 'How a DaemonSet replaces its pods.', {
    type: p.enum(updateStrategyTypes, 'RollingUpdate (the default) or OnDelete.'),
    rollingUpdate: p.ref(
      APPS + 'RollingUpdateDaemonSet',
      'Rolling update limits; only used when type is RollingUpdate.',
    ),
  }),
  obj(APPS + 'RollingUpdateDaemonSet', 'The pace of a DaemonSet rolling update.', {
    maxUnavailable: p.intOrString(
      'How many daemon pods may be unavailable during the update, as a number or a percentage (default 1).',
    ),
    maxSurge: p.intOrString(
      'How many nodes may run an extra, updated pod before the old one is removed, as a number or a percentage (default 0).',
    ),
  }),
  obj(
    APPS + 'DaemonSetStatus',
    'The observed state of a DaemonSet.',
    {
      currentNumberScheduled: p.int32('Nodes that run at least one daemon pod and should.'),
      numberMisscheduled: p.int32('Nodes that run a daemon pod but should not.'),
      desiredNumberScheduled: p.int32('Nodes that should run the daemon pod.'),
      numberReady: p.int32('Nodes that should run the daemon pod and have one that is Ready.'),
      observedGeneration: p.int64('The metadata.generation the controller last acted on.'),
      updatedNumberScheduled: p.int32('Nodes that run a daemon pod from the current template.'),
      numberAvailable: p.int32(
        'Nodes that should run the daemon pod and have one available for minReadySeconds.',
      ),
      numberUnavailable: p.int32('Nodes that should run the daemon pod but have none available.'),
      collisionCount: p.int32(
        'Counts name-hash collisions, used to name the newest ControllerRevision uniquely.',
      ),
      conditions: conditionList('DaemonSetCondition', 'The latest observations of the DaemonSet.'),
    },
    { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] },
  ),
  obj(
    APPS + 'DaemonSetCondition',
    'One aspect of a DaemonSet state at a point in time.',
    conditionFields('daemon set'),
    {
      required: ['type', 'status'],
    },
  ),
];

const controllerRevision: Definition[] = [
  obj(
    APPS + 'ControllerRevision',
    'An immutable snapshot of a controller state, kept by DaemonSet and StatefulSet controllers for rollback.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      data: p.ref(RAW_EXTENSION, 'The serialized state this revision records.'),
      revision: p.int64('The revision number of the recorded state.'),
    },
    { required: ['revision'], gvk: [gvk('ControllerRevision')] },
  ),
  list(APPS + 'ControllerRevision', gvk('ControllerRevisionList')),
];

/** Every apps/v1 definition. */
export const appsV1Definitions: Definition[] = [
  ...deployment,
  ...replicaSet,
  ...statefulSet,
  ...daemonSet,
  ...controllerRevision,
];

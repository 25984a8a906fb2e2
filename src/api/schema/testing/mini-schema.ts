/**
 * A small registry for tests: Pod, Deployment, Secret and the types they use, written with the DSL
 * and carrying the same merge semantics as upstream's (containers by name, ports by containerPort,
 * volumes `merge,retainKeys`, finalizers a merged primitive list, tolerations replaced). Tests of
 * patches and structural checks use it so they do not depend on the full definitions.
 */
import {
  CORE,
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
} from '../dsl.js';
import { DefinitionRegistry } from '../registry.js';

const APPS = 'io.k8s.api.apps.v1.';

export const podGvk = { group: '', version: 'v1', kind: 'Pod' };
export const deploymentGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
export const secretGvk = { group: '', version: 'v1', kind: 'Secret' };

/** A fresh registry of the mini definitions. */
export function miniRegistry(): DefinitionRegistry {
  return new DefinitionRegistry().add(
    scalar(QUANTITY, 'A quantity.', 'quantity'),
    scalar(INT_OR_STRING, 'An int or a string.', 'int-or-string'),
    scalar(TIME, 'A time.', 'date-time'),
    scalar(MICRO_TIME, 'A time with microseconds.', 'micro-time'),
    scalar(RAW_EXTENSION, 'Any object.', 'any-object'),
    scalar(META + 'FieldsV1', 'Field set.', 'any-object'),
    obj(META + 'ObjectMeta', 'Metadata.', {
      name: p.string('Name.'),
      generateName: p.string('Prefix.'),
      namespace: p.string('Namespace.'),
      uid: p.string('UID.'),
      resourceVersion: p.string('Version.'),
      generation: p.int64('Generation.'),
      creationTimestamp: p.time('Created.'),
      labels: p.map(t.string, 'Labels.'),
      annotations: p.map(t.string, 'Annotations.'),
      finalizers: p.array(t.string, 'Finalizers.', { patchStrategy: 'merge' }),
      ownerReferences: p.array(t.ref(META + 'OwnerReference'), 'Owners.', {
        patchStrategy: 'merge',
        patchMergeKey: 'uid',
      }),
      managedFields: p.array(t.ref(META + 'ManagedFieldsEntry'), 'Managed fields.'),
    }),
    obj(META + 'OwnerReference', 'Owner.', {
      apiVersion: p.string('API version.'),
      kind: p.string('Kind.'),
      name: p.string('Name.'),
      uid: p.string('UID.'),
      controller: p.bool('Controller.'),
    }),
    obj(META + 'ManagedFieldsEntry', 'Managed fields entry.', {
      manager: p.string('Manager.'),
      operation: p.string('Operation.'),
      time: p.time('Time.'),
      fieldsV1: p.ref(META + 'FieldsV1', 'Fields.'),
    }),
    obj(META + 'LabelSelector', 'Selector.', { matchLabels: p.map(t.string, 'Labels.') }),
    obj(
      CORE + 'Pod',
      'A pod.',
      {
        apiVersion: p.apiVersion(),
        kind: p.kind(),
        metadata: p.metadata(),
        spec: p.ref(CORE + 'PodSpec', 'Spec.'),
        status: p.ref(CORE + 'PodStatus', 'Status.'),
      },
      { gvk: [podGvk] },
    ),
    obj(CORE + 'PodStatus', 'Status.', {
      phase: p.string('Phase.'),
      startTime: p.time('Started.'),
    }),
    obj(CORE + 'PodTemplateSpec', 'Template.', {
      metadata: p.metadata(),
      spec: p.ref(CORE + 'PodSpec', 'Spec.'),
    }),
    obj(CORE + 'PodSpec', 'Pod spec.', {
      containers: p.array(t.ref(CORE + 'Container'), 'Containers.', {
        patchStrategy: 'merge',
        patchMergeKey: 'name',
      }),
      initContainers: p.array(t.ref(CORE + 'Container'), 'Init containers.', {
        patchStrategy: 'merge',
        patchMergeKey: 'name',
      }),
      volumes: p.array(t.ref(CORE + 'Volume'), 'Volumes.', {
        patchStrategy: 'merge,retainKeys',
        patchMergeKey: 'name',
      }),
      imagePullSecrets: p.array(t.ref(CORE + 'LocalObjectReference'), 'Pull secrets.', {
        patchStrategy: 'merge',
        patchMergeKey: 'name',
      }),
      tolerations: p.array(t.ref(CORE + 'Toleration'), 'Tolerations.'),
      nodeSelector: p.map(t.string, 'Node selector.'),
      restartPolicy: p.enum(['Always', 'OnFailure', 'Never'], 'Restart policy.'),
      terminationGracePeriodSeconds: p.int64('Grace period.'),
      hostNetwork: p.bool('Host network.'),
      overhead: p.map(t.quantity, 'Overhead.'),
    }),
    obj(CORE + 'Container', 'Container.', {
      name: p.string('Name.'),
      image: p.string('Image.'),
      command: p.array(t.string, 'Command.'),
      args: p.array(t.string, 'Args.'),
      env: p.array(t.ref(CORE + 'EnvVar'), 'Env.', { patchStrategy: 'merge', patchMergeKey: 'name' }),
      ports: p.array(t.ref(CORE + 'ContainerPort'), 'Ports.', {
        patchStrategy: 'merge',
        patchMergeKey: 'containerPort',
      }),
      resources: p.ref(CORE + 'ResourceRequirements', 'Resources.'),
      volumeMounts: p.array(t.ref(CORE + 'VolumeMount'), 'Mounts.', {
        patchStrategy: 'merge',
        patchMergeKey: 'mountPath',
      }),
      livenessProbe: p.ref(CORE + 'Probe', 'Probe.'),
    }),
    obj(CORE + 'EnvVar', 'Env var.', { name: p.string('Name.'), value: p.string('Value.') }),
    obj(CORE + 'ContainerPort', 'Port.', {
      name: p.string('Name.'),
      containerPort: p.int32('Port.'),
      protocol: p.string('Protocol.'),
    }),
    obj(CORE + 'VolumeMount', 'Mount.', { name: p.string('Name.'), mountPath: p.string('Path.') }),
    obj(CORE + 'ResourceRequirements', 'Resources.', {
      limits: p.map(t.quantity, 'Limits.'),
      requests: p.map(t.quantity, 'Requests.'),
    }),
    obj(CORE + 'Probe', 'Probe.', {
      httpGet: p.ref(CORE + 'HTTPGetAction', 'HTTP GET.'),
      periodSeconds: p.int32('Period.'),
    }),
    obj(CORE + 'HTTPGetAction', 'HTTP GET.', { path: p.string('Path.'), port: p.intOrString('Port.') }),
    obj(CORE + 'Toleration', 'Toleration.', { key: p.string('Key.'), effect: p.string('Effect.') }),
    obj(CORE + 'LocalObjectReference', 'Reference.', { name: p.string('Name.') }),
    obj(CORE + 'Volume', 'Volume.', {
      name: p.string('Name.'),
      emptyDir: p.ref(CORE + 'EmptyDirVolumeSource', 'Empty dir.'),
      configMap: p.ref(CORE + 'ConfigMapVolumeSource', 'Config map.'),
      secret: p.ref(CORE + 'SecretVolumeSource', 'Secret.'),
    }),
    obj(CORE + 'EmptyDirVolumeSource', 'Empty dir.', {
      medium: p.string('Medium.'),
      sizeLimit: p.quantity('Size.'),
    }),
    obj(CORE + 'ConfigMapVolumeSource', 'Config map.', { name: p.string('Name.') }),
    obj(CORE + 'SecretVolumeSource', 'Secret.', { secretName: p.string('Name.') }),
    obj(
      CORE + 'Secret',
      'A secret.',
      {
        apiVersion: p.apiVersion(),
        kind: p.kind(),
        metadata: p.metadata(),
        data: p.map(t.bytes, 'Data.'),
        stringData: p.map(t.string, 'String data.'),
        type: p.string('Type.'),
      },
      { gvk: [secretGvk] },
    ),
    obj(
      APPS + 'Deployment',
      'A deployment.',
      {
        apiVersion: p.apiVersion(),
        kind: p.kind(),
        metadata: p.metadata(),
        spec: p.ref(APPS + 'DeploymentSpec', 'Spec.'),
      },
      { gvk: [deploymentGvk] },
    ),
    obj(APPS + 'DeploymentSpec', 'Spec.', {
      replicas: p.int32('Replicas.'),
      selector: p.ref(META + 'LabelSelector', 'Selector.'),
      template: p.ref(CORE + 'PodTemplateSpec', 'Template.'),
      strategy: p.ref(APPS + 'DeploymentStrategy', 'Strategy.', { patchStrategy: 'retainKeys' }),
      extra: p.any('Free-form data, for tests of schemaless merging.'),
    }),
    obj(APPS + 'DeploymentStrategy', 'Strategy.', {
      type: p.string('Type.'),
      rollingUpdate: p.ref(APPS + 'RollingUpdateDeployment', 'Rolling update.'),
    }),
    obj(APPS + 'RollingUpdateDeployment', 'Rolling update.', {
      maxSurge: p.intOrString('Surge.'),
      maxUnavailable: p.intOrString('Unavailable.'),
    }),
  );
}

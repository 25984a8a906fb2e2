/**
 * core/v1 persistent storage kinds: PersistentVolume and PersistentVolumeClaim with their specs,
 * statuses and conditions.
 */
import { META, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';
import { ACCESS_MODES, VOLUME_MODES, c, coreKind, coreList, cref, resourceList } from './core-v1-util.js';
import { persistentVolumeSourceProperties } from './core-v1-volume.js';

const accessModes = (description: string) =>
  p.array(t.enum(ACCESS_MODES), description, { listType: 'atomic' });

const persistentVolume: Definition[] = [
  coreKind(
    'PersistentVolume',
    'A piece of storage in the cluster, provisioned by an administrator or dynamically.',
    {
      spec: p.ref(c('PersistentVolumeSpec'), 'Description of the volume.'),
      status: p.ref(c('PersistentVolumeStatus'), 'Observed state of the volume.'),
    },
  ),
  coreList('PersistentVolume'),
  obj(c('PersistentVolumeSpec'), 'Description of a persistent volume; exactly one volume source is set.', {
    capacity: resourceList('Capacity of the volume, such as storage: 10Gi.'),
    ...persistentVolumeSourceProperties,
    accessModes: accessModes('Ways the volume can be mounted.'),
    claimRef: p.ref(c('ObjectReference'), 'The claim bound to this volume.', { mapType: 'granular' }),
    persistentVolumeReclaimPolicy: p.enum(
      ['Delete', 'Recycle', 'Retain'],
      'What happens to the volume when its claim is released: Retain, Delete or (deprecated) Recycle.',
    ),
    storageClassName: p.string('StorageClass the volume belongs to; none when empty.'),
    mountOptions: p.array(t.string, 'Mount options, such as "ro" or "soft"; not validated.', {
      listType: 'atomic',
    }),
    volumeMode: p.enum(VOLUME_MODES, 'Filesystem (default) or raw Block device.'),
    nodeAffinity: p.ref(c('VolumeNodeAffinity'), 'Nodes the volume can be used from.'),
    volumeAttributesClassName: p.string('VolumeAttributesClass the volume belongs to.'),
  }),
  obj(c('VolumeNodeAffinity'), 'Nodes a volume can be reached from.', {
    required: p.ref(c('NodeSelector'), 'Nodes that must match.'),
  }),
  obj(c('PersistentVolumeStatus'), 'Observed state of a persistent volume.', {
    phase: p.enum(
      ['Available', 'Bound', 'Failed', 'Pending', 'Released'],
      'Whether the volume is available, bound, released by its claim or failed.',
    ),
    message: p.string('Human-readable details about the state.'),
    reason: p.string('Short CamelCase reason for a failure.'),
    lastPhaseTransitionTime: p.time('When the phase last changed.'),
  }),
];

const claim: Definition[] = [
  coreKind('PersistentVolumeClaim', 'A request for storage, bound to a matching PersistentVolume.', {
    spec: p.ref(c('PersistentVolumeClaimSpec'), 'What the claim asks for.'),
    status: p.ref(c('PersistentVolumeClaimStatus'), 'Observed state of the claim.'),
  }),
  coreList('PersistentVolumeClaim'),
  obj(c('PersistentVolumeClaimSpec'), 'What a claim asks for.', {
    accessModes: accessModes('Access modes the volume must support.'),
    selector: p.ref(META + 'LabelSelector', 'Labels of the volumes that may be bound.'),
    resources: p.ref(
      c('VolumeResourceRequirements'),
      'Minimum resources, such as storage, the volume must have.',
    ),
    volumeName: p.string('Name of the volume bound to the claim.'),
    storageClassName: p.string('StorageClass the claim needs; empty string means none.'),
    volumeMode: p.enum(VOLUME_MODES, 'Filesystem (default) or raw Block device.'),
    dataSource: p.ref(
      c('TypedLocalObjectReference'),
      'Existing VolumeSnapshot or claim to populate the new volume from.',
    ),
    dataSourceRef: p.ref(
      c('TypedObjectReference'),
      'Any object a volume populator can fill the new volume from; may be in another namespace.',
    ),
    volumeAttributesClassName: p.string('VolumeAttributesClass to apply; may change after creation.'),
  }),
  obj(
    c('TypedObjectReference'),
    'A reference to an object of a given kind, possibly in another namespace.',
    {
      apiGroup: p.string('API group of the object; the core group when empty.'),
      kind: p.string('Kind of the object.'),
      name: p.string('Name of the object.'),
      namespace: p.string('Namespace of the object; needs a ReferenceGrant there when it differs.'),
    },
    { required: ['kind', 'name'] },
  ),
  obj(c('PersistentVolumeClaimStatus'), 'Observed state of a claim.', {
    phase: p.enum(
      ['Bound', 'Lost', 'Pending'],
      'Whether the claim is pending, bound, or has lost its volume.',
    ),
    accessModes: accessModes('Access modes of the bound volume.'),
    capacity: resourceList('Actual resources of the bound volume.'),
    conditions: p.array(cref('PersistentVolumeClaimCondition'), 'Current conditions, such as Resizing.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
    allocatedResources: resourceList(
      'Resources allocated to the claim, which may exceed the capacity during a resize.',
    ),
    allocatedResourceStatuses: p.map(
      t.enum([
        'ControllerResizeFailed',
        'ControllerResizeInProgress',
        'NodeResizeFailed',
        'NodeResizeInProgress',
        'NodeResizePending',
      ]),
      'State of an ongoing resize, per resource.',
      { mapType: 'granular' },
    ),
    currentVolumeAttributesClassName: p.string('VolumeAttributesClass the volume currently has.'),
    modifyVolumeStatus: p.ref(c('ModifyVolumeStatus'), 'State of an ongoing change of volume attributes.'),
  }),
  obj(
    c('PersistentVolumeClaimCondition'),
    'One condition of a claim.',
    {
      type: p.string('Type of the condition, such as Resizing or FileSystemResizePending.'),
      status: p.string('Whether the condition holds: True, False or Unknown.'),
      lastProbeTime: p.time('When the condition was last checked.'),
      lastTransitionTime: p.time('When the status last changed.'),
      reason: p.string('Short reason for the last transition.'),
      message: p.string('Human-readable details about the last transition.'),
    },
    { required: ['type', 'status'] },
  ),
  obj(
    c('ModifyVolumeStatus'),
    'State of a change of volume attributes.',
    {
      targetVolumeAttributesClassName: p.string('VolumeAttributesClass being applied.'),
      status: p.enum(['InProgress', 'Infeasible', 'Pending'], 'Pending, InProgress or Infeasible.'),
    },
    { required: ['status'] },
  ),
];

/** PersistentVolume and PersistentVolumeClaim definitions of core/v1. */
export const coreV1StorageDefinitions: Definition[] = [...persistentVolume, ...claim];

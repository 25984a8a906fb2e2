/**
 * PersistentVolumes and PersistentVolumeClaims: capacity, access modes (`RWO,ROX,RWX,RWOP`),
 * status, the claim or volume they are bound to, and their storage class.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../meta.js';
import { AGE, NAME, ageOf, column, nameOf, printer, view, wide } from '../columns.js';
import { canonicalQuantity } from '../quantity.js';
import type { Cell } from '../types.js';

/** The beta annotation that, when present, names the storage class instead of the spec field. */
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

const MODES: readonly [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** Access modes in their short forms, in a fixed order, without repeats. */
export function accessModes(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return MODES.filter(([mode]) => set.has(mode))
    .map(([, short]) => short)
    .join(',');
}

function betaClass(obj: KubeObject): string | undefined {
  return obj.metadata?.annotations?.[BETA_CLASS_ANNOTATION];
}

const pvColumns = [
  NAME,
  column('Capacity', 'string', 'Storage capacity of the volume.'),
  column('Access Modes', 'string', 'How the volume can be mounted.'),
  column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
  column('Status', 'string', 'The phase of the volume.'),
  column('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
  column('StorageClass', 'string', 'The storage class of the volume.'),
  column('VolumeAttributesClass', 'string', 'The volume attributes class of the volume.'),
  column('Reason', 'string', 'Why the volume is in its phase, when it failed.'),
  AGE,
  wide('VolumeMode', 'string', 'Filesystem or Block.'),
];

function pvCells(obj: KubeObject, now: Date): Cell[] {
  const pv = view<PersistentVolume>(obj);
  const spec = pv.spec ?? {};
  const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
  const phase = obj.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
  return [
    nameOf(obj),
    canonicalQuantity(spec.capacity?.['storage']),
    accessModes(spec.accessModes),
    spec.persistentVolumeReclaimPolicy ?? '',
    phase,
    claim,
    betaClass(obj) ?? spec.storageClassName ?? '',
    spec.volumeAttributesClassName ?? '<unset>',
    pv.status?.reason ?? '',
    ageOf(obj, now),
    spec.volumeMode ?? '<unset>',
  ];
}

/** core/v1 PersistentVolume. */
export const persistentVolumePrinter = printer(pvColumns, pvCells);

const pvcColumns = [
  NAME,
  column('Status', 'string', 'The phase of the claim.'),
  column('Volume', 'string', 'The volume bound to the claim.'),
  column('Capacity', 'string', 'Storage capacity of the bound volume.'),
  column('Access Modes', 'string', 'How the bound volume can be mounted.'),
  column('StorageClass', 'string', 'The storage class the claim asks for.'),
  column('VolumeAttributesClass', 'string', 'The volume attributes class the claim asks for.'),
  AGE,
  wide('VolumeMode', 'string', 'Filesystem or Block.'),
];

function pvcCells(obj: KubeObject, now: Date): Cell[] {
  const pvc = view<PersistentVolumeClaim>(obj);
  const spec = pvc.spec ?? {};
  const phase = obj.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
  const bound = Boolean(spec.volumeName);
  return [
    nameOf(obj),
    phase,
    spec.volumeName ?? '',
    bound ? canonicalQuantity(pvc.status?.capacity?.['storage']) : '',
    bound ? accessModes(pvc.status?.accessModes) : '',
    betaClass(obj) ?? spec.storageClassName ?? '',
    spec.volumeAttributesClassName ?? '<unset>',
    ageOf(obj, now),
    spec.volumeMode ?? '<unset>',
  ];
}

/** core/v1 PersistentVolumeClaim. */
export const persistentVolumeClaimPrinter = printer(pvcColumns, pvcCells);

/**
 * PersistentVolume and PersistentVolumeClaim validation: access modes, capacity, the volume source,
 * node affinity, and what may change after creation (PV sources never; PVC specs only for binding
 * and expansion).
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { Quantity } from '../../quantity.js';
import { clone, deepEqual, isSet, rec, str, stringMap, strings, type JsonObject } from '../util.js';
import { FIELD_IMMUTABLE, NOT_POSITIVE, dns1123Subdomain, immutable, qualifiedName } from './common.js';
import { structDiff } from './diff.js';
import { validateAccessModes, validatePersistentVolumeClaimSpec, SUPPORTED_VOLUME_MODES } from './pvcspec.js';
import { quantityField, validateResourceQuantityValue } from './resources.js';
import { validateNodeSelector } from './scheduling.js';
import * as src from './volumesources.js';

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

type PVSourceCheck = (s: JsonObject, path: string, pvName: string) => FieldError[];

/** PersistentVolume sources in upstream's order: [field, path in the "more than 1" error, check]. */
const PV_SOURCES: [string, string, PVSourceCheck][] = [
  ['hostPath', 'hostPath', (s, p) => src.validateHostPath(s, p)],
  [
    'gcePersistentDisk',
    'gcePersistentDisk',
    (s, p) => src.validateGCEPersistentDisk(s, p.replace(/gcePersistentDisk$/, 'persistentDisk')),
  ],
  ['awsElasticBlockStore', 'awsElasticBlockStore', (s, p) => src.validateAWSElasticBlockStore(s, p)],
  ['glusterfs', 'glusterfs', (s, p) => src.validateGlusterfs(s, p, true)],
  ['flocker', 'flocker', (s, p) => src.validateFlocker(s, p)],
  ['nfs', 'nfs', (s, p) => src.validateNFS(s, p)],
  ['rbd', 'rbd', (s, p) => src.validateRBD(s, p)],
  ['quobyte', 'quobyte', (s, p) => src.validateQuobyte(s, p)],
  ['cephfs', 'cephFS', (s, p) => src.validateCephFS(s, p)],
  ['iscsi', 'iscsi', (s, p, n) => src.validateISCSI(s, p, true, n)],
  ['cinder', 'cinder', (s, p) => src.validateCinder(s, p, true)],
  ['fc', 'fc', (s, p) => src.validateFC(s, p)],
  ['flexVolume', '', (s, p) => src.validateFlexVolume(s, p)],
  ['azureFile', 'azureFile', (s, p) => src.validateAzureFile(s, p, true)],
  ['vsphereVolume', 'vsphereVolume', (s, p) => src.validateVsphereVolume(s, p)],
  ['photonPersistentDisk', 'photonPersistentDisk', (s, p) => src.validatePhotonPersistentDisk(s, p)],
  ['portworxVolume', 'portworxVolume', (s, p) => src.validatePortworx(s, p)],
  ['azureDisk', 'azureDisk', (s, p) => src.validateAzureDisk(s, p)],
  ['scaleIO', 'scaleIO', (s, p) => src.validateScaleIO(s, p)],
  ['local', 'local', (s, p) => src.validateLocal(s, p)],
  ['storageos', 'storageos', (s, p) => src.validateStorageOS(s, p, true)],
  ['csi', 'csi', (s, p) => src.validateCSIPersistent(s, p)],
];
const PV_SOURCE_KEYS = PV_SOURCES.map(([k]) => k);

/** Upstream's ValidatePersistentVolumeSpec for a stored (not inline) PersistentVolume. */
export function validatePersistentVolumeSpec(specValue: unknown, pvName: string, path: string): FieldError[] {
  const spec = rec(specValue) ?? {};
  const errs: FieldError[] = [];
  const modes = strings(spec['accessModes']);
  if (modes.length === 0) errs.push(fieldErrors.required(`${path}.accessModes`));
  errs.push(...validateAccessModes(modes, `${path}.accessModes`));
  const capacity = rec(spec['capacity']) ?? {};
  const capPath = `${path}.capacity`;
  if (Object.keys(capacity).length === 0) errs.push(fieldErrors.required(capPath));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1)
    errs.push(fieldErrors.notSupported(capPath, capacity, ['storage']));
  for (const [name, v] of Object.entries(capacity)) {
    const f = `${capPath}[${name}]`;
    const q = quantityField(v, f, errs);
    if (!q) continue;
    if (q.value() < 0n)
      errs.push(fieldErrors.invalid(f, Number(q.value()), 'must be a valid resource quantity'));
    if (q.sign() <= 0) errs.push(fieldErrors.invalid(f, q.toString(), NOT_POSITIVE));
  }
  const reclaim = str(spec['persistentVolumeReclaimPolicy']);
  if (reclaim !== '' && !RECLAIM_POLICIES.includes(reclaim))
    errs.push(fieldErrors.notSupported(`${path}.persistentVolumeReclaimPolicy`, reclaim, RECLAIM_POLICIES));
  let nodeAffinitySet = false;
  const na = rec(spec['nodeAffinity']);
  if (na) {
    nodeAffinitySet = true;
    const required = rec(na['required']);
    if (required) errs.push(...validateNodeSelector(required, false, `${path}.nodeAffinity.required`));
    else
      errs.push(
        fieldErrors.required(`${path}.nodeAffinity.required`, 'must specify required node constraints'),
      );
  }
  let count = 0;
  for (const [key, forbiddenKey, check] of PV_SOURCES) {
    if (!isSet(spec[key])) continue;
    if (count > 0 && forbiddenKey !== '') {
      errs.push(fieldErrors.forbidden(`${path}.${forbiddenKey}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...check(rec(spec[key]) ?? {}, `${path}.${key}`, pvName));
    if (key === 'local' && !nodeAffinitySet)
      errs.push(fieldErrors.required(`${path}.nodeAffinity`, 'Local volume requires node affinity'));
  }
  if (count === 0) errs.push(fieldErrors.required(path, 'must specify a volume type'));
  const hostPath = str(rec(spec['hostPath'])?.['path']);
  if (
    isSet(spec['hostPath']) &&
    hostPath.replace(/\/+$/, '') === '' &&
    hostPath.startsWith('/') &&
    reclaim === 'Recycle'
  )
    errs.push(
      fieldErrors.forbidden(
        `${path}.persistentVolumeReclaimPolicy`,
        "may not be 'recycle' for a hostPath mount of '/'",
      ),
    );
  const sc = str(spec['storageClassName']);
  if (sc !== '') errs.push(...dns1123Subdomain(sc, `${path}.storageClassName`));
  const mode = spec['volumeMode'];
  if (typeof mode === 'string' && !SUPPORTED_VOLUME_MODES.includes(mode))
    errs.push(fieldErrors.notSupported(`${path}.volumeMode`, mode, SUPPORTED_VOLUME_MODES));
  return errs;
}

/** Upstream's ValidatePersistentVolume (ObjectMeta aside). */
export function validatePersistentVolume(pv: JsonObject): FieldError[] {
  return validatePersistentVolumeSpec(pv['spec'], str(rec(pv['metadata'])?.['name']), 'spec');
}

function pvSource(spec: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of PV_SOURCE_KEYS) if (isSet(spec[k])) out[k] = spec[k];
  return out;
}

/** Upstream's ValidatePersistentVolumeUpdate (ObjectMeta aside). */
export function validatePersistentVolumeUpdate(pv: JsonObject, old: JsonObject): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const spec = rec(pv['spec']) ?? {};
  const oldSpec = rec(old['spec']) ?? {};
  const newSource = clone(pvSource(spec));
  const oldSource = pvSource(oldSpec);
  const oldCSI = rec(oldSource['csi']);
  const newCSI = rec(newSource['csi']);
  if (
    oldCSI &&
    newCSI &&
    !isSet(oldCSI['controllerExpandSecretRef']) &&
    isSet(newCSI['controllerExpandSecretRef'])
  )
    delete newCSI['controllerExpandSecretRef'];
  if (!deepEqual(newSource, oldSource))
    errs.push(
      fieldErrors.forbidden(
        'spec.persistentvolumesource',
        `spec.persistentvolumesource is immutable after creation\n${structDiff('core.PersistentVolumeSource', oldSource, newSource)}`,
      ),
    );
  errs.push(...immutable(spec['volumeMode'], oldSpec['volumeMode'], 'volumeMode'));
  if (isSet(oldSpec['nodeAffinity']) && !deepEqual(spec['nodeAffinity'], oldSpec['nodeAffinity']))
    errs.push(
      fieldErrors.invalid(
        'nodeAffinity',
        spec['nodeAffinity'] ?? null,
        `${FIELD_IMMUTABLE}, except for updating from beta label to GA`,
      ),
    );
  return errs;
}

function resourceVersionRequired(obj: JsonObject): FieldError[] {
  return str(rec(obj['metadata'])?.['resourceVersion']) === ''
    ? [fieldErrors.required('resourceVersion')]
    : [];
}

/** Upstream's ValidatePersistentVolumeStatusUpdate (ObjectMeta aside). */
export function validatePersistentVolumeStatusUpdate(pv: JsonObject): FieldError[] {
  return resourceVersionRequired(pv);
}

/** Upstream's ValidatePersistentVolumeClaim (ObjectMeta aside). */
export function validatePersistentVolumeClaim(pvc: JsonObject): FieldError[] {
  return validatePersistentVolumeClaimSpec(pvc['spec'], 'spec');
}

function storageRequest(spec: JsonObject): Quantity | undefined {
  return Quantity.tryParse(rec(rec(spec['resources'])?.['requests'])?.['storage']);
}

/** Upstream's ValidatePersistentVolumeClaimUpdate (ObjectMeta aside). */
export function validatePersistentVolumeClaimUpdate(pvc: JsonObject, old: JsonObject): FieldError[] {
  const errs = validatePersistentVolumeClaim(pvc);
  const spec = rec(pvc['spec']) ?? {};
  const oldSpec = rec(old['spec']) ?? {};
  const newClone = clone(spec);
  const oldClone = clone(oldSpec);
  if (str(oldSpec['volumeName']) === '') oldClone['volumeName'] = newClone['volumeName'];
  const newAnn = stringMap(rec(pvc['metadata'])?.['annotations']);
  const oldAnn = stringMap(rec(old['metadata'])?.['annotations']);
  const oldSC = oldSpec['storageClassName'];
  const newSC = spec['storageClassName'];
  const upgradeFromAnnotation =
    STORAGE_CLASS_ANNOTATION in oldAnn &&
    typeof oldSC !== 'string' &&
    typeof newSC === 'string' &&
    newSC === oldAnn[STORAGE_CLASS_ANNOTATION] &&
    (!(STORAGE_CLASS_ANNOTATION in newAnn) ||
      newAnn[STORAGE_CLASS_ANNOTATION] === oldAnn[STORAGE_CLASS_ANNOTATION]);
  if (upgradeFromAnnotation) {
    delete newClone['storageClassName'];
  } else {
    const nv = newAnn[STORAGE_CLASS_ANNOTATION] ?? '';
    if (nv !== (oldAnn[STORAGE_CLASS_ANNOTATION] ?? ''))
      errs.push(fieldErrors.invalid(`metadata.annotations.${STORAGE_CLASS_ANNOTATION}`, nv, FIELD_IMMUTABLE));
    const upgradeFromNil =
      typeof newSC === 'string' &&
      typeof oldSC !== 'string' &&
      (!(STORAGE_CLASS_ANNOTATION in oldAnn) || newSC === oldAnn[STORAGE_CLASS_ANNOTATION]);
    if (upgradeFromNil) newClone['storageClassName'] = oldClone['storageClassName'];
  }
  const bound = str(rec(pvc['status'])?.['phase']) === 'Bound';
  const newRequests = rec(rec(newClone['resources'])?.['requests']);
  if (bound && newRequests)
    newRequests['storage'] = rec(rec(oldSpec['resources'])?.['requests'])?.['storage'];
  if (!deepEqual(newClone, oldClone))
    errs.push(
      fieldErrors.forbidden(
        'spec',
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${structDiff('core.PersistentVolumeClaimSpec', oldClone, newClone)}`,
      ),
    );
  const newSize = storageRequest(spec);
  const oldSize = storageRequest(oldSpec);
  const statusSize =
    Quantity.tryParse(rec(rec(old['status'])?.['capacity'])?.['storage']) ?? Quantity.fromInt(0);
  if (newSize && oldSize && newSize.cmp(oldSize) < 0 && newSize.cmp(statusSize) <= 0)
    errs.push(
      fieldErrors.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'),
    );
  errs.push(...immutable(spec['volumeMode'], oldSpec['volumeMode'], 'volumeMode'));
  return errs;
}

const RESIZE_STATUSES = [
  'ControllerResizeInProgress',
  'ControllerResizeInfeasible',
  'NodeResizeInProgress',
  'NodeResizeInfeasible',
  'NodeResizePending',
];

/** Upstream's ValidatePersistentVolumeClaimStatusUpdate (ObjectMeta aside). */
export function validatePersistentVolumeClaimStatusUpdate(pvc: JsonObject): FieldError[] {
  const errs = resourceVersionRequired(pvc);
  if (strings(rec(pvc['spec'])?.['accessModes']).length === 0)
    errs.push(fieldErrors.required('Spec.accessModes'));
  const status = rec(pvc['status']) ?? {};
  for (const [name, v] of Object.entries(rec(status['capacity']) ?? {})) {
    const f = `status.capacity[${name}]`;
    const q = quantityField(v, f, errs);
    if (q && q.value() < 0n)
      errs.push(fieldErrors.invalid(f, Number(q.value()), 'must be a valid resource quantity'));
  }
  const statusPath = 'status.allocatedResourceStatus';
  for (const [k, v] of Object.entries(rec(status['allocatedResourceStatuses']) ?? {})) {
    errs.push(...pvcResourceKey(k, statusPath));
    if (typeof v !== 'string' || !RESIZE_STATUSES.includes(v))
      errs.push(fieldErrors.notSupported(statusPath, k, RESIZE_STATUSES));
  }
  const allocPath = 'status.allocatedResources';
  for (const [k, v] of Object.entries(rec(status['allocatedResources']) ?? {})) {
    const keyErrs = pvcResourceKey(k, allocPath);
    if (keyErrs.length) {
      errs.push(...keyErrs);
      continue;
    }
    const f = `${allocPath}[${k}]`;
    const q = quantityField(v, f, errs);
    if (!q) continue;
    if (q.value() < 0n)
      errs.push(fieldErrors.invalid(f, Number(q.value()), 'must be a valid resource quantity'));
    else errs.push(...validateResourceQuantityValue('storage', q, f));
  }
  return errs;
}

function pvcResourceKey(key: string, field: string): FieldError[] {
  const errs = qualifiedName(key, field);
  if (errs.length) return errs;
  const native = !key.includes('/') || key.includes('kubernetes.io/');
  if (native && key !== 'storage') return [fieldErrors.notSupported(field, key, ['storage'])];
  return [];
}

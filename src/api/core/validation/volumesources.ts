/**
 * Validation of the individual volume source types (hostPath, nfs, iscsi, the cloud disks, csi …),
 * shared by pod volumes and PersistentVolumes. `persistent` selects the PersistentVolume variant where
 * upstream's rules differ (secret references there need a namespace).
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { arr, num, rec, str, strings, type JsonObject } from '../util.js';
import { dns1123Label, dns1123Subdomain, inclusiveRangeError, pathNoBacksteps } from './common.js';

const PD_PARTITION_ERROR = inclusiveRangeError(1, 255);
const IQN_RE = /^iqn\.\d{4}-\d{2}\.([A-Za-z0-9\-.]+)(:[^,;*&$|\s]+)$/;
const EUI_RE = /^eui.[A-Za-z0-9]{16}$/;
const NAA_RE = /^naa.[A-Za-z0-9]{32}$/;

export const SUPPORTED_HOST_PATH_TYPES = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
] as const;

function required(src: JsonObject, key: string, path: string, errs: FieldError[], detail?: string): boolean {
  if (str(src[key]) === '') {
    errs.push(fieldErrors.required(`${path}.${key}`, detail));
    return false;
  }
  return true;
}

export function validateHostPath(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = str(src['path']);
  if (p === '') return [fieldErrors.required(`${path}.path`)];
  errs.push(...pathNoBacksteps(p, `${path}.path`));
  const t = src['type'];
  if (typeof t === 'string' && !(SUPPORTED_HOST_PATH_TYPES as readonly string[]).includes(t))
    errs.push(fieldErrors.notSupported(`${path}.type`, t, SUPPORTED_HOST_PATH_TYPES));
  return errs;
}

export function validateGCEPersistentDisk(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'pdName', path, errs);
  const part = num(src['partition']) ?? 0;
  if (part < 0 || part > 255) errs.push(fieldErrors.invalid(`${path}.partition`, part, PD_PARTITION_ERROR));
  return errs;
}

export function validateAWSElasticBlockStore(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'volumeID', path, errs);
  const part = num(src['partition']) ?? 0;
  if (part < 0 || part > 255) errs.push(fieldErrors.invalid(`${path}.partition`, part, PD_PARTITION_ERROR));
  return errs;
}

export function validateGitRepo(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'repository', path, errs);
  const dir = str(src['directory']);
  if (dir.startsWith('/'))
    errs.push(fieldErrors.invalid(`${path}.directory`, dir, 'must be a relative path'));
  errs.push(...pathNoBacksteps(dir, `${path}.directory`));
  return errs;
}

export function validateNFS(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'server', path, errs);
  required(src, 'path', path, errs);
  const p = str(src['path']);
  if (!p.startsWith('/')) errs.push(fieldErrors.invalid(`${path}.path`, p, 'must be an absolute path'));
  return errs;
}

function validateIQN(iqn: string, field: string, prefixMessage: string): FieldError[] {
  if (!iqn.startsWith('iqn') && !iqn.startsWith('eui') && !iqn.startsWith('naa'))
    return [fieldErrors.invalid(field, iqn, prefixMessage)];
  if (
    (iqn.startsWith('iqn') && !IQN_RE.test(iqn)) ||
    (iqn.startsWith('eui') && !EUI_RE.test(iqn)) ||
    (iqn.startsWith('naa') && !NAA_RE.test(iqn))
  )
    return [fieldErrors.invalid(field, iqn, 'must be valid format')];
  return [];
}

export function validateISCSI(
  src: JsonObject,
  path: string,
  persistent: boolean,
  volName: string,
): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'targetPortal', path, errs);
  const portal = str(src['targetPortal']);
  if (persistent && typeof src['initiatorName'] === 'string' && `${volName}:${portal}`.length > 64)
    errs.push(
      fieldErrors.invalid(
        `${path}.targetportal`,
        portal,
        'Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.',
      ),
    );
  const iqn = str(src['iqn']);
  if (iqn === '') errs.push(fieldErrors.required(`${path}.iqn`));
  else
    errs.push(
      ...validateIQN(
        iqn,
        `${path}.iqn`,
        persistent ? 'must be valid format' : 'must be valid format starting with iqn, eui, or naa',
      ),
    );
  const lun = num(src['lun']) ?? 0;
  if (lun < 0 || lun > 255) errs.push(fieldErrors.invalid(`${path}.lun`, lun, inclusiveRangeError(0, 255)));
  if ((src['chapAuthDiscovery'] === true || src['chapAuthSession'] === true) && !rec(src['secretRef']))
    errs.push(fieldErrors.required(`${path}.secretRef`));
  const secretRef = rec(src['secretRef']);
  if (persistent && secretRef && str(secretRef['name']) === '')
    errs.push(fieldErrors.required(`${path}.secretRef.name`));
  const initiator = src['initiatorName'];
  if (typeof initiator === 'string') {
    const f = `${path}.initiatorname`;
    if (!initiator.startsWith('iqn') && !initiator.startsWith('eui') && !initiator.startsWith('naa'))
      errs.push(
        fieldErrors.invalid(
          f,
          initiator,
          persistent ? 'must be valid format' : 'must be valid format starting with iqn, eui, or naa',
        ),
      );
    if (
      (initiator.startsWith('iqn') && !IQN_RE.test(initiator)) ||
      (initiator.startsWith('eui') && !EUI_RE.test(initiator)) ||
      (initiator.startsWith('naa') && !NAA_RE.test(initiator))
    )
      errs.push(fieldErrors.invalid(f, initiator, 'must be valid format'));
  }
  return errs;
}

export function validateGlusterfs(src: JsonObject, path: string, persistent: boolean): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'endpoints', path, errs);
  required(src, 'path', path, errs);
  const ns = src['endpointsNamespace'];
  if (persistent && typeof ns === 'string') {
    if (ns === '')
      errs.push(
        fieldErrors.invalid(
          `${path}.endpointsNamespace`,
          ns,
          'if the endpointnamespace is set, it must be a valid namespace name',
        ),
      );
    else errs.push(...dns1123Label(ns, `${path}.endpointsNamespace`));
  }
  return errs;
}

export function validateFlocker(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(src['datasetName']);
  const uuid = str(src['datasetUUID']);
  if (name === '' && uuid === '')
    errs.push(fieldErrors.required(path, 'one of datasetName and datasetUUID is required'));
  if (name !== '' && uuid !== '')
    errs.push(
      fieldErrors.invalid(
        path,
        'resource',
        'datasetName and datasetUUID can not be specified simultaneously',
      ),
    );
  if (name.includes('/')) errs.push(fieldErrors.invalid(`${path}.datasetName`, name, "must not contain '/'"));
  return errs;
}

export function validateRBD(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(src['monitors']).length === 0) errs.push(fieldErrors.required(`${path}.monitors`));
  required(src, 'image', path, errs);
  return errs;
}

export function validateCinder(src: JsonObject, path: string, persistent: boolean): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'volumeID', path, errs);
  const ref = rec(src['secretRef']);
  if (ref) {
    if (str(ref['name']) === '') errs.push(fieldErrors.required(`${path}.secretRef.name`));
    if (persistent && str(ref['namespace']) === '')
      errs.push(fieldErrors.required(`${path}.secretRef.namespace`));
  }
  return errs;
}

export function validateCephFS(src: JsonObject, path: string): FieldError[] {
  return arr(src['monitors']).length === 0 ? [fieldErrors.required(`${path}.monitors`)] : [];
}

export function validateQuobyte(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const registry = str(src['registry']);
  const hostPortMsg = 'must be a host:port pair or multiple pairs separated by commas';
  if (registry === '') errs.push(fieldErrors.required(`${path}.registry`, hostPortMsg));
  else if (str(src['tenant']).length >= 65)
    errs.push(
      fieldErrors.required(`${path}.tenant`, 'must be a UUID and may not exceed a length of 64 characters'),
    );
  else
    for (const pair of registry.split(','))
      if (!splitsAsHostPort(pair)) errs.push(fieldErrors.invalid(`${path}.registry`, registry, hostPortMsg));
  required(src, 'volume', path, errs);
  return errs;
}

/** Go's net.SplitHostPort succeeds: `host:port`, or `[v6]:port`. */
function splitsAsHostPort(pair: string): boolean {
  const i = pair.lastIndexOf(':');
  if (i < 0) return false;
  const host = pair.slice(0, i);
  if (host.startsWith('[')) return host.endsWith(']') && !host.slice(1, -1).includes('[');
  return !host.includes(':') && !host.includes('[') && !host.includes(']');
}

export function validateFC(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const wwns = strings(src['targetWWNs']);
  const wwids = strings(src['wwids']);
  if (wwns.length < 1 && wwids.length < 1)
    errs.push(
      fieldErrors.required(`${path}.targetWWNs`, 'must specify either targetWWNs or wwids, but not both'),
    );
  if (wwns.length && wwids.length)
    errs.push(
      fieldErrors.invalid(
        `${path}.targetWWNs`,
        wwns,
        'targetWWNs and wwids can not be specified simultaneously',
      ),
    );
  if (wwns.length) {
    const lun = num(src['lun']);
    if (lun === undefined)
      errs.push(fieldErrors.required(`${path}.lun`, 'lun is required if targetWWNs is specified'));
    else if (lun < 0 || lun > 255)
      errs.push(fieldErrors.invalid(`${path}.lun`, lun, inclusiveRangeError(0, 255)));
  }
  return errs;
}

export function validateFlexVolume(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'driver', path, errs);
  for (const k of Object.keys(rec(src['options']) ?? {})) {
    const ns = k.includes('/') ? (k.split('/')[0] ?? '') : k;
    const normalized = `.${ns.toLowerCase()}`;
    if (normalized.endsWith('.kubernetes.io') || normalized.endsWith('.k8s.io'))
      errs.push(
        fieldErrors.invalid(`${path}.options[${k}]`, k, 'kubernetes.io and k8s.io namespaces are reserved'),
      );
  }
  return errs;
}

export function validateAzureFile(src: JsonObject, path: string, persistent: boolean): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'secretName', path, errs);
  required(src, 'shareName', path, errs);
  if (persistent && src['secretNamespace'] === '') errs.push(fieldErrors.required(`${path}.secretNamespace`));
  return errs;
}

export function validateAzureDisk(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'diskName', path, errs);
  required(src, 'diskURI', path, errs);
  const caching = src['cachingMode'];
  const cachingModes = ['None', 'ReadOnly', 'ReadWrite'];
  if (typeof caching === 'string' && !cachingModes.includes(caching))
    errs.push(fieldErrors.notSupported(`${path}.cachingMode`, caching, cachingModes));
  const kind = src['kind'];
  const kinds = ['Dedicated', 'Managed', 'Shared'];
  if (typeof kind === 'string' && !kinds.includes(kind))
    errs.push(fieldErrors.notSupported(`${path}.kind`, kind, kinds));
  const uri = str(src['diskURI']);
  if (typeof kind === 'string' && kind === 'Managed' && !uri.startsWith('/subscriptions/'))
    errs.push(
      fieldErrors.notSupported(`${path}.diskURI`, uri, [
        '/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}',
      ]),
    );
  if (typeof kind === 'string' && kind !== 'Managed' && !uri.startsWith('https://'))
    errs.push(
      fieldErrors.notSupported(`${path}.diskURI`, uri, [
        'https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd',
      ]),
    );
  return errs;
}

export function validateVsphereVolume(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'volumePath', path, errs);
  return errs;
}

export function validatePhotonPersistentDisk(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'pdID', path, errs);
  return errs;
}

export function validatePortworx(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'volumeID', path, errs);
  return errs;
}

export function validateScaleIO(src: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  required(src, 'gateway', path, errs);
  required(src, 'system', path, errs);
  required(src, 'volumeName', path, errs);
  return errs;
}

export function validateStorageOS(src: JsonObject, path: string, persistent: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(src['volumeName']);
  if (name === '') errs.push(fieldErrors.required(`${path}.volumeName`));
  else errs.push(...dns1123Label(name, `${path}.volumeName`));
  const ns = str(src['volumeNamespace']);
  if (ns !== '') errs.push(...dns1123Label(ns, `${path}.volumeNamespace`));
  const ref = rec(src['secretRef']);
  if (ref) {
    if (str(ref['name']) === '') errs.push(fieldErrors.required(`${path}.secretRef.name`));
    if (persistent && str(ref['namespace']) === '')
      errs.push(fieldErrors.required(`${path}.secretRef.namespace`));
  }
  return errs;
}

export function validateLocal(src: JsonObject, path: string): FieldError[] {
  const p = str(src['path']);
  if (p === '') return [fieldErrors.required(`${path}.path`)];
  return pathNoBacksteps(p, `${path}.path`);
}

/** A CSI driver name: required, at most 63 characters, a DNS subdomain once lower-cased. */
export function validateCSIDriverName(driver: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (driver === '') errs.push(fieldErrors.required(field));
  if (driver.length > 63)
    errs.push({ type: 'FieldValueTooLong', field, detail: 'may not be more than 63 bytes' });
  for (const m of isDNS1123Subdomain(driver.toLowerCase())) errs.push(fieldErrors.invalid(field, driver, m));
  return errs;
}

function validatePVSecretReference(ref: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(ref['name']);
  if (name === '') errs.push(fieldErrors.required(`${path}.name`));
  else errs.push(...dns1123Subdomain(name, `${path}.name`));
  const ns = str(ref['namespace']);
  if (ns === '') errs.push(fieldErrors.required(`${path}.namespace`));
  else errs.push(...dns1123Label(ns, `${path}.namespace`));
  return errs;
}

export function validateCSIVolume(src: JsonObject, path: string): FieldError[] {
  const errs = validateCSIDriverName(str(src['driver']), `${path}.driver`);
  const ref = rec(src['nodePublishSecretRef']);
  if (ref) {
    const name = str(ref['name']);
    if (name === '') errs.push(fieldErrors.required(`${path}.nodePublishSecretRef.name`));
    else errs.push(...dns1123Subdomain(name, `${path}.name`));
  }
  return errs;
}

export function validateCSIPersistent(src: JsonObject, path: string): FieldError[] {
  const errs = validateCSIDriverName(str(src['driver']), `${path}.driver`);
  if (str(src['volumeHandle']) === '') errs.push(fieldErrors.required(`${path}.volumeHandle`));
  for (const key of [
    'controllerPublishSecretRef',
    'controllerExpandSecretRef',
    'nodePublishSecretRef',
    'nodeExpandSecretRef',
  ]) {
    const ref = rec(src[key]);
    if (ref) errs.push(...validatePVSecretReference(ref, `${path}.${key}`));
  }
  return errs;
}

/**
 * Pod volumes: names, exactly one source each, and each source's own rules (upstream's ValidateVolumes).
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { isSet, num, rec, records, str, type JsonObject } from '../util.js';
import { dns1123Label, fileMode, labelSelector, localNonReservedPath } from './common.js';
import {
  VOLUME_FIELD_PATHS,
  validateObjectFieldSelector,
  validateResourceFieldSelector,
} from './downwardapi.js';
import { validatePersistentVolumeClaimTemplate } from './pvcspec.js';
import { quantityField } from './resources.js';
import * as src from './volumesources.js';

export const SUPPORTED_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** `imagePullPolicy` (and image volumes' `pullPolicy`): required, one of the three. */
export function validatePullPolicy(policy: unknown, field: string): FieldError[] {
  const p = str(policy);
  if (p === '') return [fieldErrors.required(field)];
  return SUPPORTED_PULL_POLICIES.includes(p)
    ? []
    : [fieldErrors.notSupported(field, p, SUPPORTED_PULL_POLICIES)];
}

export interface VolumeValidationOptions {
  /** The object is a Pod (not a template): image volumes need a reference. */
  resourceIsPod?: boolean;
  /** The pod's name, when known: generic ephemeral volumes' PVC names derive from it. */
  podName?: string;
}

/** Validated volumes by name (only those without errors), plus the errors. */
export interface VolumesResult {
  volumes: Map<string, JsonObject>;
  errors: FieldError[];
}

/** Upstream's ValidateVolumes. */
export function validateVolumes(
  value: unknown,
  path: string,
  opts: VolumeValidationOptions = {},
): VolumesResult {
  const errs: FieldError[] = [];
  const volumes = new Map<string, JsonObject>();
  const names = new Set<string>();
  const createdPVCs = new Set<string>();
  if (opts.podName)
    for (const [v] of records(value))
      if (isSet(v['ephemeral'])) createdPVCs.add(`${opts.podName}-${str(v['name'])}`);

  for (const [vol, i] of records(value)) {
    const idxPath = `${path}[${i}]`;
    const namePath = `${idxPath}.name`;
    const name = str(vol['name']);
    const el = validateVolumeSource(vol, idxPath, name, opts);
    if (name === '') el.push(fieldErrors.required(namePath));
    else el.push(...dns1123Label(name, namePath));
    if (names.has(name)) el.push(fieldErrors.duplicate(namePath, name));
    if (el.length === 0) {
      names.add(name);
      volumes.set(name, vol);
    } else errs.push(...el);
    const claim = rec(vol['persistentVolumeClaim']);
    if (claim && createdPVCs.has(str(claim['claimName'])))
      errs.push(
        fieldErrors.invalid(
          `${idxPath}.persistentVolumeClaim.claimName`,
          str(claim['claimName']),
          'must not reference a PVC that gets created for an ephemeral volume',
        ),
      );
  }
  return { volumes, errors: errs };
}

type SourceCheck = (
  s: JsonObject,
  path: string,
  ctx: { volName: string; volPath: string; opts: VolumeValidationOptions },
) => FieldError[];

/** Pod volume sources in upstream's order: [field, path used in the "more than 1" error, check]. */
const POD_SOURCES: [string, string, SourceCheck][] = [
  ['emptyDir', 'emptyDir', (s, p) => validateEmptyDir(s, p)],
  ['hostPath', 'hostPath', (s, p) => src.validateHostPath(s, p)],
  ['gitRepo', 'gitRepo', (s, p) => src.validateGitRepo(s, p)],
  [
    'gcePersistentDisk',
    'gcePersistentDisk',
    (s, p) => src.validateGCEPersistentDisk(s, p.replace(/gcePersistentDisk$/, 'persistentDisk')),
  ],
  ['awsElasticBlockStore', 'awsElasticBlockStore', (s, p) => src.validateAWSElasticBlockStore(s, p)],
  ['secret', 'secret', (s, p) => validateSecretSource(s, p)],
  ['nfs', 'nfs', (s, p) => src.validateNFS(s, p)],
  ['iscsi', 'iscsi', (s, p, c) => validatePodISCSI(s, p, c.volName, c.volPath)],
  ['glusterfs', 'glusterfs', (s, p) => src.validateGlusterfs(s, p, false)],
  ['flocker', 'flocker', (s, p) => src.validateFlocker(s, p)],
  [
    'persistentVolumeClaim',
    'persistentVolumeClaim',
    (s, p) => (str(s['claimName']) === '' ? [fieldErrors.required(`${p}.claimName`)] : []),
  ],
  ['rbd', 'rbd', (s, p) => src.validateRBD(s, p)],
  ['cinder', 'cinder', (s, p) => src.validateCinder(s, p, false)],
  ['cephfs', 'cephFS', (s, p) => src.validateCephFS(s, p)],
  ['quobyte', 'quobyte', (s, p) => src.validateQuobyte(s, p)],
  ['downwardAPI', 'downwarAPI', (s, p) => validateDownwardAPISource(s, p)],
  ['fc', 'fc', (s, p) => src.validateFC(s, p)],
  ['flexVolume', 'flexVolume', (s, p) => src.validateFlexVolume(s, p)],
  ['configMap', 'configMap', (s, p) => validateConfigMapSource(s, p)],
  ['azureFile', 'azureFile', (s, p) => src.validateAzureFile(s, p, false)],
  ['vsphereVolume', 'vsphereVolume', (s, p) => src.validateVsphereVolume(s, p)],
  ['photonPersistentDisk', 'photonPersistentDisk', (s, p) => src.validatePhotonPersistentDisk(s, p)],
  ['portworxVolume', 'portworxVolume', (s, p) => src.validatePortworx(s, p)],
  ['azureDisk', 'azureDisk', (s, p) => src.validateAzureDisk(s, p)],
  ['storageos', 'storageos', (s, p) => src.validateStorageOS(s, p, false)],
  ['projected', 'projected', (s, p) => validateProjected(s, p)],
  ['scaleIO', 'scaleIO', (s, p) => src.validateScaleIO(s, p)],
  ['csi', 'csi', (s, p) => src.validateCSIVolume(s, p)],
  ['ephemeral', 'ephemeral', (s, p, c) => validateEphemeral(s, p, c.volName, c.volPath, c.opts)],
  ['image', 'image', (s, p, c) => validateImageSource(s, p, c.opts)],
];

function validateVolumeSource(
  vol: JsonObject,
  path: string,
  volName: string,
  opts: VolumeValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [key, forbiddenKey, check] of POD_SOURCES) {
    if (!isSet(vol[key])) continue;
    if (count > 0) {
      errs.push(fieldErrors.forbidden(`${path}.${forbiddenKey}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...check(rec(vol[key]) ?? {}, `${path}.${key}`, { volName, volPath: path, opts }));
  }
  if (count === 0) errs.push(fieldErrors.required(path, 'must specify a volume type'));
  return errs;
}

function validateEmptyDir(s: JsonObject, path: string): FieldError[] {
  if (!isSet(s['sizeLimit'])) return [];
  const errs: FieldError[] = [];
  const q = quantityField(s['sizeLimit'], `${path}.sizeLimit`, errs);
  if (q && q.sign() < 0)
    errs.push(
      fieldErrors.forbidden(`${path}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'),
    );
  return errs;
}

function validatePodISCSI(s: JsonObject, path: string, volName: string, volPath: string): FieldError[] {
  const errs = src.validateISCSI(s, path, false, volName);
  if (typeof s['initiatorName'] === 'string' && `${volName}:${str(s['targetPortal'])}`.length > 64)
    errs.push(
      fieldErrors.invalid(
        `${volPath}.name`,
        volName,
        'Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.',
      ),
    );
  return errs;
}

function validateKeyToPath(kp: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (str(kp['key']) === '') errs.push(fieldErrors.required(`${path}.key`));
  const p = str(kp['path']);
  if (p === '') errs.push(fieldErrors.required(`${path}.path`));
  errs.push(...localNonReservedPath(p, `${path}.path`));
  errs.push(...fileMode(kp['mode'], `${path}.mode`));
  return errs;
}

function validateSecretSource(s: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s['secretName']) === '') errs.push(fieldErrors.required(`${path}.secretName`));
  errs.push(...fileMode(s['defaultMode'], `${path}.defaultMode`));
  for (const [kp, i] of records(s['items'])) errs.push(...validateKeyToPath(kp, `${path}.items[${i}]`));
  return errs;
}

function validateConfigMapSource(s: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (str(s['name']) === '') errs.push(fieldErrors.required(`${path}.name`));
  errs.push(...fileMode(s['defaultMode'], `${path}.defaultMode`));
  for (const [kp, i] of records(s['items'])) errs.push(...validateKeyToPath(kp, `${path}.items[${i}]`));
  return errs;
}

function validateDownwardAPIFile(file: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = str(file['path']);
  if (p === '') errs.push(fieldErrors.required(`${path}.path`));
  errs.push(...localNonReservedPath(p, `${path}.path`));
  const fieldRef = rec(file['fieldRef']);
  const resourceRef = rec(file['resourceFieldRef']);
  if (fieldRef) {
    errs.push(...validateObjectFieldSelector(fieldRef, VOLUME_FIELD_PATHS, `${path}.fieldRef`));
    if (resourceRef)
      errs.push(
        fieldErrors.invalid(
          path,
          'resource',
          'fieldRef and resourceFieldRef can not be specified simultaneously',
        ),
      );
  } else if (resourceRef) {
    errs.push(...validateResourceFieldSelector(resourceRef, `${path}.resourceFieldRef`, true));
  } else {
    errs.push(fieldErrors.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...fileMode(file['mode'], `${path}.mode`));
  return errs;
}

function validateDownwardAPISource(s: JsonObject, path: string): FieldError[] {
  const errs = fileMode(s['defaultMode'], `${path}.defaultMode`);
  for (const [file] of records(s['items'])) errs.push(...validateDownwardAPIFile(file, path));
  return errs;
}

function validateProjected(s: JsonObject, path: string): FieldError[] {
  const errs = fileMode(s['defaultMode'], `${path}.defaultMode`);
  const allPaths = new Set<string>();
  const addPath = (p: string, bad: string): void => {
    if (allPaths.has(p)) errs.push(fieldErrors.invalid(path, bad, 'conflicting duplicate paths'));
    else allPaths.add(p);
  };
  for (const [source, i] of records(s['sources'])) {
    let count = 0;
    const srcPath = `${path}.sources[${i}]`;
    for (const key of ['secret', 'configMap'] as const) {
      const ref = rec(source[key]);
      if (!ref) continue;
      count++;
      const projPath = `${srcPath}.${key}`;
      if (str(ref['name']) === '') errs.push(fieldErrors.required(`${projPath}.name`));
      for (const [kp, j] of records(ref['items'])) {
        errs.push(...validateKeyToPath(kp, `${projPath}.items[${j}]`));
        const p = str(kp['path']);
        if (p !== '') addPath(p, str(ref['name']));
      }
    }
    const dapi = rec(source['downwardAPI']);
    if (dapi) {
      count++;
      const projPath = `${srcPath}.downwardAPI`;
      for (const [file] of records(dapi['items'])) {
        errs.push(...validateDownwardAPIFile(file, projPath));
        const p = str(file['path']);
        if (p !== '') addPath(p, p);
      }
    }
    const sat = rec(source['serviceAccountToken']);
    if (sat) {
      count++;
      const projPath = `${srcPath}.serviceAccountToken`;
      const exp = num(sat['expirationSeconds']) ?? 0;
      if (exp < 600)
        errs.push(
          fieldErrors.invalid(
            `${projPath}.expirationSeconds`,
            exp,
            'may not specify a duration less than 10 minutes',
          ),
        );
      if (exp > 2 ** 32)
        errs.push(
          fieldErrors.invalid(
            `${projPath}.expirationSeconds`,
            exp,
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
      const p = str(sat['path']);
      if (p === '') errs.push(fieldErrors.required(`${path}.path`));
      else errs.push(...localNonReservedPath(p, `${path}.path`));
    }
    const ctb = rec(source['clusterTrustBundle']);
    if (ctb) {
      count++;
      errs.push(...validateClusterTrustBundleProjection(ctb, `${srcPath}.clusterTrustBundle`));
      addPath(str(ctb['path']), str(ctb['path']));
    }
    if (count > 1)
      errs.push(fieldErrors.forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  }
  return errs;
}

function validateClusterTrustBundleProjection(ctb: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = ctb['name'];
  const signer = ctb['signerName'];
  const usingName = typeof name === 'string';
  const usingSigner = typeof signer === 'string';
  if (usingName && usingSigner) {
    errs.push(fieldErrors.invalid(path, ctb, 'only one of name and signerName may be used'));
  } else if (usingName) {
    if (name === '') errs.push(fieldErrors.required(`${path}.name`, 'must be a valid object name'));
    else
      for (const m of isDNS1123Subdomain(name))
        errs.push(fieldErrors.invalid(`${path}.name`, name, `not a valid clustertrustbundlename: ${m}`));
    if (isSet(ctb['labelSelector']))
      errs.push(
        fieldErrors.invalid(
          `${path}.labelSelector`,
          ctb['labelSelector'],
          'labelSelector must be unset if name is specified',
        ),
      );
  } else if (usingSigner) {
    if (signer === '') errs.push(fieldErrors.required(`${path}.signerName`, 'must be a valid signer name'));
    errs.push(...labelSelector(ctb['labelSelector'], `${path}.labelSelector`));
  } else {
    errs.push(fieldErrors.required(path, 'either name or signerName must be specified'));
  }
  const p = str(ctb['path']);
  if (p === '') errs.push(fieldErrors.required(`${path}.path`));
  errs.push(...localNonReservedPath(p, `${path}.path`));
  return errs;
}

function validateEphemeral(
  s: JsonObject,
  path: string,
  volName: string,
  volPath: string,
  opts: VolumeValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const template = rec(s['volumeClaimTemplate']);
  if (!template) errs.push(fieldErrors.required(`${path}.volumeClaimTemplate`));
  else errs.push(...validatePersistentVolumeClaimTemplate(template, `${path}.volumeClaimTemplate`));
  if (opts.podName && volName) {
    const pvcName = `${opts.podName}-${volName}`;
    for (const m of isDNS1123Subdomain(pvcName))
      errs.push(fieldErrors.invalid(`${volPath}.name`, volName, `PVC name ${JSON.stringify(pvcName)}: ${m}`));
  }
  return errs;
}

function validateImageSource(s: JsonObject, path: string, opts: VolumeValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (opts.resourceIsPod && str(s['reference']) === '') errs.push(fieldErrors.required(`${path}.reference`));
  errs.push(...validatePullPolicy(s['pullPolicy'], `${path}.pullPolicy`));
  return errs;
}

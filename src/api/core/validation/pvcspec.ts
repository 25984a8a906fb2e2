/**
 * PersistentVolumeClaimSpec validation, shared by PVCs and by generic ephemeral volumes' claim templates.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { validateAnnotations, validateLabels } from '../../validation/objectmeta.js';
import { isZero, rec, str, strings, type JsonObject } from '../util.js';
import { NOT_POSITIVE, dns1123Label, dns1123Subdomain, invalidGo, labelSelector } from './common.js';
import { quantityField, validateResourceQuantityValue } from './resources.js';

export const SUPPORTED_ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const SUPPORTED_VOLUME_MODES = ['Block', 'Filesystem'];

/** Access modes: known values, and ReadWriteOncePod alone. */
export function validateAccessModes(modes: string[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const mode of modes) {
    if (!SUPPORTED_ACCESS_MODES.includes(mode))
      errs.push(fieldErrors.notSupported(field, mode, SUPPORTED_ACCESS_MODES));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (SUPPORTED_ACCESS_MODES.includes(mode)) other = true;
  }
  if (rwop && other)
    errs.push(fieldErrors.forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateDataSource(ds: JsonObject, path: string, withNamespace: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (str(ds['name']) === '') errs.push(fieldErrors.required(`${path}.name`));
  const kind = str(ds['kind']);
  if (kind === '') errs.push(fieldErrors.required(`${path}.kind`));
  const group = str(ds['apiGroup']);
  if (group === '' && kind !== 'PersistentVolumeClaim')
    errs.push(
      fieldErrors.invalid(
        path,
        kind,
        "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
      ),
    );
  if (group !== '')
    for (const m of isDNS1123Subdomain(group)) errs.push(fieldErrors.invalid(`${path}.apiGroup`, group, m));
  const ns = str(ds['namespace']);
  if (withNamespace && ns !== '') errs.push(...dns1123Label(ns, `${path}.namespace`));
  return errs;
}

/** Upstream's ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(specValue: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(specValue) ?? {};
  const modes = strings(spec['accessModes']);
  if (modes.length === 0)
    errs.push(fieldErrors.required(`${path}.accessModes`, 'at least 1 access mode is required'));
  errs.push(...labelSelector(spec['selector'], `${path}.selector`));
  errs.push(...validateAccessModes(modes, `${path}.accessModes`));

  const storagePath = `${path}.resources[storage]`;
  const requests = rec(rec(spec['resources'])?.['requests']) ?? {};
  if (!('storage' in requests)) {
    errs.push(fieldErrors.required(storagePath));
  } else {
    const q = quantityField(requests['storage'], storagePath, errs);
    if (q && q.sign() <= 0) errs.push(fieldErrors.invalid(storagePath, q.toString(), NOT_POSITIVE));
    else if (q) errs.push(...validateResourceQuantityValue('storage', q, storagePath));
  }

  const sc = spec['storageClassName'];
  if (typeof sc === 'string' && sc !== '') errs.push(...dns1123Subdomain(sc, `${path}.storageClassName`));
  const mode = spec['volumeMode'];
  if (typeof mode === 'string' && !SUPPORTED_VOLUME_MODES.includes(mode))
    errs.push(fieldErrors.notSupported(`${path}.volumeMode`, mode, SUPPORTED_VOLUME_MODES));

  const ds = rec(spec['dataSource']);
  const dsr = rec(spec['dataSourceRef']);
  if (ds) errs.push(...validateDataSource(ds, `${path}.dataSource`, false));
  if (dsr) errs.push(...validateDataSource(dsr, `${path}.dataSourceRef`, true));
  if (dsr && str(dsr['namespace']) !== '') {
    if (ds)
      errs.push(
        invalidGo(
          path,
          `${path}.dataSource`,
          'may not be specified when dataSourceRef.namespace is specified',
        ),
      );
  } else if (ds && dsr) {
    const same =
      str(ds['apiGroup']) === str(dsr['apiGroup']) &&
      (ds['apiGroup'] === undefined) === (dsr['apiGroup'] === undefined) &&
      str(ds['kind']) === str(dsr['kind']) &&
      str(ds['name']) === str(dsr['name']);
    if (!same) errs.push(invalidGo(path, `${path}.dataSource`, 'must match dataSourceRef'));
  }
  return errs;
}

/** Template metadata: only labels and annotations may be set. */
export function validateTemplateObjectMeta(metaValue: unknown, path: string): FieldError[] {
  const meta = rec(metaValue) ?? {};
  const errs = validateAnnotations(meta['annotations'], `${path}.annotations`);
  errs.push(...validateLabels(meta['labels'], `${path}.labels`));
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'labels' || k === 'annotations' || isZero(v)) continue;
    errs.push(fieldErrors.forbidden(`${path}.${k}`, 'cannot be set'));
  }
  return errs;
}

/** A generic ephemeral volume's claim template. */
export function validatePersistentVolumeClaimTemplate(template: JsonObject, path: string): FieldError[] {
  const errs = validateTemplateObjectMeta(template['metadata'], `${path}.metadata`);
  errs.push(...validatePersistentVolumeClaimSpec(template['spec'], `${path}.spec`));
  return errs;
}

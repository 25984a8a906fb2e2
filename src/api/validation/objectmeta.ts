/**
 * ObjectMeta validation shared by every kind (upstream's ValidateObjectMeta and
 * ValidateObjectMetaUpdate), plus labels, annotations and label selectors.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../errors.js';
import { isObject, type ObjectMeta } from '../meta.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
} from './names.js';

/** Upstream's limit on the total size of all annotations: 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** A name check: messages for `name` (with `prefix` true, a generateName prefix: a trailing '-' is allowed). */
export type NameCheck = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameChecks: Record<'subdomain' | 'label' | 'path-segment' | 'dns1035', NameCheck> = {
  subdomain: (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name),
  label: (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name),
  'path-segment': (name) => isValidPathSegmentName(name),
  dns1035: (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name),
};

/** Label keys and values. */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined || labels === null) return errs;
  if (!isObject(labels))
    return [fieldErrors.invalid(field, labels, 'must be a map of string keys to string values')];
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(fieldErrors.invalid(field, k, m));
    if (typeof v !== 'string') {
      errs.push(fieldErrors.invalid(field, v, 'must be a string'));
      continue;
    }
    for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(field, v, m));
  }
  return errs;
}

/** Annotation keys (qualified names, case-insensitive) and total size. */
export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (annotations === undefined || annotations === null) return errs;
  if (!isObject(annotations))
    return [fieldErrors.invalid(field, annotations, 'must be a map of string keys to string values')];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(field, k, m));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({
      type: 'FieldValueTooLong',
      field,
      detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
    });
  }
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (finalizers === undefined || finalizers === null) return errs;
  if (!Array.isArray(finalizers))
    return [fieldErrors.invalid(field, finalizers, 'must be a list of strings')];
  const seen = new Set<string>();
  for (const f of finalizers) {
    if (typeof f !== 'string') {
      errs.push(fieldErrors.invalid(field, f, 'must be a string'));
      continue;
    }
    for (const m of isQualifiedName(f)) errs.push(fieldErrors.invalid(field, f, m));
    if (!STANDARD_FINALIZERS.has(f) && !f.includes('/')) {
      errs.push(
        fieldErrors.forbidden(field, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
    if (seen.has(f)) errs.push(fieldErrors.duplicate(field, f));
    seen.add(f);
  }
  if (seen.has('orphan') && seen.has('foregroundDeletion')) {
    errs.push(
      fieldErrors.invalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'),
    );
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (refs === undefined || refs === null) return errs;
  if (!Array.isArray(refs)) return [fieldErrors.invalid(field, refs, 'must be a list')];
  let controllers = 0;
  refs.forEach((ref: unknown, i) => {
    const path = `${field}[${i}]`;
    if (!isObject(ref)) {
      errs.push(fieldErrors.invalid(path, ref, 'must be an object'));
      return;
    }
    const apiVersion = ref['apiVersion'];
    if (typeof apiVersion !== 'string' || apiVersion === '' || apiVersion.split('/').length > 2) {
      errs.push(fieldErrors.invalid(`${path}.apiVersion`, apiVersion ?? '', 'version must not be empty'));
    }
    if (typeof ref['kind'] !== 'string' || ref['kind'] === '')
      errs.push(fieldErrors.invalid(`${path}.kind`, ref['kind'] ?? '', 'must not be empty'));
    if (typeof ref['name'] !== 'string' || ref['name'] === '')
      errs.push(fieldErrors.invalid(`${path}.name`, ref['name'] ?? '', 'must not be empty'));
    if (typeof ref['uid'] !== 'string' || ref['uid'] === '')
      errs.push(fieldErrors.invalid(`${path}.uid`, ref['uid'] ?? '', 'must not be empty'));
    if (ref['controller'] === true) controllers++;
  });
  if (controllers > 1) {
    errs.push(fieldErrors.invalid(field, refs, 'Only one reference can have Controller set to true.'));
  }
  return errs;
}

/**
 * Validates metadata of a new object. `namespaced` says whether the kind is namespaced; `nameCheck`
 * is the kind's name rule.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  nameCheck: NameCheck,
): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  if (m.generateName) {
    for (const msg of nameCheck(m.generateName, true))
      errs.push(fieldErrors.invalid('metadata.generateName', m.generateName, msg));
  }
  if (!m.name) {
    errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of nameCheck(m.name, false)) errs.push(fieldErrors.invalid('metadata.name', m.name, msg));
  }
  if (namespaced) {
    if (!m.namespace) errs.push(fieldErrors.required('metadata.namespace'));
    else
      for (const msg of isDNS1123Label(m.namespace))
        errs.push(fieldErrors.invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErrors.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (m.generation !== undefined && m.generation < 0)
    errs.push(fieldErrors.invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

function immutable(field: string, value: unknown): FieldError {
  return fieldErrors.invalid(field, value, 'field is immutable');
}

/** Validates metadata of an update against the stored object's metadata. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  namespaced: boolean,
  nameCheck: NameCheck,
): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs = validateObjectMeta({ ...m, generateName: undefined }, namespaced, nameCheck);
  if (m.name !== o.name) errs.push(immutable('metadata.name', m.name));
  if ((m.namespace ?? '') !== (o.namespace ?? '')) errs.push(immutable('metadata.namespace', m.namespace));
  if (m.uid !== o.uid) errs.push(immutable('metadata.uid', m.uid));
  if (m.creationTimestamp !== o.creationTimestamp)
    errs.push(immutable('metadata.creationTimestamp', m.creationTimestamp));
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length > 0) {
      errs.push(
        fieldErrors.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
            .map((f) => JSON.stringify(f))
            .join(', ')}}`,
        ),
      );
    }
  }
  return errs;
}

/** metav1 LabelSelector validation (matchLabels keys/values, matchExpressions operators and values). */
export function validateLabelSelector(sel: LabelSelector | undefined | null, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!sel) return errs;
  errs.push(...validateLabels(sel.matchLabels, `${field}.matchLabels`));
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const path = `${field}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.push(
            fieldErrors.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          errs.push(
            fieldErrors.forbidden(
              `${path}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(fieldErrors.invalid(`${path}.operator`, req.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(req.key)) errs.push(fieldErrors.invalid(`${path}.key`, req.key, msg));
  });
  return errs;
}

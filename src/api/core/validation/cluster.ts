/**
 * Cluster-scoped core kinds: Namespace (finalizers, phase) and Node (taints, CIDRs, provider ID,
 * resources).
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { isQualifiedName } from '../../validation/names.js';
import { goStringSlice, isSet, rec, records, str, stringMap, strings, type JsonObject } from '../util.js';
import {
  cidrFamilyOf,
  dns1123Label,
  dns1123Subdomain,
  duplicateGo,
  invalidGo,
  isDualStackCIDRs,
  isConfigMapKey,
  validCIDR,
} from './common.js';
import { quantityField, validateResourceQuantityValue } from './resources.js';
import { validateTaints } from './scheduling.js';

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

function finalizerErrors(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErrors.invalid(field, name, m));
  if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name))
    errs.push(
      fieldErrors.invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified'),
    );
  return errs;
}

/** Upstream's ValidateNamespace (ObjectMeta aside): spec.finalizers. */
export function validateNamespace(ns: JsonObject): FieldError[] {
  return strings(rec(ns['spec'])?.['finalizers']).flatMap((f) => finalizerErrors(f, 'spec.finalizers'));
}

/** The namespace phase must agree with metadata.deletionTimestamp. */
export function validateNamespaceStatusUpdate(ns: JsonObject): FieldError[] {
  const deleting = isSet(rec(ns['metadata'])?.['deletionTimestamp']);
  const phase = str(rec(ns['status'])?.['phase']);
  if (!deleting && phase !== 'Active')
    return [
      fieldErrors.invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"),
    ];
  if (deleting && phase !== 'Terminating')
    return [
      fieldErrors.invalid(
        'status.Phase',
        phase,
        "may only be 'Terminating' if `deletionTimestamp` is not empty",
      ),
    ];
  return [];
}

/** The finalize subresource: the new spec.finalizers. */
export function validateNamespaceFinalizeUpdate(ns: JsonObject): FieldError[] {
  return strings(rec(ns['spec'])?.['finalizers']).flatMap((f, i) =>
    finalizerErrors(f, `spec.finalizers[${i}]`),
  );
}

function nodeAnnotations(node: JsonObject): FieldError[] {
  const ann = stringMap(rec(node['metadata'])?.['annotations']);
  const taints = ann['scheduler.alpha.kubernetes.io/taints'];
  if (!taints) return [];
  try {
    const parsed: unknown = JSON.parse(taints);
    return validateTaints(parsed, 'metadata.annotations.scheduler.alpha.kubernetes.io/taints');
  } catch (err) {
    return [fieldErrors.invalid('metadata.annotations', 'scheduler.alpha.kubernetes.io/taints', String(err))];
  }
}

function nodeResources(node: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const status = rec(node['status']) ?? {};
  for (const key of ['capacity', 'allocatable'])
    for (const [name, v] of Object.entries(rec(status[key]) ?? {})) {
      const f = `status.${key}.${name}`;
      const q = quantityField(v, f, errs);
      if (q) errs.push(...validateResourceQuantityValue(name, q, f));
    }
  return errs;
}

/** Upstream's ValidateNode (ObjectMeta aside). */
export function validateNode(node: JsonObject): FieldError[] {
  const errs = nodeAnnotations(node);
  const spec = rec(node['spec']) ?? {};
  if (records(spec['taints']).length > 0) errs.push(...validateTaints(spec['taints'], 'metadata.taints'));
  errs.push(...nodeResources(node));
  const cidrs = strings(spec['podCIDRs']);
  cidrs.forEach((c, i) => errs.push(...validCIDR(c, `spec.podCIDRs[${i}]`)));
  if (cidrs.length > 1) {
    if (cidrs.every((c) => cidrFamilyOf(c)) && (!isDualStackCIDRs(cidrs) || cidrs.length > 2))
      errs.push(
        invalidGo(
          'spec.podCIDRs',
          goStringSlice(cidrs),
          'may specify no more than one CIDR for each IP family',
        ),
      );
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldErrors.duplicate(`spec.podCIDRs[${i}]`, c));
      seen.add(c);
    });
  }
  return errs;
}

function validateConfigSource(value: unknown, path: string, inStatus: boolean): FieldError[] {
  const src = rec(value);
  if (!src) return [];
  const errs: FieldError[] = [];
  const cm = rec(src['configMap']);
  if (cm) {
    const p = `${path}.configMap`;
    if (inStatus) {
      if (str(cm['uid']) === '') errs.push(fieldErrors.required(`${p}.uid`, 'uid must be set in status'));
      if (str(cm['resourceVersion']) === '')
        errs.push(fieldErrors.required(`${p}.resourceVersion`, 'resourceVersion must be set in status'));
    } else {
      if (str(cm['uid']) !== '') errs.push(fieldErrors.forbidden(`${p}.uid`, 'uid must not be set in spec'));
      if (str(cm['resourceVersion']) !== '')
        errs.push(fieldErrors.forbidden(`${p}.resourceVersion`, 'resourceVersion must not be set in spec'));
    }
    const ns = str(cm['namespace']);
    if (ns === '') errs.push(fieldErrors.required(`${p}.namespace`, 'namespace must be set'));
    else errs.push(...dns1123Label(ns, `${p}.namespace`));
    const name = str(cm['name']);
    if (name === '') errs.push(fieldErrors.required(`${p}.name`, 'name must be set'));
    else errs.push(...dns1123Subdomain(name, `${p}.name`));
    const key = str(cm['kubeletConfigKey']);
    if (key === '') errs.push(fieldErrors.required(`${p}.kubeletConfigKey`, 'kubeletConfigKey must be set'));
    else for (const m of isConfigMapKey(key)) errs.push(fieldErrors.invalid(`${p}.kubeletConfigKey`, key, m));
  } else {
    errs.push(fieldErrors.invalid(path, src, 'exactly one reference subfield must be non-nil'));
  }
  return errs;
}

/** Upstream's ValidateNodeUpdate (ObjectMeta aside). */
export function validateNodeUpdate(node: JsonObject, old: JsonObject): FieldError[] {
  const errs = nodeAnnotations(node);
  errs.push(...nodeResources(node));
  const seen = new Set<string>();
  for (const [a, i] of records(rec(node['status'])?.['addresses'])) {
    const key = `${str(a['type'])}\u0000${str(a['address'])}`;
    if (seen.has(key))
      errs.push(
        duplicateGo(
          `status.addresses[${i}]`,
          `core.NodeAddress{Type:${JSON.stringify(str(a['type']))}, Address:${JSON.stringify(str(a['address']))}}`,
        ),
      );
    seen.add(key);
  }
  const spec = rec(node['spec']) ?? {};
  const oldSpec = rec(old['spec']) ?? {};
  const oldCIDRs = strings(oldSpec['podCIDRs']);
  const newCIDRs = strings(spec['podCIDRs']);
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== newCIDRs.length) errs.push(fieldErrors.forbidden('spec.podCIDRs', cidrMsg));
    else
      oldCIDRs.forEach((c, i) => {
        if (c !== newCIDRs[i]) errs.push(fieldErrors.forbidden('spec.podCIDRs', cidrMsg));
      });
  }
  const oldProvider = str(oldSpec['providerID']);
  if (oldProvider !== '' && oldProvider !== str(spec['providerID']))
    errs.push(
      fieldErrors.forbidden(
        'spec.providerID',
        'node updates may not change providerID except from "" to valid',
      ),
    );
  errs.push(...validateConfigSource(spec['configSource'], 'spec.configSource', false));
  const config = rec(rec(node['status'])?.['config']);
  if (config)
    for (const key of ['assigned', 'active', 'lastKnownGood'])
      errs.push(...validateConfigSource(config[key], `status.config.${key}`, true));
  if (records(spec['taints']).length > 0) errs.push(...validateTaints(spec['taints'], 'metadata.taints'));
  if (str(spec['externalID']) !== str(oldSpec['externalID']))
    errs.push(fieldErrors.forbidden('spec.externalID', 'may not be updated'));
  return errs;
}

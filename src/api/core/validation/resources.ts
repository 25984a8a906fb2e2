/**
 * Resource names, quantities and requirements (requests and limits), with upstream's rules: which
 * names are standard, which must be integers, which may not be overcommitted.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { Quantity, QuantityParseError } from '../../quantity.js';
import { isQualifiedName } from '../../validation/names.js';
import { rec, records, str, type JsonObject } from '../util.js';
import { IS_NEGATIVE, dns1123Label } from './common.js';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isQuotaHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

/** Names without a domain, or in the kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Vendor resources such as `example.com/gpu`. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** Requests may be below limits only for native, non-hugepage resources. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

export function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

export function isStandardQuotaResourceName(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || isQuotaHugePageResourceName(name);
}

/**
 * Parses a quantity field. An unparseable value yields an Invalid error with upstream's decode
 * message (upstream rejects it while decoding, before validation).
 */
export function quantityField(value: unknown, field: string, errs: FieldError[]): Quantity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') {
    errs.push(fieldErrors.invalid(field, value ?? null, 'must be a quantity'));
    return undefined;
  }
  try {
    return Quantity.parse(value);
  } catch (err) {
    const msg = err instanceof QuantityParseError ? err.message : String(err);
    errs.push(fieldErrors.invalid(field, value, msg));
    return undefined;
  }
}

/** Parses a ResourceList; unparseable entries are reported and skipped. */
export function resourceList(value: unknown, field: string, errs: FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  const m = rec(value);
  if (!m) return out;
  for (const [k, v] of Object.entries(m)) {
    const q = quantityField(v, `${field}[${k}]`, errs);
    if (q) out.set(k, q);
  }
  return out;
}

/** Parses a ResourceList without reporting anything. */
export function quietResourceList(value: unknown): Map<string, Quantity> {
  return resourceList(value, '', []);
}

/** Upstream's validateResourceName: qualified, and standard when not domain-prefixed. */
export function validateResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErrors.invalid(field, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isQuotaHugePageResourceName(name))
    errs.push(fieldErrors.invalid(field, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

/** Names allowed in container resources. */
export function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name))
      errs.push(fieldErrors.invalid(field, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(fieldErrors.invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Names allowed in a ResourceQuota. */
export function validateResourceQuotaResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (!name.includes('/') && !isStandardQuotaResourceName(name))
    errs.push(fieldErrors.invalid(field, name, 'must be a standard resource for quota'));
  return errs;
}

/** Non-negative, and an integer for countable resources. */
export function validateResourceQuantityValue(name: string, q: Quantity, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.sign() < 0) errs.push(fieldErrors.invalid(field, q.toString(), IS_NEGATIVE));
  if (isIntegerResourceName(name) && q.milliValue() % 1000n !== 0n)
    errs.push(fieldErrors.invalid(field, q.toString(), 'must be an integer'));
  return errs;
}

function hugePageDivisible(name: string, q: Quantity): boolean {
  const size = Quantity.tryParse(name.slice('hugepages-'.length));
  if (!size || size.sign() <= 0 || size.milliValue() % 1000n !== 0n) return false;
  return q.value() % size.value() === 0n;
}

export interface ResourceRequirementsOptions {
  /** Container resources (the default) or pod overhead: both use container resource names. */
  nameCheck?: (name: string, field: string) => FieldError[];
  /** Claim names declared in spec.resourceClaims. */
  podClaimNames?: ReadonlySet<string>;
}

/** Upstream's validateResourceRequirements for a container's `resources`. */
export function validateResourceRequirements(
  requirements: unknown,
  field: string,
  opts: ResourceRequirementsOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const r = rec(requirements) ?? {};
  const nameCheck = opts.nameCheck ?? validateContainerResourceName;
  const limPath = `${field}.limits`;
  const reqPath = `${field}.requests`;
  const limits = resourceList(r['limits'], limPath, errs);
  const requests = resourceList(r['requests'], reqPath, errs);
  let limCpuMem = false;
  let reqCpuMem = false;
  let hugePages = false;

  for (const [name, q] of limits) {
    const p = `${limPath}[${name}]`;
    errs.push(...nameCheck(name, p));
    errs.push(...validateResourceQuantityValue(name, q, p));
    if (isHugePageResourceName(name)) {
      hugePages = true;
      if (!hugePageDivisible(name, q))
        errs.push(
          fieldErrors.invalid(p, q.toString(), `${q.toString()} is not positive integer multiple of ${name}`),
        );
    }
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, q] of requests) {
    const p = `${reqPath}[${name}]`;
    errs.push(...nameCheck(name, p));
    errs.push(...validateResourceQuantityValue(name, q, p));
    const lim = limits.get(name);
    if (lim) {
      if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(
          fieldErrors.invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`),
        );
      } else if (q.cmp(lim) > 0) {
        errs.push(
          fieldErrors.invalid(
            reqPath,
            q.toString(),
            `must be less than or equal to ${name} limit of ${lim.toString()}`,
          ),
        );
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(fieldErrors.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) {
      hugePages = true;
      if (!hugePageDivisible(name, q))
        errs.push(
          fieldErrors.invalid(p, q.toString(), `${q.toString()} is not positive integer multiple of ${name}`),
        );
    }
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (!limCpuMem && !reqCpuMem && hugePages)
    errs.push(fieldErrors.forbidden(field, 'HugePages require cpu or memory'));
  errs.push(...validateResourceClaimNames(r['claims'], opts.podClaimNames ?? new Set(), `${field}.claims`));
  return errs;
}

function validateResourceClaimNames(
  claims: unknown,
  podClaims: ReadonlySet<string>,
  field: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [claim, i] of records(claims)) {
    const p = `${field}[${i}]`;
    const name = str(claim['name']);
    const request = str(claim['request']);
    if (name === '') {
      errs.push(fieldErrors.required(p));
      continue;
    }
    if (names.has(name)) {
      errs.push(fieldErrors.duplicate(p, name));
    } else {
      let key = name;
      if (request !== '') {
        errs.push(...dns1123Label(request, `${p}.request`));
        key += `/${request}`;
      }
      if (names.has(key)) errs.push(fieldErrors.duplicate(p, key));
      else if (request === '') {
        for (const k of names) if (k.startsWith(`${name}/`)) errs.push(fieldErrors.duplicate(p, name));
      }
      names.add(key);
    }
    if (!podClaims.has(name)) {
      const detail =
        podClaims.size === 0
          ? 'must be one of the names in pod.spec.resourceClaims which is empty'
          : `must be one of the names in pod.spec.resourceClaims: ${[...podClaims].sort().join(', ')}`;
      errs.push({ type: 'FieldValueNotFound', field: p, badValue: name, detail });
    }
  }
  return errs;
}

/** The pod's declared resource claim names. */
export function podClaimNames(spec: JsonObject): Set<string> {
  const out = new Set<string>();
  for (const [c] of records(spec['resourceClaims'])) {
    const n = str(c['name']);
    if (n) out.add(n);
  }
  return out;
}

/**
 * LimitRange (min ≤ defaultRequest ≤ default ≤ max, ratios) and ResourceQuota (resource names,
 * non-negative quantities, scopes and scope selectors) validation.
 */
import type { Quantity } from '../../quantity.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import { isQualifiedName } from '../../validation/names.js';
import { goStringSlice, rec, records, str, strings, type JsonObject } from '../util.js';
import { invalidGo } from './common.js';
import {
  isOvercommitAllowed,
  isStandardQuotaResourceName,
  quantityField,
  resourceList,
  validateContainerResourceName,
  validateResourceName,
  validateResourceQuantityValue,
  validateResourceQuotaResourceName,
} from './resources.js';

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

function limitRangeResourceName(type: string, name: string, field: string): FieldError[] {
  return type === 'Pod' || type === 'Container'
    ? validateContainerResourceName(name, field)
    : validateResourceName(name, field);
}

/** Upstream's ValidateLimitRange (ObjectMeta aside). */
export function validateLimitRange(lr: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const types = new Set<string>();
  for (const [limit, i] of records(rec(lr['spec'])?.['limits'])) {
    const p = `spec.limits[${i}]`;
    const type = str(limit['type']);
    const typeErrs = isQualifiedName(type).map((m) => fieldErrors.invalid(`${p}.type`, type, m));
    if (!typeErrs.length && !type.includes('/') && !LIMIT_TYPES.includes(type))
      typeErrs.push(
        fieldErrors.invalid(`${p}.type`, type, 'must be a standard limit type or fully qualified'),
      );
    errs.push(...typeErrs);
    if (types.has(type)) errs.push(fieldErrors.duplicate(`${p}.type`, type));
    types.add(type);

    const lists = new Map<string, Map<string, Quantity>>();
    const keys = new Set<string>();
    const collect = (key: string): void => {
      const m = resourceList(limit[key], `${p}.${key}`, errs);
      for (const name of Object.keys(rec(limit[key]) ?? {})) {
        errs.push(...limitRangeResourceName(type, name, `${p}.${key}[${name}]`));
        keys.add(name);
      }
      lists.set(key, m);
    };
    collect('max');
    collect('min');
    if (type === 'Pod') {
      if (Object.keys(rec(limit['default']) ?? {}).length > 0)
        errs.push(fieldErrors.forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(rec(limit['defaultRequest']) ?? {}).length > 0)
        errs.push(fieldErrors.forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    } else {
      collect('default');
      collect('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim') {
      if (!('storage' in (rec(limit['min']) ?? {})) && !('storage' in (rec(limit['max']) ?? {})))
        errs.push(
          fieldErrors.required(
            `${p}.limits`,
            'either minimum or maximum storage value is required, but neither was provided',
          ),
        );
    }
    collect('maxLimitRequestRatio');

    for (const k of keys) {
      const min = lists.get('min')?.get(k);
      const max = lists.get('max')?.get(k);
      const def = lists.get('default')?.get(k);
      const defReq = lists.get('defaultRequest')?.get(k);
      const ratio = lists.get('maxLimitRequestRatio')?.get(k);
      const s = (q: Quantity): string => q.toString();
      if (min && max && min.cmp(max) > 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.min[${k}]`,
            s(min),
            `min value ${s(min)} is greater than max value ${s(max)}`,
          ),
        );
      if (defReq && min && min.cmp(defReq) > 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.defaultRequest[${k}]`,
            s(defReq),
            `min value ${s(min)} is greater than default request value ${s(defReq)}`,
          ),
        );
      if (defReq && max && defReq.cmp(max) > 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.defaultRequest[${k}]`,
            s(defReq),
            `default request value ${s(defReq)} is greater than max value ${s(max)}`,
          ),
        );
      if (defReq && def && defReq.cmp(def) > 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.defaultRequest[${k}]`,
            s(defReq),
            `default request value ${s(defReq)} is greater than default limit value ${s(def)}`,
          ),
        );
      if (def && min && min.cmp(def) > 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.default[${k}]`,
            s(min),
            `min value ${s(min)} is greater than default value ${s(def)}`,
          ),
        );
      if (def && max && def.cmp(max) > 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.default[${k}]`,
            s(max),
            `default value ${s(def)} is greater than max value ${s(max)}`,
          ),
        );
      if (ratio && ratio.milliValue() < 1000n)
        errs.push(
          fieldErrors.invalid(
            `${p}.maxLimitRequestRatio[${k}]`,
            s(ratio),
            `ratio ${s(ratio)} is less than 1`,
          ),
        );
      if (ratio && min && max) {
        const limit = Number(max.milliValue()) / Number(min.milliValue());
        const value = Number(ratio.milliValue()) / 1000;
        if (value > limit)
          errs.push(
            fieldErrors.invalid(
              `${p}.maxLimitRequestRatio[${k}]`,
              s(ratio),
              `ratio ${s(ratio)} is greater than max/min = ${Number.isFinite(limit) ? limit.toFixed(6) : '+Inf'}`,
            ),
          );
      }
      if (!isOvercommitAllowed(k) && def && defReq && def.cmp(defReq) !== 0)
        errs.push(
          fieldErrors.invalid(
            `${p}.defaultRequest[${k}]`,
            s(defReq),
            `default value ${s(def)} must equal to defaultRequest value ${s(defReq)} in ${k}`,
          ),
        );
    }
  }
  return errs;
}

const STANDARD_SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];
const POD_COUNT = ['pods'];
const POD_COMPUTE = ['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'];
const EXISTS_ONLY_SCOPES = [
  'BestEffort',
  'NotBestEffort',
  'Terminating',
  'NotTerminating',
  'CrossNamespacePodAffinity',
];

function scopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
      return POD_COUNT.includes(resource) || POD_COMPUTE.includes(resource);
    case 'BestEffort':
    case 'CrossNamespacePodAffinity':
      return POD_COUNT.includes(resource);
    default:
      return true;
  }
}

function conflicting(scopes: Set<string>): boolean {
  return (
    (scopes.has('BestEffort') && scopes.has('NotBestEffort')) ||
    (scopes.has('Terminating') && scopes.has('NotTerminating'))
  );
}

function validateQuotaList(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, v] of Object.entries(rec(value) ?? {})) {
    const f = `${path}[${name}]`;
    errs.push(...validateResourceQuotaResourceName(name, f));
    const q = quantityField(v, f, errs);
    if (q) errs.push(...validateResourceQuantityValue(name, q, f));
  }
  return errs;
}

/** Upstream's ValidateResourceQuotaSpec. */
export function validateResourceQuotaSpec(specValue: unknown): FieldError[] {
  const spec = rec(specValue) ?? {};
  const errs = validateQuotaList(spec['hard'], 'spec.hard');
  const hard = Object.keys(rec(spec['hard']) ?? {}).sort();
  const scopes = strings(spec['scopes']);
  if (scopes.length) {
    const goScopes = goStringSlice(scopes, 'core.ResourceQuotaScope');
    for (const scope of scopes) {
      if (!STANDARD_SCOPES.includes(scope))
        errs.push(invalidGo('spec.scopes', goScopes, 'unsupported scope'));
      for (const k of hard)
        if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k))
          errs.push(invalidGo('spec.scopes', goScopes, 'unsupported scope applied to resource'));
    }
    if (conflicting(new Set(scopes))) errs.push(invalidGo('spec.scopes', goScopes, 'conflicting scopes'));
  }
  const selector = rec(spec['scopeSelector']);
  if (selector) {
    const p = 'spec.scopeSelector.matchExpressions';
    const seen = new Set<string>();
    for (const [req] of records(selector['matchExpressions'])) {
      const name = str(req['scopeName']);
      const op = str(req['operator']);
      const values = strings(req['values']);
      if (!STANDARD_SCOPES.includes(name))
        errs.push(fieldErrors.invalid(`${p}.scopeName`, name, 'unsupported scope'));
      for (const k of hard)
        if (isStandardQuotaResourceName(k) && !scopeValidForResource(name, k))
          errs.push(fieldErrors.invalid(p, selector, 'unsupported scope applied to resource'));
      if (EXISTS_ONLY_SCOPES.includes(name) && op !== 'Exists')
        errs.push(
          fieldErrors.invalid(
            `${p}.operator`,
            op,
            "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
          ),
        );
      if (op === 'In' || op === 'NotIn') {
        if (values.length === 0)
          errs.push(
            fieldErrors.required(
              `${p}.values`,
              "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            ),
          );
      } else if (op === 'Exists' || op === 'DoesNotExist') {
        if (values.length !== 0)
          errs.push(
            invalidGo(
              `${p}.values`,
              goStringSlice(values),
              "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            ),
          );
      } else {
        errs.push(fieldErrors.invalid(`${p}.operator`, op, 'not a valid selector operator'));
      }
      seen.add(name);
    }
    if (conflicting(seen))
      errs.push(invalidGo(p, goStringSlice(scopes, 'core.ResourceQuotaScope'), 'conflicting scopes'));
  }
  return errs;
}

/** Upstream's ValidateResourceQuotaStatus. */
export function validateResourceQuotaStatus(statusValue: unknown): FieldError[] {
  const status = rec(statusValue) ?? {};
  return [
    ...validateQuotaList(status['hard'], 'status.hard'),
    ...validateQuotaList(status['used'], 'status.used'),
  ];
}

/** Upstream's ValidateResourceQuota (ObjectMeta aside). */
export function validateResourceQuota(rq: JsonObject): FieldError[] {
  return [...validateResourceQuotaSpec(rq['spec']), ...validateResourceQuotaStatus(rq['status'])];
}

/** Upstream's ValidateResourceQuotaUpdate (ObjectMeta aside): the spec, and scopes never change. */
export function validateResourceQuotaUpdate(rq: JsonObject, old: JsonObject): FieldError[] {
  const errs = validateResourceQuotaSpec(rq['spec']);
  const n = strings(rec(rq['spec'])?.['scopes']);
  const o = strings(rec(old['spec'])?.['scopes']);
  const same = new Set(n).size === new Set(o).size && n.every((s) => o.includes(s));
  if (!same)
    errs.push(invalidGo('spec.scopes', goStringSlice(n, 'core.ResourceQuotaScope'), 'field is immutable'));
  return errs;
}

/** Upstream's ValidateResourceQuotaStatusUpdate (ObjectMeta aside). */
export function validateResourceQuotaStatusUpdate(rq: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (str(rec(rq['metadata'])?.['resourceVersion']) === '')
    errs.push(fieldErrors.required('resourceVersion'));
  errs.push(...validateResourceQuotaStatus(rq['status']));
  return errs;
}

/**
 * Validation of rbac.authorization.k8s.io/v1 kinds, worded as upstream's RBAC validation. ObjectMeta
 * (names are path segments) is validated by the generic store.
 */
import { fieldErrors, OMIT_VALUE, type FieldError } from '../errors.js';
import { isObject, type KubeObject } from '../meta.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../validation/names.js';
import { validateLabelSelector } from '../validation/objectmeta.js';
import { RBAC_GROUP } from './defaults.js';

/**
 * An "Invalid value" whose value is printed as Go prints a struct or slice (`rbac.RoleRef{...}`,
 * `[]string{"/a"}`), so the message reads as upstream's.
 */
function invalidGo(field: string, goText: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue: OMIT_VALUE, detail: `${goText}: ${detail}` };
}

function goStrings(values: unknown[]): string {
  return `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
}

function strings(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** One PolicyRule; `namespaced` for Role rules (no nonResourceURLs). */
export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = isObject(rule) ? rule : {};
  const verbs = strings(r.verbs);
  const apiGroups = strings(r.apiGroups);
  const resources = strings(r.resources);
  const resourceNames = strings(r.resourceNames);
  const urls = strings(r.nonResourceURLs);
  if (verbs.length === 0)
    errs.push(fieldErrors.required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (urls.length > 0) {
    if (namespaced) {
      errs.push(
        invalidGo(
          `${path}.nonResourceURLs`,
          goStrings(urls),
          'namespaced rules cannot apply to non-resource URLs',
        ),
      );
    }
    if (apiGroups.length > 0 || resources.length > 0 || resourceNames.length > 0) {
      errs.push(
        invalidGo(
          `${path}.nonResourceURLs`,
          goStrings(urls),
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return errs;
  }
  if (apiGroups.length === 0) {
    errs.push(fieldErrors.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  }
  if (resources.length === 0) {
    errs.push(fieldErrors.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  }
  return errs;
}

function validateRules(rules: unknown, namespaced: boolean): FieldError[] {
  return strings(rules).flatMap((rule, i) => validatePolicyRule(rule, namespaced, `rules[${i}]`));
}

/** Role: its rules (no non-resource URLs). */
export function validateRole(obj: KubeObject): FieldError[] {
  return validateRules(obj.rules, true);
}

/** ClusterRole: its rules and aggregationRule. */
export function validateClusterRole(obj: KubeObject): FieldError[] {
  const errs = validateRules(obj.rules, false);
  if (obj.aggregationRule !== undefined && obj.aggregationRule !== null) {
    const agg = isObject(obj.aggregationRule) ? obj.aggregationRule : {};
    const selectors = strings(agg.clusterRoleSelectors);
    if (selectors.length === 0) {
      errs.push(
        fieldErrors.required(
          'aggregationRule.clusterRoleSelectors',
          'at least one clusterRoleSelector required if aggregationRule is non-nil',
        ),
      );
    }
    selectors.forEach((sel, i) => {
      errs.push(
        ...validateLabelSelector(isObject(sel) ? sel : {}, `aggregationRule.clusterRoleSelectors[${i}]`),
      );
    });
  }
  return errs;
}

/** One binding subject; `namespaced` for RoleBinding subjects (ServiceAccount namespace optional). */
export function validateSubject(subject: unknown, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const s = isObject(subject) ? subject : {};
  const name = str(s.name);
  const apiGroup = str(s.apiGroup);
  if (name === '') errs.push(fieldErrors.required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name !== '')
        for (const m of isDNS1123Subdomain(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, m));
      if (apiGroup !== '') errs.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && str(s.namespace) === '') errs.push(fieldErrors.required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP)
        errs.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErrors.notSupported(`${path}.kind`, str(s.kind), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(obj: KubeObject, kinds: string[], namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObject(obj.roleRef) ? obj.roleRef : {};
  const apiGroup = str(ref.apiGroup);
  const kind = str(ref.kind);
  const name = str(ref.name);
  if (apiGroup !== RBAC_GROUP)
    errs.push(fieldErrors.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(kind)) errs.push(fieldErrors.notSupported('roleRef.kind', kind, kinds));
  if (name === '') errs.push(fieldErrors.required('roleRef.name', ''));
  else for (const m of isValidPathSegmentName(name)) errs.push(fieldErrors.invalid('roleRef.name', name, m));
  strings(obj.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

/** RoleBinding: roleRef to a Role or ClusterRole, subjects. */
export function validateRoleBinding(obj: KubeObject): FieldError[] {
  return validateBinding(obj, ['Role', 'ClusterRole'], true);
}

/** ClusterRoleBinding: roleRef to a ClusterRole, subjects (ServiceAccounts need a namespace). */
export function validateClusterRoleBinding(obj: KubeObject): FieldError[] {
  return validateBinding(obj, ['ClusterRole'], false);
}

/** Go's %#v of an rbac.RoleRef, for the "cannot change roleRef" message. */
function goRoleRef(ref: Record<string, unknown>): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(str(ref.apiGroup))}, Kind:${JSON.stringify(str(ref.kind))}, Name:${JSON.stringify(str(ref.name))}}`;
}

/** A binding's roleRef never changes. */
export function validateBindingUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const ref = isObject(obj.roleRef) ? obj.roleRef : {};
  const oldRef = isObject(old.roleRef) ? old.roleRef : {};
  if (
    str(ref.apiGroup) !== str(oldRef.apiGroup) ||
    str(ref.kind) !== str(oldRef.kind) ||
    str(ref.name) !== str(oldRef.name)
  ) {
    return [invalidGo('roleRef', goRoleRef(ref), 'cannot change roleRef')];
  }
  return [];
}

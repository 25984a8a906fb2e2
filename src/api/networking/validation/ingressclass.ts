/**
 * IngressClass validation: a domain-prefixed controller (immutable) and the parameters reference.
 */
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { check, immutable, isDomainPrefixedPath, type Loose } from '../../validation/fieldchecks.js';
import { isValidPathSegmentName } from '../../validation/names.js';

type IC = Loose<IngressClass>;

const MAX_CONTROLLER = 250;
const SCOPES = ['Cluster', 'Namespace'] as const;

function validateSpec(ic: IC): FieldError[] {
  const errs: FieldError[] = [];
  const controller = ic.spec?.controller ?? '';
  if (controller === '') errs.push(fieldErrors.required('spec.controller'));
  else {
    if (controller.length > MAX_CONTROLLER)
      errs.push(fieldErrors.tooLong('spec.controller', '', MAX_CONTROLLER));
    errs.push(...isDomainPrefixedPath('spec.controller', controller));
  }
  const params = ic.spec?.parameters;
  if (params) {
    const p = 'spec.parameters';
    if (typeof params.apiGroup === 'string')
      errs.push(...check.dns1123Subdomain(params.apiGroup, `${p}.apiGroup`));
    for (const key of ['kind', 'name'] as const) {
      const v = params[key] ?? '';
      if (v === '') errs.push(fieldErrors.required(`${p}.${key}`));
      else for (const m of isValidPathSegmentName(v)) errs.push(fieldErrors.invalid(`${p}.${key}`, v, m));
    }
    const scope = params.scope;
    if (scope === undefined || scope === null) errs.push(fieldErrors.required(`${p}.scope`));
    else if (!(SCOPES as readonly string[]).includes(scope))
      errs.push(fieldErrors.notSupported(`${p}.scope`, scope, SCOPES));
    else if (scope === 'Namespace') {
      if (typeof params.namespace !== 'string')
        errs.push(fieldErrors.required(`${p}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else errs.push(...check.dns1123Label(params.namespace, `${p}.namespace`));
    } else if (params.namespace !== undefined && params.namespace !== null) {
      errs.push(fieldErrors.forbidden(`${p}.namespace`, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

/** An IngressClass on create. */
export function validateIngressClass(obj: KubeObject): FieldError[] {
  return validateSpec(obj as IC);
}

/** An IngressClass on update: the controller is immutable. */
export function validateIngressClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const ic = obj as IC;
  return [
    ...immutable(ic.spec?.controller ?? '', (old as IC).spec?.controller ?? '', 'spec.controller'),
    ...validateSpec(ic),
  ];
}

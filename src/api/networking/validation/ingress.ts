/**
 * Ingress validation (upstream ValidateIngressCreate / ValidateIngressUpdate and the status
 * check): rules, hosts (wildcards), paths and path types, backends, TLS, the class name.
 */
import type { HTTPIngressPath, Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js';
import { fieldErrors, type FieldError } from '../../errors.js';
import type { KubeObject } from '../../meta.js';
import { check, type Loose } from '../../validation/fieldchecks.js';
import { invalidGo } from '../../validation/govalue.js';
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  maxLenError,
} from '../../validation/names.js';
import { regexError } from '../../validation/regex.js';
import { parseIP, validIPForLegacyField } from '../ip.js';

type I = Loose<Ingress>;

export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

const WILDCARD_FMT = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^${WILDCARD_FMT}$`);

/** Upstream's IsWildcardDNS1123Subdomain: `*.example.com`. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!wildcardRe.test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_FMT,
        '*.example.com',
      ),
    );
  }
  return errs;
}

function hostMessages(host: string): string[] {
  return host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
}

function validateBackend(b: Loose<IngressBackend> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const hasResource = b?.resource !== undefined && b.resource !== null;
  const hasService = b?.service !== undefined && b.service !== null;
  if (hasResource && hasService)
    return [fieldErrors.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = b?.resource ?? {};
    const p = `${path}.resource`;
    if (typeof r.apiGroup === 'string') errs.push(...check.dns1123Subdomain(r.apiGroup, `${p}.apiGroup`));
    for (const key of ['kind', 'name'] as const) {
      const v = r[key] ?? '';
      if (v === '') errs.push(fieldErrors.required(`${p}.${key}`));
      else for (const m of isValidPathSegmentName(v)) errs.push(fieldErrors.invalid(`${p}.${key}`, v, m));
    }
    return errs;
  }
  if (hasService) {
    const svc = b?.service ?? {};
    const name = svc.name ?? '';
    if (name === '') errs.push(fieldErrors.required(`${path}.service.name`));
    else
      for (const m of isDNS1035Label(name)) errs.push(fieldErrors.invalid(`${path}.service.name`, name, m));
    const portName = svc.port?.name ?? '';
    const portNumber = svc.port?.number ?? 0;
    if (portName !== '' && portNumber !== 0)
      errs.push(fieldErrors.invalid(path, '', 'cannot set both port name & port number'));
    else if (portName !== '')
      for (const m of isValidPortName(portName))
        errs.push(fieldErrors.invalid(`${path}.service.port.name`, portName, m));
    else if (portNumber !== 0)
      for (const m of isValidPortNum(portNumber))
        errs.push(fieldErrors.invalid(`${path}.service.port.number`, portNumber, m));
    else errs.push(fieldErrors.required(path, 'port name or number is required'));
    return errs;
  }
  return [fieldErrors.invalid(path, '', 'resource or service backend is required')];
}

function validatePath(p: Loose<HTTPIngressPath>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const pathType = p.pathType;
  if (pathType === undefined || pathType === null)
    return [fieldErrors.required(`${path}.pathType`, 'pathType must be specified')];
  const value = p.path ?? '';
  switch (pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/'))
        errs.push(fieldErrors.invalid(`${path}.path`, value, 'must be an absolute path'));
      if (value.length > 0) {
        for (const seq of INVALID_PATH_SEQUENCES)
          if (value.includes(seq))
            errs.push(fieldErrors.invalid(`${path}.path`, value, `must not contain '${seq}'`));
        for (const suffix of INVALID_PATH_SUFFIXES)
          if (value.endsWith(suffix))
            errs.push(fieldErrors.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value.length > 0 && !value.startsWith('/'))
        errs.push(fieldErrors.invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(fieldErrors.notSupported(`${path}.pathType`, pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend, `${path}.backend`));
  return errs;
}

function ruleValueErrors(
  rule: NonNullable<NonNullable<I['spec']>['rules']>[number],
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const http = rule.http;
  if (http) {
    const paths = http.paths ?? [];
    if (paths.length === 0) errs.push(fieldErrors.required(`${path}.http.paths`));
    paths.forEach((p, i) => errs.push(...validatePath(p, `${path}.http.paths[${i}]`)));
  }
  return errs;
}

interface Options {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

function validateSpec(ing: I, opts: Options): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) {
    const goRules = Array.isArray(spec.rules)
      ? '[]networking.IngressRule{}'
      : '[]networking.IngressRule(nil)';
    errs.push(invalidGo('spec', goRules, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const path = `spec.rules[${i}]`;
    const host = rule.host ?? '';
    let wildcard = false;
    if (host.length > 0) {
      if (parseIP(host))
        errs.push(fieldErrors.invalid(`${path}.host`, host, 'must be a DNS name, not an IP address'));
      wildcard = host.includes('*');
      for (const m of hostMessages(host)) errs.push(fieldErrors.invalid(`${path}.host`, host, m));
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...ruleValueErrors(rule, path));
  });
  (spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      for (const m of hostMessages(host))
        errs.push(fieldErrors.invalid(`spec.tls[${i}].hosts[${j}]`, host, m));
    });
    const secret = tls.secretName ?? '';
    if (!opts.allowInvalidSecretName && secret !== '')
      for (const m of isDNS1123Subdomain(secret))
        errs.push(fieldErrors.invalid(`spec.tls[${i}].secretName`, secret, m));
  });
  if (typeof spec.ingressClassName === 'string')
    errs.push(...check.dns1123Subdomain(spec.ingressClassName, 'spec.ingressClassName'));
  return errs;
}

/** An Ingress on create. */
export function validateIngress(obj: KubeObject): FieldError[] {
  const ing = obj as I;
  const errs = validateSpec(ing, { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false });
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  const className = ing.spec?.ingressClassName;
  if (annotation !== undefined && typeof className === 'string' && annotation !== className) {
    errs.push(
      fieldErrors.invalid(
        `annotations.${INGRESS_CLASS_ANNOTATION}`,
        annotation,
        'must match `ingressClassName` when both are specified',
      ),
    );
  }
  return errs;
}

/** An Ingress on update: invalid values already stored are tolerated. */
export function validateIngressUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const o = old as I;
  const allowInvalidSecretName = (o.spec?.tls ?? []).some(
    (t) => (t.secretName ?? '') !== '' && isDNS1123Subdomain(t.secretName ?? '').length > 0,
  );
  const allowInvalidWildcardHostRule = (o.spec?.rules ?? []).some(
    (r, i) => (r.host ?? '').includes('*') && ruleValueErrors(r, `spec.rules[${i}]`).length > 0,
  );
  return validateSpec(obj as I, { allowInvalidSecretName, allowInvalidWildcardHostRule });
}

/** An update through /status: load-balancer addresses. */
export function validateIngressStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const existing = ((old as I).status?.loadBalancer?.ingress ?? [])
    .map((i) => i.ip ?? '')
    .filter((ip) => ip !== '');
  ((obj as I).status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (ing.ip) errs.push(...validIPForLegacyField(`${p}.ip`, ing.ip, existing));
    if (ing.hostname) {
      errs.push(...check.dns1123Subdomain(ing.hostname, `${p}.hostname`));
      if (parseIP(ing.hostname))
        errs.push(
          fieldErrors.invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'),
        );
    }
  });
  return errs;
}

/** Upstream's warning for the deprecated class annotation. */
export function ingressWarnings(obj: KubeObject): string[] {
  const annotations = (obj as I).metadata?.annotations ?? {};
  if (INGRESS_CLASS_ANNOTATION in annotations)
    return [
      `annotation "${INGRESS_CLASS_ANNOTATION}" is deprecated, please use 'spec.ingressClassName' instead`,
    ];
  return [];
}

/**
 * Small checks shared by the core kinds' validation, each with upstream's wording.
 */
import { OMIT_VALUE, fieldErrors, type FieldError } from '../../errors.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from '../../validation/names.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { validateLabelSelector } from '../../validation/objectmeta.js';
import { deepEqual, rec, records, str, strings } from '../util.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const NOT_POSITIVE = 'must be greater than zero';
export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

/** `must be between 1 and 65535, inclusive`. */
export function inclusiveRangeError(lo: number | bigint, hi: number | bigint): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** An Invalid error whose value is printed as given (Go's %#v of lists and structs, e.g. `[]string{"a"}`). */
export function invalidGo(field: string, goValue: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue: OMIT_VALUE, detail: `${goValue}: ${detail}` };
}

/** A Duplicate error whose value is printed as given. */
export function duplicateGo(field: string, goValue: string, detail?: string): FieldError {
  return {
    type: 'FieldValueDuplicate',
    field,
    badValue: OMIT_VALUE,
    detail: detail ? `${goValue}: ${detail}` : goValue,
  };
}

/** `field is immutable` when the semantic values differ. */
export function immutable(newValue: unknown, oldValue: unknown, field: string): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [fieldErrors.invalid(field, newValue ?? null, FIELD_IMMUTABLE)];
}

function messages(field: string, value: string, msgs: string[]): FieldError[] {
  return msgs.map((m) => fieldErrors.invalid(field, value, m));
}

export function dns1123Label(value: string, field: string): FieldError[] {
  return messages(field, value, isDNS1123Label(value));
}

export function dns1123Subdomain(value: string, field: string): FieldError[] {
  return messages(field, value, isDNS1123Subdomain(value));
}

export function dns1035Label(value: string, field: string): FieldError[] {
  return messages(field, value, isDNS1035Label(value));
}

/** A qualified name (label keys, condition types, finalizers). */
export function qualifiedName(value: string, field: string): FieldError[] {
  return messages(field, value, isQualifiedName(value));
}

/** A label value. */
export function labelValue(value: string, field: string): FieldError[] {
  return messages(field, value, isValidLabelValue(value));
}

/** Non-negative integer fields. */
export function nonNegative(value: number | undefined, field: string): FieldError[] {
  return value !== undefined && value < 0 ? [fieldErrors.invalid(field, value, IS_NEGATIVE)] : [];
}

/** A file mode 0..0777. */
export function fileMode(value: unknown, field: string): FieldError[] {
  if (typeof value !== 'number') return [];
  return value > 0o777 || value < 0 ? [fieldErrors.invalid(field, value, FILE_MODE_ERROR)] : [];
}

/** No `..` element (upstream's validatePathNoBacksteps). */
export function pathNoBacksteps(target: string, field: string): FieldError[] {
  const parts = target.replace(/\\/g, '/').split('/');
  return parts.includes('..') ? [fieldErrors.invalid(field, target, "must not contain '..'")] : [];
}

/** A relative path without `..` elements. */
export function localDescendingPath(target: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(fieldErrors.invalid(field, target, 'must be a relative path'));
  errs.push(...pathNoBacksteps(target, field));
  return errs;
}

/** A relative path that neither contains nor starts with `..`. */
export function localNonReservedPath(target: string, field: string): FieldError[] {
  const errs = localDescendingPath(target, field);
  if (target.startsWith('..') && !target.startsWith('../'))
    errs.push(fieldErrors.invalid(field, target, "must not start with '..'"));
  return errs;
}

// ---------------------------------------------------------------------------------------------------
// IP addresses and CIDRs, parsed as leniently as upstream's ParseIPSloppy (IPv4 leading zeros allowed).

/** The address family of a valid IP, or undefined. */
export function ipFamilyOf(value: string): 4 | 6 | undefined {
  if (isIPv4Sloppy(value)) return 4;
  if (isIPv6(value)) return 6;
  return undefined;
}

function isIPv4Sloppy(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(value: string): boolean {
  if (value.includes('%') || !value.includes(':')) return false;
  let head = value;
  let tailGroups = 0;
  const lastColon = value.lastIndexOf(':');
  const tail = value.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4Sloppy(tail)) return false;
    head = value.slice(0, lastColon + 1) + '0:0';
    tailGroups = 0;
  }
  const doubles = head.split('::').length - 1;
  if (doubles > 1) return false;
  const groupOk = (g: string): boolean => /^[0-9a-fA-F]{1,4}$/.test(g);
  if (doubles === 1) {
    const [l = '', r = ''] = head.split('::');
    const left = l === '' ? [] : l.split(':');
    const right = r === '' ? [] : r.split(':');
    if (![...left, ...right].every(groupOk)) return false;
    return left.length + right.length + tailGroups <= 7;
  }
  const groups = head.split(':');
  return groups.length === 8 && groups.every(groupOk);
}

/** True for IPv6 addresses other than IPv4-mapped ones. */
export function isIPv6String(value: string): boolean {
  return ipFamilyOf(value) === 6;
}

/** `must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`. */
export function validIP(value: string, field: string): FieldError[] {
  return ipFamilyOf(value)
    ? []
    : [fieldErrors.invalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/** The family of a valid CIDR, or undefined. */
export function cidrFamilyOf(value: string): 4 | 6 | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const fam = ipFamilyOf(value.slice(0, slash));
  const prefix = value.slice(slash + 1);
  if (!fam || !/^[0-9]{1,3}$/.test(prefix)) return undefined;
  return Number(prefix) <= (fam === 4 ? 32 : 128) ? fam : undefined;
}

/** `must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`. */
export function validCIDR(value: string, field: string): FieldError[] {
  return cidrFamilyOf(value)
    ? []
    : [fieldErrors.invalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

function ipv4Octets(value: string): number[] | undefined {
  if (isIPv4Sloppy(value)) return value.split('.').map(Number);
  const lower = value.toLowerCase();
  const m = /^::ffff:([0-9.]+)$/.exec(lower);
  if (m?.[1] && isIPv4Sloppy(m[1])) return m[1].split('.').map(Number);
  return undefined;
}

/** Upstream's ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function nonSpecialIP(value: string, field: string): FieldError[] {
  const fam = ipFamilyOf(value);
  if (!fam) return [fieldErrors.invalid(field, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const v4 = ipv4Octets(value);
  const v6 = fam === 6 && !v4 ? expandIPv6(value) : undefined;
  const unspecified = v4 ? v4.every((o) => o === 0) : v6?.every((g) => g === 0);
  if (unspecified) errs.push(fieldErrors.invalid(field, value, `may not be unspecified (${value})`));
  const loopback = v4
    ? v4[0] === 127
    : v6 !== undefined && v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
  if (loopback)
    errs.push(fieldErrors.invalid(field, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const linkLocal = v4
    ? v4[0] === 169 && v4[1] === 254
    : v6 !== undefined && ((v6[0] ?? 0) & 0xffc0) === 0xfe80;
  if (linkLocal)
    errs.push(
      fieldErrors.invalid(field, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
    );
  const llMulticast = v4
    ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0
    : v6 !== undefined && ((v6[0] ?? 0) & 0xff0f) === 0xff02;
  if (llMulticast)
    errs.push(
      fieldErrors.invalid(
        field,
        value,
        'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ),
    );
  return errs;
}

function expandIPv6(value: string): number[] | undefined {
  if (value.includes('.')) return undefined;
  const [l = '', r] = value.split('::');
  const left = l === '' ? [] : l.split(':');
  const right = r === undefined || r === '' ? [] : r.split(':');
  const fill = r === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(fill, 0)).fill('0'), ...right];
  return groups.map((g) => Number.parseInt(g, 16));
}

/** True when the IPs are one IPv4 and one IPv6 (upstream's IsDualStackIPStrings for two entries). */
export function isDualStack(values: string[]): boolean {
  if (values.length !== 2) return false;
  const fams = values.map((v) => (ipFamilyOf(v) === 6 && !ipv4Octets(v) ? 6 : 4));
  return fams[0] !== fams[1];
}

/** True when the CIDRs are one IPv4 and one IPv6. */
export function isDualStackCIDRs(values: string[]): boolean {
  if (values.length !== 2) return false;
  const fams = values.map((v) => cidrFamilyOf(v));
  return fams[0] !== undefined && fams[1] !== undefined && fams[0] !== fams[1];
}

/**
 * metav1 LabelSelector validation on a loosely typed value: the shared validator expects well-formed
 * lists, so malformed entries are normalised first (they are reported by the structural checker).
 */
export function labelSelector(value: unknown, field: string): FieldError[] {
  const sel = rec(value);
  if (!sel) return [];
  const normalized: LabelSelector = {};
  if (sel['matchLabels'] !== undefined) normalized.matchLabels = sel['matchLabels'] as Record<string, string>;
  const exprs = records(sel['matchExpressions']).map(([e]) => ({
    key: str(e['key']),
    operator: str(e['operator']),
    values: strings(e['values']),
  }));
  if (exprs.length) normalized.matchExpressions = exprs;
  return validateLabelSelector(normalized, field);
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** A ConfigMap or Secret data key (upstream's IsConfigMapKey). */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(value))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** An environment variable name under the relaxed rule (printable ASCII except '='), on by default since 1.32. */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push('environment variable name must be non-empty');
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      errs.push(
        "a valid environment variable name must consist only of printable ASCII characters other than '='",
      );
      break;
    }
  }
  return errs;
}

/** An HTTP header name. */
export function isHTTPHeaderName(value: string): string[] {
  return /^[-A-Za-z0-9]+$/.test(value)
    ? []
    : [
        "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
      ];
}

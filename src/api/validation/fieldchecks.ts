/**
 * Small field checks used across the API groups, each with upstream's wording (ValidateNonnegativeField,
 * ValidateImmutableField, name and label checks at a field path).
 */
import { fieldErrors, type FieldError } from '../errors.js';
import { semanticEqual } from './equality.js';
import { invalidGo } from './govalue.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from './names.js';
import { regexError } from './regex.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';

/** `must be greater than or equal to 0` for a negative number; nothing for undefined. */
export function nonNegative(value: number | undefined | null, field: string): FieldError[] {
  if (typeof value !== 'number' || value >= 0) return [];
  return [fieldErrors.invalid(field, value, IS_NEGATIVE)];
}

/**
 * `field is immutable` when the values differ semantically. Scalars print as upstream prints them;
 * give `goText` to render structured values in Go syntax.
 */
export function immutable(
  newValue: unknown,
  oldValue: unknown,
  field: string,
  goText?: (v: unknown) => string,
): FieldError[] {
  if (semanticEqual(newValue, oldValue)) return [];
  if (goText) return [invalidGo(field, goText(newValue), FIELD_IMMUTABLE)];
  return [fieldErrors.invalid(field, newValue ?? null, FIELD_IMMUTABLE)];
}

function each(field: string, value: string, msgs: string[]): FieldError[] {
  return msgs.map((m) => fieldErrors.invalid(field, value, m));
}

export const check = {
  dns1123Label: (value: string, field: string): FieldError[] => each(field, value, isDNS1123Label(value)),
  dns1123Subdomain: (value: string, field: string): FieldError[] =>
    each(field, value, isDNS1123Subdomain(value)),
  dns1035Label: (value: string, field: string): FieldError[] => each(field, value, isDNS1035Label(value)),
  qualifiedName: (value: string, field: string): FieldError[] => each(field, value, isQualifiedName(value)),
  labelValue: (value: string, field: string): FieldError[] => each(field, value, isValidLabelValue(value)),
};

/** The value as a string map (labels and the like); anything else reads as empty. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A decoded object seen through its API type with every field optional: what arrives may lack
 * fields the type calls required, and code must read it defensively.
 */
export type Loose<T> = T extends (infer U)[]
  ? Loose<U>[]
  : T extends object
    ? { [K in keyof T]?: Loose<T[K]> }
    : T;

/** The field `key` of `parent` as an object, created empty when missing. */
export function ensureObject<T extends object>(parent: Record<string, unknown>, key: string): T {
  const v = parent[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as T;
  const created = {} as T;
  parent[key] = created;
  return created;
}

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${HTTP_PATH_FMT}$`);

/** Upstream's IsDomainPrefixedPath: `acme.io/foo`. */
export function isDomainPrefixedPath(field: string, value: string): FieldError[] {
  if (value.length === 0) return [fieldErrors.required(field)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || path.length === 0) {
    return [fieldErrors.invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs = isDNS1123Subdomain(host).map((m) => fieldErrors.invalid(field, host, m));
  if (!httpPathRe.test(path))
    errs.push(fieldErrors.invalid(field, path, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}

/**
 * ConfigMap and Secret validation: keys, the 1 MiB size limit, immutability, and Secret types.
 */
import { fieldErrors, type FieldError } from '../../errors.js';
import { deepEqual, rec, str, stringMap, type JsonObject } from '../util.js';
import { immutable, isConfigMapKey } from './common.js';

/** Upstream's limit on the data of one ConfigMap or Secret: 1 MiB. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_DETAIL = 'field is immutable when `immutable` is set';

/** Decoded length of a base64 value, or an error in Go's wording when it is not base64. */
function base64Length(value: string): { bytes?: Buffer; error?: string } {
  const clean = value.replace(/[\r\n]/g, '');
  const bad = clean.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return { error: `illegal base64 data at input byte ${bad}` };
  if (clean.length % 4 !== 0)
    return { error: `illegal base64 data at input byte ${clean.length - (clean.length % 4)}` };
  const pad = clean.indexOf('=');
  if (pad >= 0 && pad < clean.length - 2) return { error: `illegal base64 data at input byte ${pad}` };
  return { bytes: Buffer.from(clean, 'base64') };
}

function keyErrors(key: string, field: string): FieldError[] {
  return isConfigMapKey(key).map((m) => fieldErrors.invalid(field, key, m));
}

/** Upstream's ValidateConfigMap (ObjectMeta aside). */
export function validateConfigMap(cm: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(cm['data']) ?? {};
  const binary = rec(cm['binaryData']) ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const f = `data[${key}]`;
    errs.push(...keyErrors(key, f));
    if (key in binary) errs.push(fieldErrors.invalid(f, key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(str(value), 'utf8');
  }
  for (const [key, value] of Object.entries(binary)) {
    const f = `binaryData[${key}]`;
    errs.push(...keyErrors(key, f));
    const decoded = base64Length(str(value));
    if (decoded.error) errs.push(fieldErrors.invalid(f, '<binary data>', decoded.error));
    total += decoded.bytes?.length ?? 0;
  }
  if (total > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong('', '', MAX_SECRET_SIZE));
  return errs;
}

/** Upstream's ValidateConfigMapUpdate (ObjectMeta aside). */
export function validateConfigMapUpdate(cm: JsonObject, old: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (old['immutable'] === true) {
    if (cm['immutable'] !== true) errs.push(fieldErrors.forbidden('immutable', IMMUTABLE_DETAIL));
    if (!deepEqual(cm['data'], old['data'])) errs.push(fieldErrors.forbidden('data', IMMUTABLE_DETAIL));
    if (!deepEqual(cm['binaryData'], old['binaryData']))
      errs.push(fieldErrors.forbidden('binaryData', IMMUTABLE_DETAIL));
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };

/** Go's wording for the first syntax error of common malformed documents. */
function goJSONSyntaxError(text: string): string {
  const first = text[0] ?? '';
  if (!/[{["\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
  const literal = LITERALS[first];
  if (literal) {
    for (let i = 1; i < literal.length; i++) {
      const c = text[i];
      if (c === undefined) return 'unexpected end of JSON input';
      if (c !== literal[i])
        return `invalid character '${c}' in literal ${literal} (expecting '${literal[i]}')`;
    }
    const rest = text.slice(literal.length).trimStart();
    if (rest) return `invalid character '${rest[0]}' after top-level value`;
  }
  return 'unexpected end of JSON input';
}

/** What Go's json.Unmarshal into map[string]interface{} says about a document, or undefined when it is fine. */
function jsonObjectError(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  const trimmed = text.trim();
  if (trimmed === '') return 'unexpected end of JSON input';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return goJSONSyntaxError(trimmed);
  }
  if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) return undefined;
  const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

/** Upstream's ValidateSecret (ObjectMeta aside). `data` values are base64, as on the wire. */
export function validateSecret(secret: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(secret['data']) ?? {};
  const decoded = new Map<string, Buffer>();
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const f = `data[${key}]`;
    errs.push(...keyErrors(key, f));
    const d = base64Length(str(value));
    if (d.error) errs.push(fieldErrors.invalid(f, '<secret contents redacted>', d.error));
    if (d.bytes) {
      decoded.set(key, d.bytes);
      total += d.bytes.length;
    }
  }
  if (total > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong('data', '', MAX_SECRET_SIZE));
  const annotations = stringMap(rec(secret['metadata'])?.['annotations']);
  const has = (k: string): boolean => k in data;
  switch (str(secret['type'])) {
    case 'kubernetes.io/service-account-token':
      if (!annotations['kubernetes.io/service-account.name'])
        errs.push(fieldErrors.required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = str(secret['type']) === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        errs.push(fieldErrors.required(`data[${key}]`));
        break;
      }
      const e = jsonObjectError(decoded.get(key) ?? Buffer.alloc(0));
      if (e) errs.push(fieldErrors.invalid(`data[${key}]`, '<secret contents redacted>', e));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(fieldErrors.required('data[username]'));
        errs.push(fieldErrors.required('data[password]'));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if ((decoded.get('ssh-privatekey')?.length ?? 0) === 0)
        errs.push(fieldErrors.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(fieldErrors.required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(fieldErrors.required('data[tls.key]'));
      break;
  }
  return errs;
}

/** Upstream's ValidateSecretUpdate (ObjectMeta aside). */
export function validateSecretUpdate(secret: JsonObject, old: JsonObject): FieldError[] {
  const errs = immutable(str(secret['type']), str(old['type']), 'type');
  if (old['immutable'] === true) {
    if (secret['immutable'] !== true) errs.push(fieldErrors.forbidden('immutable', IMMUTABLE_DETAIL));
    if (!deepEqual(secret['data'], old['data'])) errs.push(fieldErrors.forbidden('data', IMMUTABLE_DETAIL));
  }
  errs.push(...validateSecret(secret));
  return errs;
}

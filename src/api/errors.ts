/**
 * Errors as data: field-path validation errors (worded like upstream's field.Error) and API errors that
 * carry a Kubernetes `Status`. Every 4xx/5xx the server sends is built here.
 */
import type { GroupResource } from './meta.js';

/** The kinds of field error, with upstream's `details.causes[].reason` values. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a bad value that must not be printed (upstream's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omit');

/** One validation failure at a field path such as `spec.containers[0].image`. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail?: string;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  // Go's %#v of a []string, as upstream prints it: []string{"10.0.0.1", "10.0.0.2"}.
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
    return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  return JSON.stringify(value);
}

/** The part after the field path: `Invalid value: "Foo": a lowercase RFC 1123 ...`. */
export function fieldErrorBody(e: FieldError): string {
  let s: string;
  if (
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' ||
    e.type === 'InternalError' ||
    e.badValue === OMIT_VALUE ||
    !('badValue' in e)
  ) {
    s = typeText[e.type];
  } else {
    s = `${typeText[e.type]}: ${formatValue(e.badValue)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** `spec.containers[0].image: Required value`. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** Constructors for field errors, named like upstream's field package. */
export const fieldErrors = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, badValue: unknown, detail?: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    badValue,
    detail,
  }),
  notSupported: (field: string, badValue: unknown, supported: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    badValue,
    detail: supported.length
      ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`
      : undefined,
  }),
  duplicate: (field: string, badValue: unknown): FieldError => ({
    type: 'FieldValueDuplicate',
    field,
    badValue,
  }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  notFound: (field: string, badValue: unknown): FieldError => ({
    type: 'FieldValueNotFound',
    field,
    badValue,
  }),
  tooLong: (field: string, badValue: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    badValue,
    detail: `may not be more than ${max} bytes`,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field,
    badValue: actual,
    detail: `must have at most ${max} items`,
  }),
  typeInvalid: (field: string, badValue: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid',
    field,
    badValue,
    detail,
  }),
  internal: (field: string, detail: string): FieldError => ({ type: 'InternalError', field, detail }),
};

/** Builds field paths: `path('spec').child('containers').index(0).child('image').toString()`. */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string): FieldPath {
    return new FieldPath(name);
  }
  child(name: string, ...more: string[]): FieldPath {
    let t = this.text === '' ? name : `${this.text}.${name}`;
    for (const m of more) t += `.${m}`;
    return new FieldPath(t);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

// ---------------------------------------------------------------------------------------------------
// Status and API errors

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable'
  | '';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** meta/v1 Status, as sent on the wire. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that the server turns into an HTTP response with a `Status` body. */
export class ApiError extends Error {
  readonly status: Status;
  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
    if (reason) this.status.reason = reason;
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason {
    return this.status.reason ?? '';
  }
}

/** "Deployment.apps" or "Pod": upstream's GroupKind.String(). */
export function groupKindString(group: string, kind: string): string {
  return group === '' ? kind : `${kind}.${group}`;
}

function grString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/** Joins errors the way upstream's aggregate does: one plain, several in brackets. */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0] ?? '';
  return `[${unique.join(', ')}]`;
}

export const apiErrors = {
  badRequest: (message: string): ApiError => new ApiError(400, 'BadRequest', message),
  unauthorized: (message = 'Unauthorized'): ApiError => new ApiError(401, 'Unauthorized', message),
  forbidden: (gr: GroupResource, name: string, reason: string): ApiError =>
    new ApiError(
      403,
      'Forbidden',
      name
        ? `${grString(gr)} ${JSON.stringify(name)} is forbidden: ${reason}`
        : `${grString(gr)} is forbidden: ${reason}`,
      { name: name || undefined, group: gr.group, kind: gr.resource },
    ),
  /** A 403 whose message is given whole (non-resource paths, namespace lifecycle). */
  forbiddenMessage: (message: string, details?: StatusDetails): ApiError =>
    new ApiError(403, 'Forbidden', message, details),
  notFound: (gr: GroupResource, name: string): ApiError =>
    new ApiError(404, 'NotFound', `${grString(gr)} ${JSON.stringify(name)} not found`, {
      name,
      group: gr.group,
      kind: gr.resource,
    }),
  /** A bare 404 for paths that name no resource. */
  pathNotFound: (): ApiError =>
    new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
  alreadyExists: (gr: GroupResource, name: string): ApiError =>
    new ApiError(409, 'AlreadyExists', `${grString(gr)} ${JSON.stringify(name)} already exists`, {
      name,
      group: gr.group,
      kind: gr.resource,
    }),
  conflict: (gr: GroupResource, name: string, reason: string): ApiError =>
    new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${grString(gr)} ${JSON.stringify(name)}: ${reason}`,
      { name, group: gr.group, kind: gr.resource },
    ),
  /** The optimistic-concurrency failure every stale update gets. */
  staleUpdate: (gr: GroupResource, name: string): ApiError =>
    apiErrors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  invalid: (group: string, kind: string, name: string, errs: FieldError[]): ApiError => {
    const gk = groupKindString(group, kind);
    const message = errs.length
      ? `${gk} ${JSON.stringify(name)} is invalid: ${aggregateMessage(errs.map(fieldErrorString))}`
      : `${gk} ${JSON.stringify(name)} is invalid`;
    return new ApiError(422, 'Invalid', message, {
      name,
      group,
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
    });
  },
  methodNotSupported: (gr: GroupResource, action: string): ApiError =>
    new ApiError(
      405,
      'MethodNotAllowed',
      `${action} is not supported on resources of kind ${JSON.stringify(grString(gr))}`,
      {
        group: gr.group,
        kind: gr.resource,
      },
    ),
  gone: (message: string): ApiError => new ApiError(410, 'Gone', message),
  /** 410 with reason Expired: a compacted resourceVersion or continue token; clients relist. */
  expired: (message: string): ApiError => new ApiError(410, 'Expired', message),
  resourceVersionTooOld: (requested: number | string, oldest: number | string): ApiError =>
    new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
  tooLarge: (limit: number): ApiError =>
    new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unsupportedMediaType: (contentType: string): ApiError =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${JSON.stringify(contentType)})`,
    ),
  notAcceptable: (accepted: string[]): ApiError =>
    new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`),
  tooManyRequests: (message: string, retryAfterSeconds = 1): ApiError =>
    new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds }),
  timeout: (message: string, retryAfterSeconds = 0): ApiError =>
    new ApiError(504, 'Timeout', message, { retryAfterSeconds }),
  serverTimeout: (gr: GroupResource, operation: string, retryAfterSeconds: number): ApiError =>
    new ApiError(
      500,
      'ServerTimeout',
      `The ${operation} operation against ${grString(gr)} could not be completed at this time, please try again.`,
      {
        group: gr.group,
        kind: gr.resource,
        retryAfterSeconds,
      },
    ),
  internal: (err: unknown): ApiError =>
    new ApiError(
      500,
      'InternalError',
      `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
      {
        causes: [{ message: err instanceof Error ? err.message : String(err) }],
      },
    ),
  serviceUnavailable: (message: string): ApiError => new ApiError(503, 'ServiceUnavailable', message),
};

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/**
 * Turning error answers into `ApiError`: the server's own `Status` when the body is one, otherwise a
 * Status synthesised from the HTTP code (worded as Kubernetes clients word them).
 */
import { ApiError, type Status, type StatusDetails, type StatusReason } from '../api/errors.js';
import { isObject } from '../api/meta.js';

/** True when `value` looks like a meta/v1 Status. */
export function isStatus(value: unknown): value is Status {
  return (
    isObject(value) && value['kind'] === 'Status' && (value['apiVersion'] === 'v1' || !value['apiVersion'])
  );
}

const GENERIC: Record<number, [StatusReason, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the server reported that the resource is gone'],
  413: ['RequestEntityTooLarge', 'the server rejected the request because it is too large'],
  415: [
    'UnsupportedMediaType',
    'the server was unable to respond with a content type that the client supports',
  ],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: [
    'Timeout',
    'the server was unable to return a response in the time allotted, but may still be processing the request',
  ],
};

/** An `ApiError` carrying `status` as sent (the HTTP code fills a missing `code`). */
export function apiErrorFromStatus(status: Status, httpCode: number): ApiError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : httpCode;
  const err = new ApiError(code, status.reason ?? '', status.message ?? '', status.details);
  if (status.metadata && Object.keys(status.metadata).length) err.status.metadata = status.metadata;
  return err;
}

/** A synthesised error for an answer whose body is not a Status. */
export function genericApiError(httpCode: number, body: string, retryAfter?: string): ApiError {
  const known = GENERIC[httpCode];
  const [reason, message]: [StatusReason, string] = known
    ? known
    : httpCode >= 500
      ? [
          'InternalError',
          `an error on the server (${JSON.stringify(body.slice(0, 200) || 'unknown')}) has prevented the request from succeeding`,
        ]
      : ['', `the server responded with the status code ${httpCode} but did not return more information`];
  const details: StatusDetails = {};
  const text = body.trim();
  if (text) details.causes = [{ reason: 'UnexpectedServerResponse', message: text.slice(0, 1000) }];
  const seconds = retryAfter !== undefined ? Number.parseInt(retryAfter, 10) : NaN;
  if (Number.isFinite(seconds) && seconds > 0) details.retryAfterSeconds = seconds;
  return new ApiError(httpCode, reason, message, Object.keys(details).length ? details : undefined);
}

/** The error for a non-2xx answer: the server's Status when the body is one. */
export function errorFromResponse(httpCode: number, body: Buffer, retryAfter?: string): ApiError {
  const text = body.toString('utf8');
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isStatus(parsed)) return apiErrorFromStatus(parsed, httpCode);
    } catch {
      // Not JSON: fall through to a synthesised Status that quotes the body.
    }
  }
  return genericApiError(httpCode, text, retryAfter);
}

/** `ApiError` for an ERROR watch event whose object is a Status (410 Expired and the like). */
export function errorFromWatchStatus(obj: unknown): ApiError {
  if (isStatus(obj)) return apiErrorFromStatus(obj, 500);
  return new ApiError(
    500,
    'InternalError',
    `watch ERROR event without a Status: ${JSON.stringify(obj).slice(0, 500)}`,
  );
}

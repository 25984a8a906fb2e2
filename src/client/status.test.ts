import { describe, expect, it } from 'vitest';
import { ApiError, apiErrors } from '../api/errors.js';
import { errorFromResponse, errorFromWatchStatus } from './status.js';

describe('errors from answers', () => {
  it('rebuilds the server Status', () => {
    const sent = apiErrors.notFound({ group: '', resource: 'pods' }, 'web');
    const err = errorFromResponse(404, Buffer.from(JSON.stringify(sent.status)));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(404);
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('pods "web" not found');
    expect(err.status).toEqual(sent.status);
  });

  it('keeps causes of Invalid', () => {
    const sent = apiErrors.invalid('', 'Pod', 'p', [
      { type: 'FieldValueRequired', field: 'spec.containers' },
    ]);
    const err = errorFromResponse(422, Buffer.from(JSON.stringify(sent.status)));
    expect(err.status.details?.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
    ]);
  });

  it('synthesises a Status for other bodies', () => {
    const err = errorFromResponse(503, Buffer.from('upstream connect error'), '5');
    expect(err.code).toBe(503);
    expect(err.reason).toBe('ServiceUnavailable');
    expect(err.message).toBe('the server is currently unable to handle the request');
    expect(err.status.details).toEqual({
      causes: [{ reason: 'UnexpectedServerResponse', message: 'upstream connect error' }],
      retryAfterSeconds: 5,
    });
    expect(errorFromResponse(404, Buffer.from('404 page not found')).message).toBe(
      'the server could not find the requested resource',
    );
    expect(errorFromResponse(502, Buffer.from('')).reason).toBe('InternalError');
    expect(errorFromResponse(418, Buffer.from('{"not":"a status"}')).code).toBe(418);
  });

  it('reads the Status of an ERROR watch event', () => {
    const err = errorFromWatchStatus(apiErrors.resourceVersionTooOld(5, 9).status);
    expect([err.code, err.reason, err.message]).toEqual([410, 'Expired', 'too old resource version: 5 (9)']);
    expect(errorFromWatchStatus({ weird: true }).code).toBe(500);
  });
});

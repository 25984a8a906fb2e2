import { describe, expect, it } from 'vitest';
import { authorizationName, parseRequestInfo } from './request-info.js';

const q = (s = '') => new URLSearchParams(s);

describe('parseRequestInfo', () => {
  it('reads namespaced resource paths', () => {
    const i = parseRequestInfo('GET', '/apis/apps/v1/namespaces/web/deployments/nginx/scale', q());
    expect(i).toMatchObject({
      isResourceRequest: true,
      verb: 'get',
      apiGroup: 'apps',
      apiVersion: 'v1',
      namespace: 'web',
      resource: 'deployments',
      name: 'nginx',
      subresource: 'scale',
    });
  });
  it('tells list, watch and deletecollection apart', () => {
    expect(parseRequestInfo('GET', '/api/v1/pods', q()).verb).toBe('list');
    expect(parseRequestInfo('GET', '/api/v1/namespaces/a/pods', q('watch=true')).verb).toBe('watch');
    expect(parseRequestInfo('GET', '/api/v1/watch/namespaces/a/pods', q()).verb).toBe('watch');
    expect(parseRequestInfo('DELETE', '/api/v1/namespaces/a/pods', q()).verb).toBe('deletecollection');
    expect(parseRequestInfo('POST', '/api/v1/namespaces/a/pods', q()).verb).toBe('create');
  });
  it('treats namespaces as cluster-scoped objects', () => {
    expect(parseRequestInfo('GET', '/api/v1/namespaces/foo', q())).toMatchObject({
      resource: 'namespaces',
      name: 'foo',
      namespace: 'foo',
    });
    expect(parseRequestInfo('PUT', '/api/v1/namespaces/foo/finalize', q())).toMatchObject({
      resource: 'namespaces',
      name: 'foo',
      subresource: 'finalize',
      verb: 'update',
    });
    expect(parseRequestInfo('GET', '/api/v1/namespaces', q())).toMatchObject({
      resource: 'namespaces',
      name: '',
      verb: 'list',
    });
  });
  it('leaves non-resource paths alone', () => {
    expect(parseRequestInfo('GET', '/healthz', q())).toMatchObject({ isResourceRequest: false, verb: 'get' });
    expect(parseRequestInfo('GET', '/apis/apps/v1', q())).toMatchObject({
      isResourceRequest: false,
      apiGroup: 'apps',
    });
    expect(parseRequestInfo('GET', '/api', q()).isResourceRequest).toBe(false);
  });
  it('names a list narrowed by metadata.name for authorization', () => {
    const query = q('fieldSelector=metadata.name%3Dx');
    expect(authorizationName(parseRequestInfo('GET', '/api/v1/namespaces/a/pods', query), query)).toBe('x');
  });
});

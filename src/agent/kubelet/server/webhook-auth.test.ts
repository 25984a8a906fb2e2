import { describe, expect, it } from 'vitest';
import type { RawResponse } from '../../../client/types.js';
import { subjectAccessReviewAuthorizer, tokenReviewAuthenticator } from './webhook-auth.js';

function fakeClient(answer: (path: string, body: Record<string, unknown>) => unknown): {
  calls: string[];
  raw(method: string, path: string, body?: Buffer | string): Promise<RawResponse>;
} {
  const calls: string[] = [];
  return {
    calls,
    raw: async (_method, path, body) => {
      const parsed = JSON.parse(String(body)) as Record<string, unknown>;
      calls.push(path);
      return { status: 201, headers: {}, body: Buffer.from(JSON.stringify(answer(path, parsed))) };
    },
  };
}

const attrs = {
  verb: 'get',
  resource: 'nodes' as const,
  subresource: 'stats',
  name: 'n1',
  apiGroup: '' as const,
  apiVersion: 'v1' as const,
  path: '/stats/summary',
};

describe('webhook authentication and authorization', () => {
  it('asks SubjectAccessReview about nodes/<subresource> and caches the answer', async () => {
    let t = 0;
    const c = fakeClient((_p, body) => {
      const spec = body['spec'] as { user: string; resourceAttributes: { subresource: string } };
      return {
        status: { allowed: spec.user === 'metrics' && spec.resourceAttributes.subresource === 'stats' },
      };
    });
    const authorize = subjectAccessReviewAuthorizer(c, { now: () => t });
    expect(await authorize({ username: 'metrics', groups: [] }, attrs)).toEqual({
      allowed: true,
      reason: undefined,
    });
    expect(await authorize({ username: 'metrics', groups: [] }, attrs)).toMatchObject({ allowed: true });
    expect(c.calls).toHaveLength(1);
    expect(await authorize({ username: 'jane', groups: [] }, attrs)).toMatchObject({ allowed: false });
    t += 31_000;
    await authorize({ username: 'jane', groups: [] }, attrs);
    expect(c.calls).toHaveLength(3);
  });

  it('resolves bearer tokens with TokenReview', async () => {
    const c = fakeClient((_p, body) => {
      const token = (body['spec'] as { token: string }).token;
      return token === 'good'
        ? { status: { authenticated: true, user: { username: 'sa', groups: ['system:serviceaccounts'] } } }
        : { status: { authenticated: false } };
    });
    const authenticate = tokenReviewAuthenticator(c);
    expect(await authenticate('good')).toMatchObject({ username: 'sa', groups: ['system:serviceaccounts'] });
    expect(await authenticate('bad')).toBeUndefined();
    expect(c.calls).toEqual([
      '/apis/authentication.k8s.io/v1/tokenreviews',
      '/apis/authentication.k8s.io/v1/tokenreviews',
    ]);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { BoundObjectReader } from '../auth/serviceaccount.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER as ISSUER,
  ServiceAccountTokenSigner,
  ServiceAccountTokenVerifier,
} from '../auth/serviceaccount-token.js';
import { createTokenRequest, type TokenRequestDeps } from './serviceaccount-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = new ServiceAccountTokenSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const now = new Date('2026-11-29T08:00:00Z');
const verifier = new ServiceAccountTokenVerifier({
  publicKeysPem: [publicKey.export({ type: 'spki', format: 'pem' }).toString()],
  issuers: [ISSUER],
  audiences: [ISSUER, 'vault'],
  now: () => now,
});

let objects: Map<string, KubeObject>;
let deps: TokenRequestDeps;

const reader: BoundObjectReader = {
  serviceAccount: (ns, name) => Promise.resolve(objects.get(`ServiceAccount/${ns}/${name}`)),
  pod: (ns, name) => Promise.resolve(objects.get(`Pod/${ns}/${name}`)),
  secret: (ns, name) => Promise.resolve(objects.get(`Secret/${ns}/${name}`)),
  node: (name) => Promise.resolve(objects.get(`Node//${name}`)),
};

function request(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata, spec };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

function issue(spec: Record<string, unknown> = {}, name = 'default', metadata: Record<string, unknown> = {}) {
  return createTokenRequest(deps, { namespace: 'team', name, request: request(spec, metadata), now });
}

async function claimsOf(obj: KubeObject) {
  const token = (obj['status'] as { token: string }).token;
  const v = await verifier.verify(token);
  if (!v) throw new Error('token not recognised');
  return v.claims;
}

beforeEach(() => {
  objects = new Map([
    ['ServiceAccount/team/default', { metadata: { name: 'default', namespace: 'team', uid: 'sa-uid' } }],
    [
      'Pod/team/web',
      {
        metadata: { name: 'web', namespace: 'team', uid: 'pod-uid' },
        spec: { serviceAccountName: 'default', nodeName: 'n1' },
      },
    ],
    ['Node//n1', { metadata: { name: 'n1', uid: 'node-uid' } }],
    ['Secret/team/s', { metadata: { name: 's', namespace: 'team', uid: 'sec-uid' } }],
  ]);
  deps = { objects: reader, signer, audiences: [ISSUER] };
});

describe('TokenRequest', () => {
  it('defaults audiences and lifetime, and answers with the token and its expiry', async () => {
    const { object, warnings } = await issue();
    expect(warnings).toEqual([]);
    expect(object).toMatchObject({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {
        name: 'default',
        namespace: 'team',
        uid: 'sa-uid',
        creationTimestamp: '2026-11-29T08:00:00Z',
      },
      spec: { audiences: [ISSUER], expirationSeconds: 3600 },
      status: { expirationTimestamp: '2026-11-29T09:00:00Z' },
    });
    const claims = await claimsOf(object);
    expect(claims.sub).toBe('system:serviceaccount:team:default');
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims['kubernetes.io']).toEqual({
      namespace: 'team',
      serviceaccount: { name: 'default', uid: 'sa-uid' },
    });
  });

  it('keeps requested audiences and does not stretch kubelet-style 3607 s tokens', async () => {
    const { object } = await issue({
      audiences: ['vault'],
      expirationSeconds: 3607,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web' },
    });
    const claims = await claimsOf(object);
    expect(claims.aud).toEqual(['vault']);
    expect(claims.exp - claims.iat).toBe(3607);
    expect(claims['kubernetes.io'].warnafter).toBeUndefined();
  });

  it('binds to a pod and records the pod’s node', async () => {
    const { object } = await issue({
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'pod-uid' },
    });
    expect((await claimsOf(object))['kubernetes.io']).toMatchObject({
      pod: { name: 'web', uid: 'pod-uid' },
      node: { name: 'n1', uid: 'node-uid' },
    });
  });

  it('binds to a secret or a node', async () => {
    const s = await issue({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's' } });
    expect((await claimsOf(s.object))['kubernetes.io'].secret).toEqual({ name: 's', uid: 'sec-uid' });
    const n = await issue({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n1' } });
    expect((await claimsOf(n.object))['kubernetes.io'].node).toEqual({ name: 'n1', uid: 'node-uid' });
  });

  it('refuses lifetimes under 10 minutes or over 2^32 seconds with upstream’s wording', async () => {
    const short = await failure(issue({ expirationSeconds: 60 }));
    expect(short.code).toBe(422);
    expect(short.status.message).toBe(
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    );
    const long = await failure(issue({ expirationSeconds: 2 ** 32 + 1 }));
    expect(long.status.message).toContain('may not specify a duration larger than 2^32 seconds');
  });

  it('answers 404 for a missing service account and for a missing bound object', async () => {
    const sa = await failure(issue({}, 'ghost'));
    expect([sa.code, sa.status.message]).toEqual([404, 'serviceaccounts "ghost" not found']);
    const pod = await failure(issue({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } }));
    expect([pod.code, pod.status.message]).toEqual([404, 'pods "nope" not found']);
  });

  it('refuses bindings to a pod of another service account, a stale uid or an unsupported kind', async () => {
    objects.set('Pod/team/other', {
      metadata: { name: 'other', namespace: 'team', uid: 'o' },
      spec: { serviceAccountName: 'robot' },
    });
    const wrongSa = await failure(
      issue({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } }),
    );
    expect([wrongSa.code, wrongSa.status.message]).toEqual([
      400,
      'cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.',
    ]);
    const stale = await failure(
      issue({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'old' } }),
    );
    expect([stale.code, stale.status.message]).toEqual([
      409,
      'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
    ]);
    const kind = await failure(
      issue({ boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' } }),
    );
    expect([kind.code, kind.status.message]).toEqual([
      400,
      'cannot bind token to object of type apps/v1, Kind=Deployment',
    ]);
  });

  it('requires metadata name and namespace, when given, to match the URL', async () => {
    const err = await failure(issue({}, 'default', { name: 'other' }));
    expect(err.status.message).toBe(
      'TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
    );
  });

  it('shortens requests beyond a configured maximum, with a warning', async () => {
    deps = { ...deps, maxExpirationSeconds: 7200 };
    const { object, warnings } = await issue({ expirationSeconds: 86400 });
    expect(warnings).toEqual(['requested expiration of 86400 seconds shortened to 7200 seconds']);
    expect((object['spec'] as { expirationSeconds: number }).expirationSeconds).toBe(7200);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/meta.js';
import {
  EXTRA_CREDENTIAL_ID,
  EXTRA_NODE_NAME,
  EXTRA_NODE_UID,
  EXTRA_POD_NAME,
  EXTRA_POD_UID,
  serviceAccountTokenAuthenticator,
  type BoundObjectReader,
} from './serviceaccount.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER as ISSUER,
  ServiceAccountTokenSigner,
  ServiceAccountTokenVerifier,
  tokenClaims,
  type TokenBinding,
} from './serviceaccount-token.js';
import type { TokenAuthenticator } from './tokenfile.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = new ServiceAccountTokenSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const issuedAt = new Date('2026-11-29T08:00:00Z');

/** Objects by `kind/namespace/name`. */
let objects: Map<string, KubeObject>;
let now: Date;
let auth: TokenAuthenticator;

function put(kind: string, namespace: string, name: string, uid: string, deletionTimestamp?: string): void {
  objects.set(`${kind}/${namespace}/${name}`, {
    metadata: { name, namespace, uid, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
  });
}

const reader: BoundObjectReader = {
  serviceAccount: (ns, name) => Promise.resolve(objects.get(`ServiceAccount/${ns}/${name}`)),
  pod: (ns, name) => Promise.resolve(objects.get(`Pod/${ns}/${name}`)),
  secret: (ns, name) => Promise.resolve(objects.get(`Secret/${ns}/${name}`)),
  node: (name) => Promise.resolve(objects.get(`Node//${name}`)),
};

function token(b: Partial<TokenBinding> = {}): Promise<string> {
  return signer.sign(
    tokenClaims(
      { namespace: 'team', serviceAccount: { name: 'builder', uid: 'sa-1' }, ...b },
      { issuer: ISSUER, audiences: [ISSUER], expirationSeconds: 3600, now: issuedAt, jti: 'j-1' },
    ),
  );
}

function bearer(t: string) {
  return auth.authenticate({ clientCertificates: [], headers: { authorization: `Bearer ${t}` } });
}

beforeEach(() => {
  objects = new Map();
  now = new Date(issuedAt.getTime() + 5_000);
  put('ServiceAccount', 'team', 'builder', 'sa-1');
  auth = serviceAccountTokenAuthenticator({
    verifier: new ServiceAccountTokenVerifier({
      publicKeysPem: [publicKeyPem],
      issuers: [ISSUER],
      audiences: [ISSUER],
      now: () => now,
    }),
    objects: reader,
    now: () => now,
  });
});

describe('service-account token authenticator', () => {
  it('maps a token to its service account, with groups, uid and credential id', async () => {
    expect(await bearer(await token())).toEqual({
      username: 'system:serviceaccount:team:builder',
      uid: 'sa-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
      extra: { [EXTRA_CREDENTIAL_ID]: ['JTI=j-1'] },
    });
  });

  it('reports the pod and its node for a pod-bound token', async () => {
    put('Pod', 'team', 'web', 'pod-1');
    const user = await bearer(
      await token({ pod: { name: 'web', uid: 'pod-1' }, node: { name: 'n1', uid: 'node-1' } }),
    );
    expect(user?.extra).toEqual({
      [EXTRA_POD_NAME]: ['web'],
      [EXTRA_POD_UID]: ['pod-1'],
      [EXTRA_NODE_NAME]: ['n1'],
      [EXTRA_NODE_UID]: ['node-1'],
      [EXTRA_CREDENTIAL_ID]: ['JTI=j-1'],
    });
  });

  it('stops accepting a token once its service account is deleted or replaced', async () => {
    const t = await token();
    objects.clear();
    await expect(bearer(t)).rejects.toThrow('serviceaccounts "builder" not found');
    put('ServiceAccount', 'team', 'builder', 'sa-2');
    await expect(bearer(t)).rejects.toThrow('service account UID (sa-2) does not match claim (sa-1)');
  });

  it('stops accepting a pod-bound token once the pod is gone, after the deletion leeway', async () => {
    const t = await token({ pod: { name: 'web', uid: 'pod-1' } });
    await expect(bearer(t)).rejects.toThrow('service account token has been invalidated');
    put('Pod', 'team', 'web', 'pod-1', '2026-11-29T07:59:30Z');
    expect((await bearer(t))?.username).toBe('system:serviceaccount:team:builder');
    put('Pod', 'team', 'web', 'pod-1', '2026-11-29T07:58:00Z');
    await expect(bearer(t)).rejects.toThrow('service account token has been invalidated');
    put('Pod', 'team', 'web', 'pod-2');
    await expect(bearer(t)).rejects.toThrow(
      'pod UID (pod-2) does not match service account pod ref claim (pod-1)',
    );
  });

  it('checks the node of a node-bound token and the secret of a secret-bound one', async () => {
    const byNode = await token({ node: { name: 'n1', uid: 'node-1' } });
    await expect(bearer(byNode)).rejects.toThrow('service account token has been invalidated');
    put('Node', '', 'n1', 'node-1');
    expect((await bearer(byNode))?.extra?.[EXTRA_NODE_NAME]).toEqual(['n1']);
    const bySecret = await token({ secret: { name: 's', uid: 'sec-1' } });
    await expect(bearer(bySecret)).rejects.toThrow('service account token has been invalidated');
    put('Secret', 'team', 's', 'sec-1');
    expect((await bearer(bySecret))?.username).toBe('system:serviceaccount:team:builder');
  });

  it('ignores requests without a bearer token or with a token it does not know', async () => {
    await expect(auth.authenticate({ clientCertificates: [], headers: {} })).resolves.toBeUndefined();
    await expect(bearer('abc')).resolves.toBeUndefined();
    await expect(auth.authenticateToken('x.y.z')).resolves.toBeUndefined();
  });
});

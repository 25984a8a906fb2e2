import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokenSigner,
  ServiceAccountTokenVerifier,
  tokenClaims,
  type TokenBinding,
} from './serviceaccount-token.js';

function rsaPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const key = rsaPair();
const otherKey = rsaPair();
const ISSUER = DEFAULT_SERVICE_ACCOUNT_ISSUER;
const issuedAt = new Date('2026-11-29T08:00:00Z');
const binding: TokenBinding = {
  namespace: 'team',
  serviceAccount: { name: 'default', uid: 'sa-uid' },
  pod: { name: 'web', uid: 'pod-uid' },
  node: { name: 'node-1', uid: 'node-uid' },
};

function verifier(
  now: Date,
  opts: { audiences?: string[]; keys?: string[] } = {},
): ServiceAccountTokenVerifier {
  return new ServiceAccountTokenVerifier({
    publicKeysPem: opts.keys ?? [key.publicKeyPem],
    issuers: [ISSUER],
    audiences: opts.audiences ?? [ISSUER],
    now: () => now,
  });
}

async function issue(
  opts: { audiences?: string[]; seconds?: number; signer?: ServiceAccountTokenSigner } = {},
): Promise<string> {
  const signer = opts.signer ?? new ServiceAccountTokenSigner(key.privateKeyPem, ISSUER);
  return signer.sign(
    tokenClaims(binding, {
      issuer: ISSUER,
      audiences: opts.audiences ?? [ISSUER],
      expirationSeconds: opts.seconds ?? 3600,
      now: issuedAt,
      jti: 'jti-1',
    }),
  );
}

function decode(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

const later = (seconds: number): Date => new Date(issuedAt.getTime() + seconds * 1000);

describe('service-account token claims', () => {
  it('carry upstream’s layout: iss, sub, aud, times, jti and the kubernetes.io bindings', async () => {
    const token = await issue();
    const [header, payload] = token.split('.');
    const signer = new ServiceAccountTokenSigner(key.privateKeyPem, ISSUER);
    expect(decode(header)).toEqual({ alg: 'RS256', kid: signer.keyId });
    const now = issuedAt.getTime() / 1000;
    expect(decode(payload)).toEqual({
      aud: [ISSUER],
      exp: now + 3600,
      iat: now,
      iss: ISSUER,
      jti: 'jti-1',
      'kubernetes.io': {
        namespace: 'team',
        serviceaccount: { name: 'default', uid: 'sa-uid' },
        pod: { name: 'web', uid: 'pod-uid' },
        node: { name: 'node-1', uid: 'node-uid' },
      },
      nbf: now,
      sub: 'system:serviceaccount:team:default',
    });
  });

  it('name a secret binding alone, and drop an empty node uid', () => {
    const c = tokenClaims(
      { namespace: 'a', serviceAccount: { name: 'b', uid: 'u' }, secret: { name: 's', uid: 'su' } },
      { issuer: ISSUER, audiences: ['x'], expirationSeconds: 600, now: issuedAt },
    );
    expect(c['kubernetes.io']).toEqual({
      namespace: 'a',
      serviceaccount: { name: 'b', uid: 'u' },
      secret: { name: 's', uid: 'su' },
    });
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
    const p = tokenClaims(
      { ...binding, node: { name: 'gone', uid: '' } },
      { issuer: ISSUER, audiences: ['x'], expirationSeconds: 600, now: issuedAt },
    );
    expect(p['kubernetes.io'].node).toEqual({ name: 'gone' });
  });
});

describe('service-account token verification', () => {
  it('accepts a fresh token and reports the audiences it was accepted for', async () => {
    const v = await verifier(later(10)).verify(await issue({ audiences: [ISSUER, 'vault'] }));
    expect(v?.audiences).toEqual([ISSUER]);
    expect(v?.claims.sub).toBe('system:serviceaccount:team:default');
    expect(v?.claims['kubernetes.io'].pod).toEqual({ name: 'web', uid: 'pod-uid' });
  });

  it('rejects an expired token, with a minute of leeway', async () => {
    const token = await issue({ seconds: 600 });
    await expect(verifier(later(650)).verify(token)).resolves.toBeDefined();
    await expect(verifier(later(661)).verify(token)).rejects.toThrow('service account token has expired');
  });

  it('rejects a token that is not valid yet', async () => {
    const token = await issue();
    await expect(verifier(later(-120)).verify(token)).rejects.toThrow(
      'service account token is not valid yet',
    );
  });

  it('rejects a token for another audience with upstream’s message', async () => {
    const token = await issue({ audiences: ['vault'] });
    await expect(verifier(later(1)).verify(token)).rejects.toThrow(
      `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]`,
    );
  });

  it('leaves tokens of other issuers and non-JWTs to other authenticators', async () => {
    const foreign = await new ServiceAccountTokenSigner(key.privateKeyPem, 'https://elsewhere.example').sign(
      tokenClaims(binding, { issuer: 'x', audiences: [ISSUER], expirationSeconds: 600, now: issuedAt }),
    );
    await expect(verifier(later(1)).verify(foreign)).resolves.toBeUndefined();
    await expect(verifier(later(1)).verify('static-token-abc')).resolves.toBeUndefined();
    await expect(verifier(later(1)).verify('a.b.c')).resolves.toBeUndefined();
  });

  it('rejects a tampered token', async () => {
    const [h, p, s] = (await issue()).split('.');
    const claims = decode(p);
    claims['sub'] = 'system:serviceaccount:kube-system:admin';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    await expect(verifier(later(1)).verify(forged)).rejects.toThrow(/invalid signature/);
  });

  it('rejects a token signed by another key, with or without a matching key ID', async () => {
    const alien = await issue({ signer: new ServiceAccountTokenSigner(otherKey.privateKeyPem, ISSUER) });
    await expect(verifier(later(1)).verify(alien)).rejects.toThrow('invalid signature, no keys found');
    // The verifier also knows an older key: the signature still has to match the key the kid names.
    const both = verifier(later(1), { keys: [key.publicKeyPem, otherKey.publicKeyPem] });
    await expect(both.verify(alien)).resolves.toBeDefined();
    const [, p, s] = alien.split('.');
    const wrongKid = `${(await issue()).split('.')[0]}.${p}.${s}`;
    await expect(both.verify(wrongKid)).rejects.toThrow(/invalid signature/);
  });
});

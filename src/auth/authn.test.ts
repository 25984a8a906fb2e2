import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, issueClientCertificate } from '../pki/certs.js';
import { loadTokenFile, parseTokenFile, staticTokenAuthenticator, TokenFileError } from './tokenfile.js';
import type { AuthRequest, Authenticator } from './types.js';
import { unionAuthenticator } from './union.js';
import { ANONYMOUS_USER, serviceAccountUser } from './users.js';
import { x509Authenticator } from './x509.js';

const der = (pem: string): Buffer => new X509Certificate(pem).raw;
const withCert = (pem: string): AuthRequest => ({ clientCertificates: [der(pem)], headers: {} });
const withBearer = (value: string): AuthRequest => ({
  clientCertificates: [],
  headers: { authorization: value },
});

describe('x509 authenticator', () => {
  it('maps CN to the user name and O to groups, adding system:authenticated', async () => {
    const ca = await createCertificateAuthority('test-client-ca');
    const jane = await issueClientCertificate(ca, { name: 'jane', groups: ['dev', 'qa'] });
    const authn = x509Authenticator({ clientCaPem: ca.certPem });
    expect(await authn.authenticate(withCert(jane.certPem))).toEqual({
      username: 'jane',
      groups: ['dev', 'qa', 'system:authenticated'],
    });
    // Cached path gives the same answer.
    expect((await authn.authenticate(withCert(jane.certPem)))?.username).toBe('jane');
    expect(await authn.authenticate({ clientCertificates: [], headers: {} })).toBeUndefined();
  });

  it('rejects certificates of another CA, expired ones, and serving certificates', async () => {
    const ca = await createCertificateAuthority('client-ca');
    const other = await createCertificateAuthority('other-ca');
    const foreign = await issueClientCertificate(other, { name: 'mallory' });
    const serving = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      usage: 'server',
      sans: { dns: ['localhost'], ips: [] },
    });
    const jane = await issueClientCertificate(ca, { name: 'jane' });
    const later = new Date(Date.now() + 400 * 86400_000);
    expect(
      await x509Authenticator({ clientCaPem: ca.certPem }).authenticate(withCert(foreign.certPem)),
    ).toBeUndefined();
    expect(
      await x509Authenticator({ clientCaPem: ca.certPem }).authenticate(withCert(serving.certPem)),
    ).toBeUndefined();
    expect(
      await x509Authenticator({ clientCaPem: ca.certPem, now: () => later }).authenticate(
        withCert(jane.certPem),
      ),
    ).toBeUndefined();
    // Without a CA, the TLS layer's verification is trusted.
    expect((await x509Authenticator().authenticate(withCert(foreign.certPem)))?.username).toBe('mallory');
  });
});

describe('token file', () => {
  const text = [
    'secret-admin,admin,uid-1,"system:masters,ops"',
    '',
    'jane-token,jane,uid-2',
    '"quoted,token",bob,,dev',
  ].join('\n');

  it('parses upstream CSV lines', () => {
    const tokens = parseTokenFile(text, 'tokens.csv');
    expect(tokens.get('secret-admin')).toEqual({
      username: 'admin',
      uid: 'uid-1',
      groups: ['system:masters', 'ops'],
    });
    expect(tokens.get('jane-token')).toEqual({ username: 'jane', uid: 'uid-2', groups: [] });
    expect(tokens.get('quoted,token')).toEqual({ username: 'bob', groups: ['dev'] });
  });

  it('explains malformed lines', () => {
    expect(() => parseTokenFile('tok,user\n', 'a.csv')).toThrow(
      "token file 'a.csv' must have at least 3 columns (token, user name, user uid), found 2 on line 1",
    );
    expect(() => parseTokenFile('a,b,c\nt"x,u,1\n', 'b.csv')).toThrow(
      /line 2, column 2: bare " in non-quoted-field/,
    );
    expect(() => parseTokenFile('"abc,u,1\n', 'c.csv')).toThrow(/extraneous or missing " in quoted-field/);
    expect(() => parseTokenFile('a,u,1\na,v,2\n', 'd.csv')).toThrow(/duplicate token on line 2/);
    expect(() => parseTokenFile(',u,1\n', 'e.csv')).toThrow(TokenFileError);
  });

  it('authenticates Authorization: Bearer tokens', async () => {
    const authn = staticTokenAuthenticator(parseTokenFile(text));
    expect(await authn.authenticate(withBearer('Bearer jane-token'))).toEqual({
      username: 'jane',
      uid: 'uid-2',
      groups: ['system:authenticated'],
    });
    expect(await authn.authenticate(withBearer('bearer secret-admin'))).toMatchObject({ username: 'admin' });
    expect(await authn.authenticate(withBearer('Bearer nope'))).toBeUndefined();
    expect(await authn.authenticate(withBearer('Basic amFuZTp4'))).toBeUndefined();
    expect(await authn.authenticate(withBearer('Bearer '))).toBeUndefined();
  });

  it('loads a file and reports unreadable ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-tokens-'));
    try {
      await writeFile(join(dir, 'tokens.csv'), text);
      const authn = await loadTokenFile(join(dir, 'tokens.csv'));
      expect(authn.size).toBe(3);
      expect(await authn.authenticateToken('jane-token')).toMatchObject({ username: 'jane' });
      await expect(loadTokenFile(join(dir, 'missing.csv'))).rejects.toThrow(/cannot read token file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('union authenticator', () => {
  const fixed = (username: string | undefined): Authenticator => ({
    authenticate: () => Promise.resolve(username ? { username, groups: [] } : undefined),
  });
  const failing: Authenticator = { authenticate: () => Promise.reject(new Error('boom')) };
  const req: AuthRequest = { clientCertificates: [], headers: {} };

  it('returns the first user found, with system:authenticated', async () => {
    expect(await unionAuthenticator(fixed(undefined), fixed('a'), fixed('b')).authenticate(req)).toEqual({
      username: 'a',
      groups: ['system:authenticated'],
    });
    expect(await unionAuthenticator(failing, fixed('a')).authenticate(req)).toMatchObject({ username: 'a' });
  });

  it('answers undefined when no one recognises the request, and throws errors otherwise', async () => {
    expect(await unionAuthenticator(fixed(undefined)).authenticate(req)).toBeUndefined();
    await expect(unionAuthenticator(fixed(undefined), failing).authenticate(req)).rejects.toThrow('boom');
  });
});

describe('well-known users', () => {
  it('has the anonymous user and service-account users', () => {
    expect(ANONYMOUS_USER).toEqual({ username: 'system:anonymous', groups: ['system:unauthenticated'] });
    expect(serviceAccountUser('kube-system', 'coredns', 'u1')).toEqual({
      username: 'system:serviceaccount:kube-system:coredns',
      uid: 'u1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    });
  });
});

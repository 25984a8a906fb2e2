import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, issueClientCertificate } from './certs.js';
import {
  certificateSans,
  expiresWithin,
  extendedKeyUsages,
  keyMatches,
  notAfter,
  notBefore,
  sameSans,
  signedBy,
  subjectIdentity,
} from './inspect.js';
import { pemBlocks, pemEncode } from './pem.js';

describe('certificate inspection with Node crypto', () => {
  it('reads the subject identity, validity, SANs and usages of issued certificates', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const ca = await createCertificateAuthority('inspect-ca', now);
    const jane = await issueClientCertificate(ca, { name: 'jane, "the" +admin', groups: ['dev', 'qa'], now });
    expect(subjectIdentity(jane.cert)).toEqual({
      commonName: 'jane, "the" +admin',
      organizations: ['dev', 'qa'],
    });
    expect(notBefore(jane.cert).toISOString()).toBe('2026-06-01T11:00:00.000Z');
    expect(notAfter(jane.cert).toISOString()).toBe('2027-06-01T12:00:00.000Z');
    expect(expiresWithin(jane.cert, 90, now)).toBe(false);
    expect(expiresWithin(jane.cert, 90, new Date('2027-04-01T00:00:00Z'))).toBe(true);
    expect(extendedKeyUsages(jane.cert)).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(extendedKeyUsages(ca.cert)).toBeUndefined();
    expect(subjectIdentity(ca.cert)).toEqual({ commonName: 'inspect-ca', organizations: [] });

    const serving = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      usage: 'server',
      sans: { dns: ['localhost', 'api.example.com'], ips: ['127.0.0.1', '::1', '2001:db8::10'] },
      now,
    });
    expect(certificateSans(serving.cert)).toEqual({
      dns: ['localhost', 'api.example.com'],
      ips: ['127.0.0.1', '::1', '2001:db8::10'],
    });
    expect(
      sameSans(certificateSans(serving.cert), {
        dns: ['api.example.com', 'localhost'],
        ips: ['2001:DB8:0::10', '::1', '127.0.0.1'],
      }),
    ).toBe(true);
    expect(sameSans(certificateSans(serving.cert), { dns: ['localhost'], ips: [] })).toBe(false);
    expect(certificateSans(jane.cert)).toEqual({ dns: [], ips: [] });
  });

  it('checks the issuer signature and the key of a certificate', async () => {
    const ca = await createCertificateAuthority('ca-one');
    const other = await createCertificateAuthority('ca-two');
    const leaf = await issueClientCertificate(ca, { name: 'bob' });
    const foreign = await issueClientCertificate(other, { name: 'bob' });
    expect(signedBy(leaf.cert, ca.cert)).toBe(true);
    expect(signedBy(foreign.cert, ca.cert)).toBe(false);
    expect(signedBy(leaf.cert, other.cert)).toBe(false);
    expect(keyMatches(leaf.cert, leaf.keyPem)).toBe(true);
    expect(keyMatches(leaf.cert, foreign.keyPem)).toBe(false);
    expect(keyMatches(leaf.cert, 'not a key')).toBe(false);
  });

  it('encodes and decodes PEM blocks', async () => {
    const ca = await createCertificateAuthority('pem-ca');
    const [block] = pemBlocks(`text before\n${ca.certPem}text after\n${ca.keyPem}`);
    expect(block?.label).toBe('CERTIFICATE');
    expect(block?.der.equals(new X509Certificate(ca.certPem).raw)).toBe(true);
    expect(`${pemEncode(block?.der ?? Buffer.alloc(0), 'CERTIFICATE')}\n`).toBe(ca.certPem);
    expect(pemBlocks(ca.keyPem).map((b) => b.label)).toEqual(['PRIVATE KEY']);
    expect(ca.certPem.split('\n').every((line) => line.length <= 64)).toBe(true);
  });
});

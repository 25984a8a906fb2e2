import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { x509LibraryRequested } from '../../pki/x509.js';
import { DEFAULT_CERT_NAME, defaultCertificatePem } from './default-cert.js';

describe('the default ingress certificate', () => {
  it('is made in a child process: a leaf for ingress.local, its CA, the key; the library stays out', async () => {
    const pem = await defaultCertificatePem();
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    expect(certs).toHaveLength(2);
    const [leaf, ca] = certs.map((c) => new X509Certificate(c));
    expect(leaf?.subject).toContain(`CN=${DEFAULT_CERT_NAME}`);
    expect(leaf?.subjectAltName).toBe('DNS:ingress.local');
    expect(ca && leaf?.verify(ca.publicKey)).toBe(true);
    expect(pem).toMatch(/-----BEGIN PRIVATE KEY-----/);
    // this process never loaded @peculiar/x509 for it
    expect(x509LibraryRequested()).toBe(false);
  });
});

/**
 * The certificate port 443 serves when the client's SNI name matches no Ingress TLS entry: a fresh
 * self-signed pair per agent start (clients that reach it get a certificate they cannot verify, as
 * with any ingress controller's fallback certificate).
 */
import { createCertificateAuthority, issueCertificate } from '../../pki/certs.js';

/** Common name of the fallback certificate. */
export const DEFAULT_CERT_NAME = 'k8ts ingress default certificate';

/** The fallback certificate chain and key as one PEM text. */
export async function defaultCertificatePem(): Promise<string> {
  const ca = await createCertificateAuthority('k8ts-ingress-default-ca');
  const leaf = await issueCertificate(ca, {
    commonName: DEFAULT_CERT_NAME,
    usage: 'server',
    sans: { dns: ['ingress.local'], ips: [] },
  });
  return `${leaf.certPem.trimEnd()}\n${ca.certPem.trimEnd()}\n${leaf.keyPem.trimEnd()}\n`;
}

/**
 * Certificate issuing for the cluster PKI: self-signed CAs, serving certificates with SANs, and client
 * certificates whose subject carries a Kubernetes identity (CN = user name, O = groups).
 *
 * Issuing loads @peculiar/x509 on first use (./x509.ts); loading a CA and everything in ./inspect.ts
 * use only Node's crypto.
 */
import { randomBytes, webcrypto, type X509Certificate } from 'node:crypto';
import type { Extension } from '@peculiar/x509';
import { notAfter, parseCertificate, type SubjectAltNames } from './inspect.js';
import {
  KEY_ALGORITHM,
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  type CryptoKey,
} from './keys.js';
import { pemEncode } from './pem.js';
import { loadX509 } from './x509.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Validity of a CA: 10 years. */
export const CA_VALIDITY_DAYS = 3650;
/** Validity of a leaf certificate: 1 year, as k3s. */
export const LEAF_VALIDITY_DAYS = 365;
/** A leaf certificate is re-issued at start when it expires within this many days (k3s: 90). */
export const RENEW_BEFORE_DAYS = 90;
/** Back-dating of notBefore, so clients with a slightly slow clock accept a fresh certificate. */
const BACKDATE_MS = 60 * 60 * 1000;

/** A certificate with its private key, in memory and as PEM. */
export interface CertificateAuthority {
  cert: X509Certificate;
  key: CryptoKey;
  certPem: string;
  keyPem: string;
}

/** An issued certificate and its key as PEM. */
export interface IssuedCertificate {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
}

/**
 * A random positive serial of 16 bytes whose DER INTEGER is minimally encoded (first byte 0x01-0x7f):
 * Go's x509 parser, which kubectl uses, rejects negative serials.
 */
export function newSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** Escapes a value for an RFC 4514 distinguished-name string. */
function dnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/** A distinguished name from a common name and organizations. */
export function distinguishedName(commonName: string, organizations: string[] = []): string {
  return [...organizations.map((o) => `O=${dnValue(o)}`), `CN=${dnValue(commonName)}`].join(', ');
}

/** PEM text (with a final newline) and Node's parsed form of a DER certificate. */
function fromDer(der: ArrayBuffer): { cert: X509Certificate; certPem: string } {
  const certPem = `${pemEncode(der, 'CERTIFICATE')}\n`;
  return { cert: parseCertificate(certPem), certPem };
}

/** Creates a self-signed CA (ECDSA P-256, 10 years) named `CN=<commonName>`. */
export async function createCertificateAuthority(
  commonName: string,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { ...fromDer(cert.rawData), key: keys.privateKey, keyPem: await privateKeyToPem(keys.privateKey) };
}

/** Loads a CA from its PEM certificate and PKCS#8 PEM key. */
export async function loadCertificateAuthority(
  certText: string,
  keyText: string,
): Promise<CertificateAuthority> {
  const cert = parseCertificate(certText);
  const key = await privateKeyFromPem(keyText);
  return { cert, key, certPem: certText, keyPem: keyText };
}

/** What to issue: a serving certificate (server auth, with SANs) or a client certificate (client auth). */
export interface LeafRequest {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client';
  sans?: SubjectAltNames;
  validityDays?: number;
  now?: Date;
}

/** Issues a leaf certificate signed by `ca`, with a fresh key. */
export async function issueCertificate(
  ca: CertificateAuthority,
  req: LeafRequest,
): Promise<IssuedCertificate> {
  const x509 = await loadX509();
  const now = req.now ?? new Date();
  const keys = await generateKeyPair();
  const caCert = new x509.X509Certificate(ca.cert.raw);
  const extensions: Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false, webcrypto),
  ];
  if (req.sans && (req.sans.dns.length > 0 || req.sans.ips.length > 0)) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...req.sans.dns.map((value) => ({ type: 'dns' as const, value })),
        ...req.sans.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const wanted = new Date(now.getTime() + (req.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS);
  const caNotAfter = notAfter(ca.cert);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(),
    subject: distinguishedName(req.commonName, req.organizations),
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    // Never outlive the CA.
    notAfter: wanted > caNotAfter ? caNotAfter : wanted,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: KEY_ALGORITHM,
    extensions,
  });
  return { ...fromDer(cert.rawData), keyPem: await privateKeyToPem(keys.privateKey) };
}

/** Issues a client certificate for a user: CN = user name, O = each group. */
export async function issueClientCertificate(
  ca: CertificateAuthority,
  user: { name: string; groups?: string[]; validityDays?: number; now?: Date },
): Promise<IssuedCertificate> {
  return issueCertificate(ca, {
    commonName: user.name,
    organizations: user.groups ?? [],
    usage: 'client',
    validityDays: user.validityDays,
    now: user.now,
  });
}

/**
 * Certificate issuing for the cluster PKI: self-signed CAs, serving certificates with SANs, and client
 * certificates whose subject carries a Kubernetes identity (CN = user name, O = groups).
 */
import { randomBytes } from 'node:crypto';
import { canonicalIp, ipFamily } from './ip.js';
import { KEY_ALGORITHM, generateKeyPair, privateKeyFromPem, privateKeyToPem } from './keys.js';
import { crypto, x509, type CryptoKey } from './x509.js';

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
  cert: x509.X509Certificate;
  key: CryptoKey;
  certPem: string;
  keyPem: string;
}

/** An issued certificate and its key as PEM. */
export interface IssuedCertificate {
  cert: x509.X509Certificate;
  certPem: string;
  keyPem: string;
}

/** Subject alternative names of a serving certificate. */
export interface SubjectAltNames {
  dns: string[];
  ips: string[];
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

function certPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** Creates a self-signed CA (ECDSA P-256, 10 years) named `CN=<commonName>`. */
export async function createCertificateAuthority(
  commonName: string,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
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
  return {
    cert,
    key: keys.privateKey,
    certPem: certPem(cert),
    keyPem: await privateKeyToPem(keys.privateKey),
  };
}

/** Loads a CA from its PEM certificate and PKCS#8 PEM key. */
export async function loadCertificateAuthority(
  certText: string,
  keyText: string,
): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certText);
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
  const now = req.now ?? new Date();
  const keys = await generateKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false, crypto),
  ];
  if (req.sans && (req.sans.dns.length > 0 || req.sans.ips.length > 0)) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...req.sans.dns.map((value) => ({ type: 'dns' as const, value })),
        ...req.sans.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const notAfter = new Date(now.getTime() + (req.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: newSerialNumber(),
    subject: distinguishedName(req.commonName, req.organizations),
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    // Never outlive the CA.
    notAfter: notAfter > ca.cert.notAfter ? ca.cert.notAfter : notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: KEY_ALGORITHM,
    extensions,
  });
  return { cert, certPem: certPem(cert), keyPem: await privateKeyToPem(keys.privateKey) };
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

/** The SANs of a certificate, IPs in canonical form. */
export function certificateSans(cert: x509.X509Certificate): SubjectAltNames {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const out: SubjectAltNames = { dns: [], ips: [] };
  for (const n of ext?.names.toJSON() ?? []) {
    if (n.type === 'dns') out.dns.push(n.value);
    else if (n.type === 'ip' && ipFamily(n.value) !== 0) out.ips.push(canonicalIp(n.value));
  }
  return out;
}

/** True when both lists name the same DNS names and IPs, in any order. */
export function sameSans(a: SubjectAltNames, b: SubjectAltNames): boolean {
  const key = (s: SubjectAltNames): string =>
    JSON.stringify([[...new Set(s.dns)].sort(), [...new Set(s.ips.map(canonicalIp))].sort()]);
  return key(a) === key(b);
}

/** True when `cert` carries a valid signature by `ca`. */
export async function signedBy(cert: x509.X509Certificate, ca: x509.X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }, crypto);
  } catch {
    // A certificate the library cannot check (another key type) counts as not ours.
    return false;
  }
}

/** True when the certificate is expired or expires within `days` of `now`. */
export function expiresWithin(cert: x509.X509Certificate, days: number, now: Date = new Date()): boolean {
  return cert.notAfter.getTime() - now.getTime() < days * DAY_MS;
}

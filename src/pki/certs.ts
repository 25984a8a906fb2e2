/**
 * Certificate issuing for the cluster PKI: self-signed CAs, serving certificates with SANs, and client
 * certificates whose subject carries a Kubernetes identity (CN = user name, O = groups). Certificates
 * are encoded by ./x509.ts and signed with Node's crypto.
 */
import { KeyObject, randomBytes, type X509Certificate } from 'node:crypto';
import { notAfter, parseCertificate, type SubjectAltNames } from './inspect.js';
import {
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  type CryptoKey,
  type CryptoKeyPair,
} from './keys.js';
import { pemEncode } from './pem.js';
import {
  KeyUsage,
  OID,
  authorityKeyIdentifier,
  basicConstraints,
  encodeName,
  extKeyUsage,
  issuerParts,
  keyIdentifier,
  keyUsage,
  signCertificate,
  subjectAltName,
  subjectKeyIdentifier,
} from './x509.js';

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

/** PEM text (with a final newline) and Node's parsed form of a DER certificate. */
function fromDer(der: Uint8Array): { cert: X509Certificate; certPem: string } {
  const certPem = `${pemEncode(der, 'CERTIFICATE')}\n`;
  return { cert: parseCertificate(certPem), certPem };
}

/** DER SubjectPublicKeyInfo of a WebCrypto public key. */
function spkiOf(keys: CryptoKeyPair): Buffer {
  return KeyObject.from(keys.publicKey).export({ type: 'spki', format: 'der' });
}

/** Creates a self-signed CA (ECDSA P-256, 10 years) named `CN=<commonName>`. */
export async function createCertificateAuthority(
  commonName: string,
  now: Date = new Date(),
): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const spki = spkiOf(keys);
  const name = encodeName(commonName);
  const der = signCertificate(
    {
      serialNumber: Buffer.from(newSerialNumber(), 'hex'),
      issuer: name,
      subject: name,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      subjectPublicKeyInfo: spki,
      extensions: [
        basicConstraints(true),
        keyUsage([KeyUsage.digitalSignature, KeyUsage.keyCertSign, KeyUsage.cRLSign]),
        subjectKeyIdentifier(keyIdentifier(spki)),
      ],
    },
    KeyObject.from(keys.privateKey),
  );
  return { ...fromDer(der), key: keys.privateKey, keyPem: await privateKeyToPem(keys.privateKey) };
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
  const now = req.now ?? new Date();
  const keys = await generateKeyPair();
  const issuer = issuerParts(ca.cert.raw);
  const extensions = [
    basicConstraints(false),
    keyUsage([KeyUsage.digitalSignature, KeyUsage.keyEncipherment]),
    extKeyUsage([req.usage === 'server' ? OID.serverAuth : OID.clientAuth]),
    authorityKeyIdentifier(issuer.keyIdentifier),
  ];
  if (req.sans && (req.sans.dns.length > 0 || req.sans.ips.length > 0)) {
    extensions.push(subjectAltName(req.sans.dns, req.sans.ips));
  }
  const wanted = new Date(now.getTime() + (req.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS);
  const caNotAfter = notAfter(ca.cert);
  const der = signCertificate(
    {
      serialNumber: Buffer.from(newSerialNumber(), 'hex'),
      issuer: issuer.subject,
      subject: encodeName(req.commonName, req.organizations),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      // Never outlive the CA.
      notAfter: wanted > caNotAfter ? caNotAfter : wanted,
      subjectPublicKeyInfo: spkiOf(keys),
      extensions,
    },
    KeyObject.from(ca.key),
  );
  return { ...fromDer(der), keyPem: await privateKeyToPem(keys.privateKey) };
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

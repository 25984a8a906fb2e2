/**
 * Reading and checking certificates with Node's built-in `crypto.X509Certificate` (OpenSSL): subject,
 * validity, SANs, and the issuer's signature. This is all a server start needs when its certificates
 * are still good, and all client-certificate authentication needs, so neither loads an X.509 library.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { canonicalIp, ipFamily } from './ip.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Subject alternative names of a serving certificate. */
export interface SubjectAltNames {
  dns: string[];
  ips: string[];
}

/** The parts of a certificate's subject that name a Kubernetes identity. */
export interface SubjectIdentity {
  /** The common name (CN); with several, the last, as Go's crypto/x509 reads it. */
  commonName: string | undefined;
  /** Every organization (O), in order. */
  organizations: string[];
}

/** Parses the first certificate of a PEM text, or a DER certificate. Throws when it is not one. */
export function parseCertificate(data: string | Buffer): X509Certificate {
  return new X509Certificate(data);
}

function values(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** The CN and O attributes of the certificate's subject, decoded by OpenSSL. */
export function subjectIdentity(cert: X509Certificate): SubjectIdentity {
  const subject: unknown = cert.toLegacyObject().subject;
  const fields = typeof subject === 'object' && subject !== null ? (subject as Record<string, unknown>) : {};
  const cns = values(fields['CN']);
  return { commonName: cns[cns.length - 1], organizations: values(fields['O']) };
}

/** The start of the validity period. */
export function notBefore(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}

/** The end of the validity period. */
export function notAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

/** True when the certificate is expired or expires within `days` of `now`. */
export function expiresWithin(cert: X509Certificate, days: number, now: Date = new Date()): boolean {
  return notAfter(cert).getTime() - now.getTime() < days * DAY_MS;
}

/** True when `cert` names `ca` as its issuer and carries a valid signature by `ca`'s key. */
export function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    // A certificate OpenSSL cannot check (an unsupported key type) counts as not ours.
    return false;
  }
}

/** True when the PEM private key is the key of `cert`. */
export function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/**
 * Splits Node's `subjectAltName` text ("DNS:a, IP Address:10.0.0.1", values with special characters
 * JSON-quoted) into [type, value] pairs.
 */
function altNames(text: string): [string, string][] {
  const out: [string, string][] = [];
  const entry = /([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  for (let m = entry.exec(text); m && m[0] !== ''; m = entry.exec(text)) {
    const raw = m[2] ?? '';
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        value = raw;
      }
    }
    out.push([(m[1] ?? '').trim(), value]);
  }
  return out;
}

/** The SANs of a certificate, IPs in canonical form. */
export function certificateSans(cert: X509Certificate): SubjectAltNames {
  const out: SubjectAltNames = { dns: [], ips: [] };
  for (const [type, value] of altNames(cert.subjectAltName ?? '')) {
    if (type === 'DNS') out.dns.push(value);
    else if (type === 'IP Address' && ipFamily(value) !== 0) out.ips.push(canonicalIp(value));
  }
  return out;
}

/** True when both lists name the same DNS names and IPs, in any order. */
export function sameSans(a: SubjectAltNames, b: SubjectAltNames): boolean {
  const key = (s: SubjectAltNames): string =>
    JSON.stringify([[...new Set(s.dns)].sort(), [...new Set(s.ips.map(canonicalIp))].sort()]);
  return key(a) === key(b);
}

/** The extended key usage OIDs, or undefined when the certificate has no such extension. */
export function extendedKeyUsages(cert: X509Certificate): string[] | undefined {
  // Node 20 names the extended key usages `keyUsage`; later versions also call them `extKeyUsage`.
  const eku = (cert as X509Certificate & { extKeyUsage?: string[] }).extKeyUsage ?? cert.keyUsage;
  return Array.isArray(eku) ? eku : undefined;
}

/**
 * Building X.509 v3 certificates (RFC 5280) with ECDSA P-256 / SHA-256 signatures: the names,
 * extensions and signature that the cluster PKI issues, encoded with ./der.ts and signed with Node's
 * crypto. Reading certificates is ./inspect.ts's job (Node's own parser).
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import {
  TAG,
  bitString,
  boolean,
  childrenOf,
  elementBytes,
  explicit,
  ia5String,
  implicit,
  namedBits,
  octetString,
  oid,
  readElement,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';
import { ipBytes } from './ip.js';

/** Object identifiers used in issued certificates. */
export const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Key usage bits (RFC 5280 4.2.1.3). */
export const KeyUsage = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/**
 * A distinguished name: each organization (O) then the common name (CN), one attribute per RDN,
 * as UTF8String.
 */
export function encodeName(commonName: string, organizations: string[] = []): Buffer {
  const rdn = (type: string, value: string): Buffer => set(sequence(oid(type), utf8String(value)));
  return sequence(...organizations.map((o) => rdn(OID.organization, o)), rdn(OID.commonName, commonName));
}

/** One extension. */
export function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** basicConstraints (critical): cA TRUE for a CA, an empty sequence for a leaf. */
export function basicConstraints(ca: boolean): Buffer {
  return extension(OID.basicConstraints, true, ca ? sequence(boolean(true)) : sequence());
}

/** keyUsage (critical). */
export function keyUsage(bits: number[]): Buffer {
  return extension(OID.keyUsage, true, namedBits(bits));
}

/** extKeyUsage (not critical). */
export function extKeyUsage(purposes: string[]): Buffer {
  return extension(OID.extKeyUsage, false, sequence(...purposes.map((p) => oid(p))));
}

/** subjectKeyIdentifier (not critical). */
export function subjectKeyIdentifier(keyId: Uint8Array): Buffer {
  return extension(OID.subjectKeyIdentifier, false, octetString(keyId));
}

/** authorityKeyIdentifier with the issuer's key identifier (not critical). */
export function authorityKeyIdentifier(keyId: Uint8Array): Buffer {
  return extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyId)));
}

/** subjectAltName (not critical) with DNS names and IP addresses. */
export function subjectAltName(dns: string[], ips: string[]): Buffer {
  const names = [
    ...dns.map((name) => implicit(2, ia5String(name).subarray(2))),
    ...ips.map((ip) => implicit(7, Buffer.from(ipBytes(ip)))),
  ];
  return extension(OID.subjectAltName, false, sequence(...names));
}

/**
 * The key identifier of a public key: SHA-1 of the subjectPublicKey bits of its SubjectPublicKeyInfo
 * (RFC 5280 4.2.1.2, method 1).
 */
export function keyIdentifier(spki: Uint8Array): Buffer {
  const root = readElement(spki, 0);
  const [, key] = childrenOf(spki, root);
  if (!key || key.tag !== TAG.bitString) throw new Error('SubjectPublicKeyInfo without a public key');
  // Skip the unused-bits byte of the BIT STRING.
  return createHash('sha1')
    .update(spki.subarray(key.start + 1, key.end))
    .digest();
}

/** What a certificate says, before it is signed. */
export interface CertificateFields {
  /** Big-endian magnitude of a positive serial number. */
  serialNumber: Uint8Array;
  /** DER Name of the issuer: the issuer certificate's subject, byte for byte. */
  issuer: Uint8Array;
  /** DER Name of the subject. */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the certified key. */
  subjectPublicKeyInfo: Uint8Array;
  /** Encoded extensions (see the helpers above). */
  extensions: Buffer[];
}

/** Encodes and signs a certificate with the issuer's ECDSA P-256 key; returns its DER. */
export function signCertificate(fields: CertificateFields, issuerKey: KeyObject): Buffer {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(fields.serialNumber),
    algorithm,
    Buffer.from(fields.issuer),
    sequence(time(fields.notBefore), time(fields.notAfter)),
    Buffer.from(fields.subject),
    Buffer.from(fields.subjectPublicKeyInfo),
    explicit(3, sequence(...fields.extensions)),
  );
  // Node signs ECDSA as a DER Ecdsa-Sig-Value, which is what X.509 carries.
  const signature = sign('sha256', tbs, issuerKey);
  return sequence(tbs, algorithm, bitString(signature));
}

/** The parts of an issuer certificate that a certificate it signs refers to. */
export interface IssuerParts {
  /** The DER subject Name, to be copied as the issuer of certificates it signs. */
  subject: Buffer;
  /** Its subjectKeyIdentifier, or the key identifier of its public key when it has none. */
  keyIdentifier: Buffer;
}

/** Reads the subject and key identifier of a DER certificate. */
export function issuerParts(der: Uint8Array): IssuerParts {
  const cert = readElement(der, 0);
  const [tbsElement] = childrenOf(der, cert);
  if (!tbsElement) throw new Error('certificate without tbsCertificate');
  const fields = childrenOf(der, tbsElement);
  // version [0] is optional; serial, signature, issuer, validity, subject, spki follow.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[base + 4];
  const spki = fields[base + 5];
  if (!subject || !spki) throw new Error('certificate without subject or public key');
  let keyId: Buffer | undefined;
  const extensionsTag = fields.find((f) => f.tag === 0xa3);
  const list = extensionsTag ? childrenOf(der, extensionsTag)[0] : undefined;
  const skiOid = oid(OID.subjectKeyIdentifier);
  for (const ext of list ? childrenOf(der, list) : []) {
    const parts = childrenOf(der, ext);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (!id || !value || !elementBytes(der, id).equals(skiOid)) continue;
    const inner = readElement(der, value.start);
    if (inner.tag === TAG.octetString) keyId = Buffer.from(der.subarray(inner.start, inner.end));
  }
  return {
    subject: elementBytes(der, subject),
    keyIdentifier: keyId ?? keyIdentifier(elementBytes(der, spki)),
  };
}

import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate, loadCertificateAuthority } from './certs.js';
import {
  TAG,
  childrenOf,
  namedBits,
  oid,
  readElement,
  sequence,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from './der.js';
import { certificateSans, subjectIdentity } from './inspect.js';
import { issuerParts } from './x509.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A client CA that k8ts wrote with its former X.509 library (@peculiar/x509): data dirs hold such CAs. */
const OLD_CA_CERT = `-----BEGIN CERTIFICATE-----
MIIBiDCCAS6gAwIBAgIQQxtjErvMoLWe/OrBrAx9aTAKBggqhkjOPQQDAjAkMSIw
IAYDVQQDDBlrOHRzLWNsaWVudC1jYUAxNzAwMDAwMDAwMB4XDTI1MTIzMTIzMDAw
MFoXDTM1MTIzMDAwMDAwMFowJDEiMCAGA1UEAwwZazh0cy1jbGllbnQtY2FAMTcw
MDAwMDAwMDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFDckhPuw5Lrakrifmmm
YCIjzQwG/96oRHKY42GQ77vIy490pVmim7lcF4IbnfK9Ovjslby8/2cUmqU0fiC4
eO2jQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgGGMB0GA1UdDgQW
BBSeZEyCI0E5EKqFaAG+h8Wvye79+TAKBggqhkjOPQQDAgNIADBFAiB+0iQPNd0j
ud4GV4Fg1mRWZcRPWgJ6x7mwkF4qd47EegIhAPJw5/T2CHTTV24wygHe8aVM8K7a
dpfMoDBcWBCnwU+R
-----END CERTIFICATE-----`;
const OLD_CA_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgrtkd8rfN4Qr5oz2U
WA+RaMbLeBK5mAV7bqZ5h31r57uhRANCAARQ3JIT7sOS62pK4n5ppmAiI80MBv/e
qERymONhkO+7yMuPdKVZopu5XBeCG53yvTr47JW8vP9nFJqlNH4guHjt
-----END PRIVATE KEY-----`;

describe('DER encoding', () => {
  it('encodes object identifiers, integers and lengths', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.19'))).toBe('0603551d13');
    expect(hex(smallInteger(2))).toBe('020102');
    expect(hex(smallInteger(0))).toBe('020100');
    expect(hex(unsignedInteger(Buffer.from([0x00, 0x00, 0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0x01, 0x7f])))).toBe('0202017f');
    expect(hex(tlv(TAG.octetString, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(TAG.octetString, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(TAG.octetString, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('encodes named bit strings without trailing zero bits', () => {
    // keyCertSign | cRLSign | digitalSignature, and digitalSignature | keyEncipherment.
    expect(hex(namedBits([0, 5, 6]))).toBe('03020186');
    expect(hex(namedBits([0, 2]))).toBe('030205a0');
    expect(hex(namedBits([8]))).toBe('0303070080');
  });

  it('encodes times as UTCTime until 2049 and GeneralizedTime after', () => {
    expect(time(new Date('2026-11-29T08:04:22.999Z')).toString('latin1', 2)).toBe('261129080422Z');
    expect(time(new Date('2026-11-29T08:04:22Z'))[0]).toBe(TAG.utcTime);
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2)).toBe('20500101000000Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(TAG.generalizedTime);
  });

  it('reads back what it writes', () => {
    const der = sequence(smallInteger(5), utf8String('é'), sequence());
    const root = readElement(der, 0);
    expect(root.tag).toBe(TAG.sequence);
    expect(childrenOf(der, root).map((c) => c.tag)).toEqual([TAG.integer, TAG.utf8String, TAG.sequence]);
    expect(() => readElement(der.subarray(0, 4), 0)).toThrow(/past the end/);
  });
});

describe('issuing from a CA made by the former X.509 library', () => {
  it('copies its subject and key identifier so OpenSSL chains the leaf to it', async () => {
    const ca = await loadCertificateAuthority(`${OLD_CA_CERT}\n`, `${OLD_CA_KEY}\n`);
    const parts = issuerParts(ca.cert.raw);
    expect(hex(parts.keyIdentifier)).toBe('9e644c8223413910aa856801be87c5afc9eefdf9');
    const leaf = await issueCertificate(ca, {
      commonName: 'jane',
      organizations: ['dev'],
      usage: 'client',
      now: new Date('2026-06-01T00:00:00Z'),
    });
    const caCert = new X509Certificate(OLD_CA_CERT);
    expect(leaf.cert.checkIssued(caCert)).toBe(true);
    expect(leaf.cert.verify(caCert.publicKey)).toBe(true);
    expect(leaf.cert.issuer).toBe(caCert.subject);
    expect(subjectIdentity(leaf.cert)).toEqual({ commonName: 'jane', organizations: ['dev'] });
    expect(leaf.cert.ca).toBe(false);
    expect(certificateSans(leaf.cert)).toEqual({ dns: [], ips: [] });
  });
});

/**
 * Key pairs for the cluster PKI: ECDSA P-256 through WebCrypto, stored as PKCS#8 PEM ("PRIVATE KEY"),
 * which Node's TLS and Go's crypto/tls (kubectl) both read.
 */
import type { webcrypto } from 'node:crypto';
import { crypto, x509, type CryptoKey, type CryptoKeyPair } from './x509.js';

/** The one key algorithm k8ts issues: ECDSA on P-256, signatures with SHA-256. */
export const KEY_ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};

/** A fresh, extractable key pair. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** PKCS#8 PEM of a private key. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/** Reads a PKCS#8 PEM ECDSA P-256 private key for signing. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const blocks = x509.PemConverter.decodeWithHeaders(pem);
  const block = blocks.find((b) => b.type === 'PRIVATE KEY');
  if (!block) throw new Error('no "PRIVATE KEY" (PKCS#8) block in key file');
  return crypto.subtle.importKey('pkcs8', block.rawData, { name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ]);
}

/**
 * Key pairs for the cluster PKI: ECDSA P-256 through WebCrypto, stored as PKCS#8 PEM ("PRIVATE KEY"),
 * which Node's TLS and Go's crypto/tls (kubectl) both read.
 */
import { webcrypto } from 'node:crypto';
import { pemBlocks, pemEncode } from './pem.js';

/** A WebCrypto key. */
export type CryptoKey = webcrypto.CryptoKey;
/** A WebCrypto key pair. */
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** The one key algorithm k8ts issues: ECDSA on P-256, signatures with SHA-256. */
export const KEY_ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};

/** A fresh, extractable key pair. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** PKCS#8 PEM of a private key. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${pemEncode(der, 'PRIVATE KEY')}\n`;
}

/** Reads a PKCS#8 PEM ECDSA P-256 private key for signing. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const block = pemBlocks(pem).find((b) => b.label === 'PRIVATE KEY');
  if (!block) throw new Error('no "PRIVATE KEY" (PKCS#8) block in key file');
  return webcrypto.subtle.importKey('pkcs8', block.der, { name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
  ]);
}

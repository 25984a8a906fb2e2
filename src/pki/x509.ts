/**
 * The X.509 library, loaded once with what it needs: a Reflect metadata polyfill before the library
 * and Node's WebCrypto as its crypto provider. Everything in k8ts imports @peculiar/x509 through here.
 */
import './reflect-polyfill.js';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };

/** Node's WebCrypto. */
export const crypto: webcrypto.Crypto = webcrypto;

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

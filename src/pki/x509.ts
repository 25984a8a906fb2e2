/**
 * The X.509 library (@peculiar/x509), needed only to *issue* certificates: it is loaded on first use,
 * with what it needs (a Reflect metadata polyfill before the library, Node's WebCrypto as its crypto
 * provider). Reading and checking certificates uses Node's built-in `crypto.X509Certificate`
 * (./inspect.ts), so a server restart that finds valid certificates never loads it: the library and
 * its dependencies cost about 18 MB of memory. Everything in k8ts loads @peculiar/x509 through here.
 */
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

/** The @peculiar/x509 module. */
export type X509Library = typeof X509;

let loading: Promise<X509Library> | undefined;

/** True once {@link loadX509} has been called (tests check that a restart never needs the library). */
export function x509LibraryRequested(): boolean {
  return loading !== undefined;
}

/** Loads @peculiar/x509 once, ready to use with Node's WebCrypto. */
export function loadX509(): Promise<X509Library> {
  loading ??= (async () => {
    await import('./reflect-polyfill.js');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

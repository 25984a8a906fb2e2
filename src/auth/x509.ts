/**
 * Client-certificate authentication: the subject of the verified peer certificate names the user
 * (CN = user name, each O = a group), as upstream's x509 CommonNameUserConversion. Certificates are
 * read with Node's built-in X.509 support; no X.509 library is loaded.
 */
import type { X509Certificate } from 'node:crypto';
import {
  extendedKeyUsages,
  notAfter,
  notBefore,
  parseCertificate,
  signedBy,
  subjectIdentity,
} from '../pki/inspect.js';
import type { AuthRequest, Authenticator, UserInfo } from './types.js';
import { withAuthenticatedGroup } from './users.js';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';

export interface X509AuthenticatorOptions {
  /**
   * The client CA (PEM). When given, the leaf must be signed by it, within its validity period, and
   * (if it lists extended key usages) usable for client auth: a second check behind the TLS layer.
   */
  clientCaPem?: string;
  /** The clock; tests inject one. */
  now?: () => Date;
  /** How many parsed certificates to remember (default 1024). */
  cacheSize?: number;
}

interface Parsed {
  user: UserInfo | undefined;
  notBefore: number;
  notAfter: number;
}

/** The user a certificate names, or undefined when it has no common name. */
export function userFromCertificate(cert: X509Certificate): UserInfo | undefined {
  const { commonName, organizations } = subjectIdentity(cert);
  if (!commonName) return undefined;
  return withAuthenticatedGroup({ username: commonName, groups: organizations });
}

/** Authenticates requests by their client certificate. */
export function x509Authenticator(opts: X509AuthenticatorOptions = {}): Authenticator {
  const ca = opts.clientCaPem ? parseCertificate(opts.clientCaPem) : undefined;
  const now = opts.now ?? (() => new Date());
  const cacheSize = opts.cacheSize ?? 1024;
  const cache = new Map<string, Parsed>();

  function parse(der: Buffer): Parsed {
    const cert = parseCertificate(der);
    const parsed: Parsed = {
      user: userFromCertificate(cert),
      notBefore: notBefore(cert).getTime(),
      notAfter: notAfter(cert).getTime(),
    };
    if (ca) {
      const eku = extendedKeyUsages(cert);
      const usable = !eku || eku.some((u) => u === CLIENT_AUTH_OID || u === ANY_EKU_OID);
      if (!usable || !signedBy(cert, ca)) parsed.user = undefined;
    }
    return parsed;
  }

  return {
    async authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
      const leaf = req.clientCertificates[0];
      if (!leaf || leaf.length === 0) return undefined;
      const key = leaf.toString('base64');
      let parsed = cache.get(key);
      if (!parsed) {
        try {
          parsed = parse(leaf);
        } catch (err) {
          throw new Error(
            `x509: cannot parse client certificate: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        if (cache.size >= cacheSize) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(key, parsed);
      }
      if (ca) {
        const t = now().getTime();
        if (t < parsed.notBefore || t > parsed.notAfter) return undefined;
      }
      return parsed.user ? { ...parsed.user, groups: [...parsed.user.groups] } : undefined;
    },
  };
}

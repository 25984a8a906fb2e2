/**
 * Service-account tokens as JWTs: the claims upstream puts in them, signing (RS256, `kid` header) and
 * checking a token's signature, issuer, audience and times. Whether the objects a token is bound to
 * still exist is the authenticator's business (./serviceaccount.ts).
 *
 * Claims of a token (upstream's layout, so tools that decode tokens read ours alike):
 *
 *   iss, sub (system:serviceaccount:<ns>:<name>), aud, exp, iat, nbf, jti,
 *   "kubernetes.io": { namespace, serviceaccount: {name, uid}, pod?: {name, uid},
 *                      secret?: {name, uid}, node?: {name, uid}, warnafter? }
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { SignJWT, compactVerify, decodeProtectedHeader } from 'jose';
import { isObject } from '../api/meta.js';
import { keyIdOf } from '../pki/service-account.js';
import { serviceAccountUsername } from './users.js';

/** The issuer (and default API audience) of k8ts's tokens, as kubeadm and k3s configure upstream. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The signing algorithm. */
export const SERVICE_ACCOUNT_TOKEN_ALGORITHM = 'RS256';
/** Clock skew tolerated on exp, nbf and iat, and on bound objects' deletion (go-jose's default leeway). */
export const TOKEN_LEEWAY_SECONDS = 60;

/** An object a token names: name and UID. */
export interface TokenObjectRef {
  name: string;
  uid: string;
}

/** The private claims under `kubernetes.io`. */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: TokenObjectRef;
  pod?: TokenObjectRef;
  secret?: TokenObjectRef;
  node?: TokenObjectRef;
  warnafter?: number;
}

/** Every claim of a service-account token. Times are seconds since the epoch. */
export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaims;
}

/** What a token is for: its service account and, optionally, the one object it is bound to. */
export interface TokenBinding {
  namespace: string;
  serviceAccount: TokenObjectRef;
  /** A pod; `node` may accompany it (the node the pod runs on; uid '' when the Node is gone). */
  pod?: TokenObjectRef;
  secret?: TokenObjectRef;
  node?: TokenObjectRef;
}

/** Issuer, audiences, lifetime and time of a new token. */
export interface ClaimOptions {
  issuer: string;
  audiences: string[];
  expirationSeconds: number;
  now: Date;
  /** The token's ID; a random UUID when absent. */
  jti?: string;
}

function omitEmpty(ref: TokenObjectRef): TokenObjectRef {
  // Upstream drops an empty uid (a pod's node that no longer exists).
  return ref.uid ? { name: ref.name, uid: ref.uid } : ({ name: ref.name } as TokenObjectRef);
}

/** The claims of a new token. */
export function tokenClaims(binding: TokenBinding, opts: ClaimOptions): ServiceAccountClaims {
  const now = Math.floor(opts.now.getTime() / 1000);
  const k8s: KubernetesClaims = {
    namespace: binding.namespace,
    serviceaccount: { name: binding.serviceAccount.name, uid: binding.serviceAccount.uid },
  };
  if (binding.pod) {
    k8s.pod = omitEmpty(binding.pod);
    if (binding.node) k8s.node = omitEmpty(binding.node);
  } else if (binding.secret) {
    k8s.secret = omitEmpty(binding.secret);
  } else if (binding.node) {
    k8s.node = omitEmpty(binding.node);
  }
  return {
    aud: [...opts.audiences],
    exp: now + opts.expirationSeconds,
    iat: now,
    iss: opts.issuer,
    jti: opts.jti ?? randomUUID(),
    'kubernetes.io': k8s,
    nbf: now,
    sub: serviceAccountUsername(binding.namespace, binding.serviceAccount.name),
  };
}

/** Signs token claims with the service-account key. */
export class ServiceAccountTokenSigner {
  private readonly key: KeyObject;
  /** The `kid` header of every token signed here. */
  readonly keyId: string;

  constructor(
    privateKeyPem: string,
    /** The `iss` of every token. */
    readonly issuer: string = DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ) {
    this.key = createPrivateKey(privateKeyPem);
    this.keyId = keyIdOf(createPublicKey(this.key));
  }

  /** The compact JWS of the claims (their `iss` is replaced by the signer's). */
  sign(claims: ServiceAccountClaims): Promise<string> {
    const payload = { ...claims, iss: this.issuer } as unknown as Record<string, unknown>;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: SERVICE_ACCOUNT_TOKEN_ALGORITHM, kid: this.keyId })
      .sign(this.key);
  }
}

/** Go's `%q` of a string list: `["a" "b"]`. */
function goQuoted(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** What {@link ServiceAccountTokenVerifier} accepts. */
export interface VerifierOptions {
  /** Public keys (PEM) whose signatures are accepted: the current key first, older ones after. */
  publicKeysPem: string[];
  /** Accepted `iss` values. */
  issuers: string[];
  /** The API server's own audiences; a token must name one of them (or none, then it is implicit). */
  audiences: string[];
  /** The clock; tests inject one. */
  now?: () => Date;
}

/** A token that is ours but not acceptable: the message says why (TokenReview's status.error). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function ref(value: unknown): TokenObjectRef | undefined {
  if (!isObject(value)) return undefined;
  return {
    name: typeof value['name'] === 'string' ? value['name'] : '',
    uid: typeof value['uid'] === 'string' ? value['uid'] : '',
  };
}

/** The claims of a verified payload, with types checked; throws when the layout is not ours. */
function readClaims(payload: Record<string, unknown>): ServiceAccountClaims {
  const num = (k: string): number => (typeof payload[k] === 'number' ? payload[k] : 0);
  const aud = payload['aud'];
  const k8s = payload['kubernetes.io'];
  const sa = isObject(k8s) ? ref(k8s['serviceaccount']) : undefined;
  if (!isObject(k8s) || !sa || typeof k8s['namespace'] !== 'string' || !k8s['namespace'] || !sa.name) {
    throw new InvalidTokenError(
      'service account token claims could not be validated: no kubernetes.io claims',
    );
  }
  const claims: KubernetesClaims = { namespace: k8s['namespace'], serviceaccount: sa };
  const pod = ref(k8s['pod']);
  const secret = ref(k8s['secret']);
  const node = ref(k8s['node']);
  if (pod) claims.pod = pod;
  if (secret) claims.secret = secret;
  if (node) claims.node = node;
  if (typeof k8s['warnafter'] === 'number') claims.warnafter = k8s['warnafter'];
  return {
    iss: typeof payload['iss'] === 'string' ? payload['iss'] : '',
    sub: typeof payload['sub'] === 'string' ? payload['sub'] : '',
    aud:
      typeof aud === 'string'
        ? [aud]
        : Array.isArray(aud)
          ? aud.filter((a): a is string => typeof a === 'string')
          : [],
    exp: num('exp'),
    iat: num('iat'),
    nbf: num('nbf'),
    jti: typeof payload['jti'] === 'string' ? payload['jti'] : '',
    'kubernetes.io': claims,
  };
}

/** A verified token: its claims and the audiences it was accepted for. */
export interface VerifiedToken {
  claims: ServiceAccountClaims;
  audiences: string[];
}

/**
 * Checks the signature, issuer, audience and validity window of service-account tokens. Tokens that
 * are not JWTs of one of our issuers are not ours (`undefined`: another authenticator may know
 * them); ours that fail a check throw {@link InvalidTokenError}.
 */
export class ServiceAccountTokenVerifier {
  private readonly keys: { kid: string; key: KeyObject }[];
  private readonly issuers: ReadonlySet<string>;
  private readonly audiences: readonly string[];
  private readonly now: () => Date;

  constructor(opts: VerifierOptions) {
    this.keys = opts.publicKeysPem.map((pem) => {
      const key = createPublicKey(pem);
      return { kid: keyIdOf(key), key };
    });
    this.issuers = new Set(opts.issuers);
    this.audiences = [...opts.audiences];
    this.now = opts.now ?? (() => new Date());
  }

  /** Whether the token looks like a JWT from one of our issuers (nothing verified yet). */
  recognises(token: string): boolean {
    if (token.trim().startsWith('{')) return false;
    const parts = token.split('.');
    if (parts.length !== 3) return false;
    const payload = decodeSegment(parts[1] ?? '');
    return isObject(payload) && typeof payload['iss'] === 'string' && this.issuers.has(payload['iss']);
  }

  async verify(token: string): Promise<VerifiedToken | undefined> {
    if (!this.recognises(token)) return undefined;
    let kid = '';
    try {
      const header = decodeProtectedHeader(token);
      kid = typeof header.kid === 'string' ? header.kid : '';
    } catch {
      return undefined;
    }
    const candidates = kid ? this.keys.filter((k) => k.kid === kid) : this.keys;
    if (candidates.length === 0) throw new InvalidTokenError('invalid signature, no keys found');
    let payload: unknown;
    for (const { key } of candidates) {
      try {
        const result = await compactVerify(token, key, { algorithms: [SERVICE_ACCOUNT_TOKEN_ALGORITHM] });
        payload = JSON.parse(new TextDecoder().decode(result.payload)) as unknown;
        break;
      } catch {
        // Try the next key (rotation); fail below when none verifies.
      }
    }
    if (!isObject(payload))
      throw new InvalidTokenError('invalid signature: the token was not signed by this cluster');
    const claims = readClaims(payload);
    if (!this.issuers.has(claims.iss))
      throw new InvalidTokenError(`token issuer ${JSON.stringify(claims.iss)} is invalid`);
    const tokenAudiences = claims.aud.length > 0 ? claims.aud : [...this.audiences];
    const accepted = tokenAudiences.filter((a) => this.audiences.includes(a));
    if (accepted.length === 0 && this.audiences.length > 0) {
      throw new InvalidTokenError(
        `token audiences ${goQuoted(tokenAudiences)} is invalid for the target audiences ${goQuoted(this.audiences)}`,
      );
    }
    const now = this.now().getTime() / 1000;
    if (claims.nbf && now + TOKEN_LEEWAY_SECONDS < claims.nbf)
      throw new InvalidTokenError('service account token is not valid yet');
    if (claims.exp && now > claims.exp + TOKEN_LEEWAY_SECONDS)
      throw new InvalidTokenError('service account token has expired');
    if (claims.iat && now + TOKEN_LEEWAY_SECONDS < claims.iat)
      throw new InvalidTokenError('service account token is issued in the future');
    return { claims, audiences: accepted };
  }
}

/**
 * Service-account token authentication: a bearer token that is a valid JWT of this cluster
 * (./serviceaccount-token.ts) authenticates as its service account, as long as the objects it names
 * still exist with the same UIDs: the ServiceAccount always, and the Pod, Secret or Node it is bound
 * to. An object deleted more than the leeway ago no longer counts.
 *
 * The user: `system:serviceaccount:<ns>:<name>`, uid = the ServiceAccount's UID, groups
 * `system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`, and extra
 * `authentication.kubernetes.io/{pod-name,pod-uid,node-name,node-uid,credential-id}` as upstream.
 */
import type { KubeObject } from '../api/meta.js';
import {
  InvalidTokenError,
  TOKEN_LEEWAY_SECONDS,
  type ServiceAccountClaims,
  type ServiceAccountTokenVerifier,
} from './serviceaccount-token.js';
import { bearerToken, type TokenAuthenticator } from './tokenfile.js';
import type { UserInfo } from './types.js';
import { serviceAccountUser } from './users.js';

/** Extra keys of a service-account user. */
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** Reads the objects tokens are bound to; undefined when an object does not exist. */
export interface BoundObjectReader {
  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

/** The verifier of token signatures and the reader of the objects tokens name. */
export interface ServiceAccountAuthenticatorOptions {
  verifier: ServiceAccountTokenVerifier;
  objects: BoundObjectReader;
  /** The clock; tests inject one. */
  now?: () => Date;
}

const INVALIDATED = 'service account token has been invalidated';

/** True when the object was deleted before `cutoff` (a deletion in progress for less than the leeway still counts as live). */
function deletedBefore(obj: KubeObject, cutoff: number): boolean {
  const ts = obj.metadata?.deletionTimestamp;
  return typeof ts === 'string' && Date.parse(ts) < cutoff;
}

function uidOf(obj: KubeObject): string {
  return obj.metadata?.uid ?? '';
}

/**
 * Checks the bound objects of verified claims and returns the user they stand for; throws
 * InvalidTokenError with upstream's wording when an object is gone or replaced.
 */
export async function serviceAccountUserFromClaims(
  claims: ServiceAccountClaims,
  objects: BoundObjectReader,
  now: Date,
): Promise<UserInfo> {
  const k8s = claims['kubernetes.io'];
  const ns = k8s.namespace;
  const saRef = k8s.serviceaccount;
  const cutoff = now.getTime() - TOKEN_LEEWAY_SECONDS * 1000;

  const sa = await objects.serviceAccount(ns, saRef.name);
  if (!sa) throw new InvalidTokenError(`serviceaccounts ${JSON.stringify(saRef.name)} not found`);
  if (uidOf(sa) !== saRef.uid)
    throw new InvalidTokenError(`service account UID (${uidOf(sa)}) does not match claim (${saRef.uid})`);
  if (deletedBefore(sa, cutoff))
    throw new InvalidTokenError(`service account ${ns}/${saRef.name} has been deleted`);

  if (k8s.secret) {
    const secret = await objects.secret(ns, k8s.secret.name);
    if (!secret) throw new InvalidTokenError(INVALIDATED);
    if (uidOf(secret) !== k8s.secret.uid) {
      throw new InvalidTokenError(
        `secret UID (${uidOf(secret)}) does not match service account secret ref claim (${k8s.secret.uid})`,
      );
    }
    if (deletedBefore(secret, cutoff)) throw new InvalidTokenError(INVALIDATED);
  }

  const extra: Record<string, string[]> = {};
  if (k8s.pod) {
    const pod = await objects.pod(ns, k8s.pod.name);
    if (!pod) throw new InvalidTokenError(INVALIDATED);
    if (uidOf(pod) !== k8s.pod.uid) {
      throw new InvalidTokenError(
        `pod UID (${uidOf(pod)}) does not match service account pod ref claim (${k8s.pod.uid})`,
      );
    }
    if (deletedBefore(pod, cutoff)) throw new InvalidTokenError(INVALIDATED);
    extra[EXTRA_POD_NAME] = [k8s.pod.name];
    extra[EXTRA_POD_UID] = [k8s.pod.uid];
    // The pod's node is information, not a binding: it is not looked up again.
    if (k8s.node) {
      if (k8s.node.name) extra[EXTRA_NODE_NAME] = [k8s.node.name];
      if (k8s.node.uid) extra[EXTRA_NODE_UID] = [k8s.node.uid];
    }
  } else if (k8s.node) {
    const node = await objects.node(k8s.node.name);
    if (!node) throw new InvalidTokenError(INVALIDATED);
    if (uidOf(node) !== k8s.node.uid) {
      throw new InvalidTokenError(
        `node UID (${uidOf(node)}) does not match service account node ref claim (${k8s.node.uid})`,
      );
    }
    if (deletedBefore(node, cutoff)) throw new InvalidTokenError(INVALIDATED);
    extra[EXTRA_NODE_NAME] = [k8s.node.name];
    extra[EXTRA_NODE_UID] = [k8s.node.uid];
  }
  if (claims.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${claims.jti}`];

  const user = serviceAccountUser(ns, saRef.name, saRef.uid);
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

/** Authenticates `Authorization: Bearer <service-account token>` requests. */
export function serviceAccountTokenAuthenticator(
  opts: ServiceAccountAuthenticatorOptions,
): TokenAuthenticator {
  const now = opts.now ?? (() => new Date());
  const authenticateToken = async (token: string): Promise<UserInfo | undefined> => {
    const verified = await opts.verifier.verify(token);
    if (!verified) return undefined;
    return serviceAccountUserFromClaims(verified.claims, opts.objects, now());
  };
  return {
    authenticateToken,
    authenticate(req) {
      const token = bearerToken(req);
      return token === undefined ? Promise.resolve(undefined) : authenticateToken(token);
    },
  };
}

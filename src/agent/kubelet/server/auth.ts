/**
 * Who may call the kubelet API, as upstream's kubelet decides it: callers authenticate with a client
 * certificate signed by the cluster's client CA (or a bearer token checked by the API server), and
 * each request is authorized as a verb on a `nodes/<subresource>` of this node: `stats`, `metrics`,
 * `log`, `pods`, `healthz`, `configz`, else `proxy` (exec, attach, port-forward, container logs, and
 * k8ts's own `/k8ts/routes`, which nodes may also read with their certificates: {@link isNodePeerRead}).
 *
 * `/k8ts/routes` stays under `nodes/proxy` for everyone else on purpose: upstream's kubelet sends every
 * path outside its named subresources there, `nodes/proxy` is what roles granting "the kubelet API"
 * (system:kubelet-api-admin) carry, and a subresource of k8ts's own would be one no existing role or
 * RBAC rule grants. It is read-only, but who can read it knows which pods a node still serves.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { subjectIdentity } from '../../../pki/inspect.js';
import type {
  KubeletAuthorizer,
  KubeletRequestAttributes,
  KubeletTokenAuthenticator,
  KubeletUser,
} from './types.js';

/** The user named by a verified client certificate (CN = name, O = groups). */
export function certificateUser(socket: TLSSocket): KubeletUser | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerX509Certificate();
  if (!cert) return undefined;
  const { commonName, organizations } = subjectIdentity(cert);
  if (!commonName) return undefined;
  return {
    username: commonName,
    groups: [...organizations, 'system:authenticated'],
    authenticatedBy: 'certificate',
  };
}

/** Authenticates a request: client certificate first, then a bearer token. */
export async function authenticateRequest(
  req: IncomingMessage,
  tokens: KubeletTokenAuthenticator | undefined,
): Promise<KubeletUser | undefined> {
  const fromCert = certificateUser(req.socket as TLSSocket);
  if (fromCert) return fromCert;
  const header = req.headers['authorization'];
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (m?.[1] && tokens) {
    const user = await tokens(m[1]);
    return user ? { ...user, authenticatedBy: 'token' } : undefined;
  }
  return undefined;
}

function isSubpath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

const VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * The attributes to authorize, most specific first: paths with their own subresource (`/pods`,
 * `/healthz`, `/configz`) fall back to `proxy` as upstream's fine-grained kubelet authorization does.
 */
export function requestAttributes(
  method: string,
  path: string,
  nodeName: string,
): KubeletRequestAttributes[] {
  const base: KubeletRequestAttributes = {
    verb: VERBS[method.toUpperCase()] ?? '',
    resource: 'nodes',
    subresource: 'proxy',
    name: nodeName,
    apiGroup: '',
    apiVersion: 'v1',
    path,
  };
  if (isSubpath(path, '/stats')) return [{ ...base, subresource: 'stats' }];
  if (isSubpath(path, '/metrics')) return [{ ...base, subresource: 'metrics' }];
  if (isSubpath(path, '/logs')) return [{ ...base, subresource: 'log' }];
  for (const sub of ['pods', 'healthz', 'configz']) {
    if (isSubpath(path, `/${sub}`)) return [{ ...base, subresource: sub }, base];
  }
  return [base];
}

/** Upstream kubelet's 403 text. */
export function forbiddenMessage(user: KubeletUser, attrs: KubeletRequestAttributes): string {
  return `Forbidden (user=${user.username}, verb=${attrs.verb}, resource=${attrs.resource}, subresource=${attrs.subresource})`;
}

/**
 * Allows the named users everything (the API server's kubelet-client identity, as upstream's
 * `system:kubelet-api-admin` role) and defers everyone else to `next` (denied when there is none).
 */
export function allowUsers(names: readonly string[], next?: KubeletAuthorizer): KubeletAuthorizer {
  const allowed = new Set(names);
  return async (user, attrs) => {
    if (allowed.has(user.username)) return { allowed: true };
    if (next) return next(user, attrs);
    return { allowed: false, reason: 'only the API server may call this kubelet' };
  };
}

/** The path of the data-path query nodes send each other before stopping a pod (see server.ts). */
export const ROUTES_PATH = '/k8ts/routes';

/** The group of node identities (`system:node:<name>` certificates). */
export const NODES_GROUP = 'system:nodes';

/**
 * True for a request one node's agent may make of another without asking the API server: a GET of
 * {@link ROUTES_PATH} with a client certificate of the cluster's client CA in group `system:nodes`.
 * The answer (whether this node still sends new connections to an address) is read-only and reveals
 * nothing a node cannot already read from the API, and nodes ask it on every pod deletion, so a
 * SubjectAccessReview round trip there would only add latency. Tokens never qualify: a token names
 * its groups only after a TokenReview, and nodes use certificates.
 */
export function isNodePeerRead(user: KubeletUser, method: string, path: string): boolean {
  return (
    user.authenticatedBy === 'certificate' &&
    user.groups.includes(NODES_GROUP) &&
    (method === 'GET' || method === 'HEAD') &&
    path === ROUTES_PATH
  );
}

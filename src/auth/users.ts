/**
 * Well-known users and groups (upstream's k8s.io/apiserver/pkg/authentication/user constants) and
 * helpers that build UserInfo values.
 */
import type { UserInfo } from './types.js';

/** The privileged group: always allowed by the authorizer, never subject to RBAC escalation checks. */
export const SYSTEM_MASTERS = 'system:masters';
/** Every authenticated user carries this group. */
export const ALL_AUTHENTICATED = 'system:authenticated';
/** The anonymous user's group. */
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
/** Every service account carries this group. */
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
/** Prefix of service-account user names: system:serviceaccount:<namespace>:<name>. */
export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';

/** The user of a request without credentials. The server answers such requests 401 except health and version. */
export const ANONYMOUS_USER: Readonly<UserInfo> = Object.freeze({
  username: 'system:anonymous',
  groups: Object.freeze([ALL_UNAUTHENTICATED]) as string[],
});

/** A copy of `user` whose groups include system:authenticated (once), as upstream's group adder. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(ALL_AUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

/** "system:serviceaccount:<namespace>:<name>". */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

/** Splits a service-account user name into namespace and name; undefined for other users. */
export function parseServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USERNAME_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/**
 * The user a service-account token authenticates as: name system:serviceaccount:ns:name, groups
 * system:serviceaccounts, system:serviceaccounts:ns and system:authenticated.
 */
export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  const user: UserInfo = {
    username: serviceAccountUsername(namespace, name),
    groups: [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`, ALL_AUTHENTICATED],
  };
  if (uid) user.uid = uid;
  return user;
}

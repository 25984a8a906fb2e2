/**
 * Who is asking, and may they: the contracts between the API server's request pipeline and the
 * authenticators and authorizers.
 */

/** The authenticated user, as upstream's user.Info. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What an authenticator sees of a request. */
export interface AuthRequest {
  /** The verified client certificate chain (leaf first), DER-encoded; empty when none was sent. */
  clientCertificates: Buffer[];
  /** Request headers, lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
}

export interface Authenticator {
  /** The user, or undefined when this authenticator does not recognise the credentials. */
  authenticate(req: AuthRequest): Promise<UserInfo | undefined>;
}

/** upstream authorizer.Attributes. */
export interface AuthorizationAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, or a special verb (bind, escalate, impersonate, use …); for non-resource requests the lower-case HTTP method. */
  verb: string;
  resourceRequest: boolean;
  /** For non-resource requests: the URL path. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why, for audit and for SubjectAccessReview status.reason. */
  reason: string;
}

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult>;
  /** The rules a user holds in a namespace, for SelfSubjectRulesReview. */
  rulesFor(
    user: UserInfo,
    namespace: string,
  ): Promise<{
    resourceRules: ResourceRule[];
    nonResourceRules: NonResourceRule[];
    incomplete: boolean;
    evaluationError?: string;
  }>;
}

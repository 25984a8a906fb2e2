/**
 * The review kinds: computed on create, never stored.
 *
 * - authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`) and TokenReview;
 * - authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview,
 *   LocalSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i --list`).
 *
 * Validation wording and status fields follow upstream's review REST handlers.
 */
import { apiErrors, fieldErrors, type FieldError } from '../api/errors.js';
import { isObject, type KubeObject } from '../api/meta.js';
import type { StrategyContext, VirtualResource } from '../registry/strategy.js';
import type { AuthorizationAttributes, Authenticator, Authorizer, UserInfo } from './types.js';

export interface ReviewDeps {
  authorizer: Authorizer;
  /** Authenticates `Authorization: Bearer <token>` requests, for TokenReview; absent: TokenReviews never authenticate. */
  tokenAuthenticator?: Authenticator;
  /** The clock, for SelfSubjectReview's creationTimestamp; tests inject one. */
  now?: () => Date;
}

function spec(obj: KubeObject): Record<string, unknown> {
  return isObject(obj.spec) ? obj.spec : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function userInfoJson(user: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: user.username };
  if (user.uid) out.uid = user.uid;
  if (user.groups.length > 0) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) out.extra = structuredClone(user.extra);
  return out;
}

/** Authorization attributes from a review's resourceAttributes or nonResourceAttributes. */
export function reviewAttributes(user: UserInfo, s: Record<string, unknown>): AuthorizationAttributes {
  const r = isObject(s.resourceAttributes) ? s.resourceAttributes : undefined;
  if (r) {
    return {
      user,
      verb: str(r.verb),
      resourceRequest: true,
      path: '',
      namespace: str(r.namespace),
      apiGroup: str(r.group),
      apiVersion: str(r.version),
      resource: str(r.resource),
      subresource: str(r.subresource),
      name: str(r.name),
    };
  }
  const n = isObject(s.nonResourceAttributes) ? s.nonResourceAttributes : {};
  return {
    user,
    verb: str(n.verb),
    resourceRequest: false,
    path: str(n.path),
    namespace: '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Exactly one of resourceAttributes and nonResourceAttributes. */
function validateAttributesChoice(s: Record<string, unknown>): FieldError[] {
  const hasResource = present(s.resourceAttributes);
  const hasNonResource = present(s.nonResourceAttributes);
  if (hasResource && hasNonResource) {
    return [
      fieldErrors.invalid(
        'spec.nonResourceAttributes',
        s.nonResourceAttributes,
        'cannot be specified in combination with resourceAttributes',
      ),
    ];
  }
  if (!hasResource && !hasNonResource) {
    return [
      fieldErrors.invalid(
        'spec.resourceAttributes',
        null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ];
  }
  return [];
}

function validateSubjectAccessReviewSpec(s: Record<string, unknown>): FieldError[] {
  const errs = validateAttributesChoice(s);
  if (str(s.user) === '' && strings(s.groups).length === 0) {
    errs.push(
      fieldErrors.invalid('spec.user', str(s.user), 'at least one of user or group must be specified'),
    );
  }
  return errs;
}

/** Metadata is empty but for `allowed` keys (creationTimestamp null and managedFields are ignored). */
function metadataEmpty(obj: KubeObject, allowed: string[] = []): boolean {
  const meta: Record<string, unknown> = isObject(obj.metadata) ? obj.metadata : {};
  return Object.entries(meta).every(
    ([k, v]) =>
      allowed.includes(k) ||
      k === 'managedFields' ||
      v === null ||
      v === undefined ||
      v === '' ||
      (Array.isArray(v) && v.length === 0) ||
      (isObject(v) && Object.keys(v).length === 0),
  );
}

function withStatus(
  obj: KubeObject,
  apiVersion: string,
  kind: string,
  status: Record<string, unknown>,
): KubeObject {
  return { ...structuredClone(obj), apiVersion, kind, status };
}

async function accessReviewStatus(
  authorizer: Authorizer,
  attrs: AuthorizationAttributes,
): Promise<Record<string, unknown>> {
  const status: Record<string, unknown> = { allowed: false };
  try {
    const result = await authorizer.authorize(attrs);
    status.allowed = result.decision === 'allow';
    if (result.decision === 'deny') status.denied = true;
    if (result.reason) status.reason = result.reason;
  } catch (err) {
    status.evaluationError = err instanceof Error ? err.message : String(err);
  }
  return status;
}

function userFromSpec(s: Record<string, unknown>): UserInfo {
  const user: UserInfo = { username: str(s.user), groups: strings(s.groups) };
  if (str(s.uid)) user.uid = str(s.uid);
  if (isObject(s.extra)) {
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(s.extra)) extra[k] = strings(v);
    user.extra = extra;
  }
  return user;
}

/** The review resources, keyed by `group/plural`, for the server's virtual-resource routing. */
export function reviewResources(deps: ReviewDeps): Record<string, VirtualResource> {
  const now = deps.now ?? (() => new Date());
  const AUTHN = 'authentication.k8s.io/v1';
  const AUTHZ = 'authorization.k8s.io/v1';

  const selfSubjectReview: VirtualResource = {
    create(_obj: KubeObject, ctx: StrategyContext): Promise<KubeObject> {
      return Promise.resolve({
        apiVersion: AUTHN,
        kind: 'SelfSubjectReview',
        metadata: {
          creationTimestamp: now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        },
        status: { userInfo: userInfoJson(ctx.user) },
      });
    },
  };

  const tokenReview: VirtualResource = {
    async create(obj: KubeObject, ctx: StrategyContext): Promise<KubeObject> {
      if (ctx.namespace)
        throw apiErrors.badRequest(`namespace is not allowed on this type: ${ctx.namespace}`);
      const s = spec(obj);
      const token = str(s.token);
      if (token === '') throw apiErrors.badRequest('token is required for TokenReview in authentication');
      const status: Record<string, unknown> = { authenticated: false, user: {} };
      if (deps.tokenAuthenticator) {
        try {
          const user = await deps.tokenAuthenticator.authenticate({
            clientCertificates: [],
            headers: { authorization: `Bearer ${token}` },
          });
          if (user) {
            status.authenticated = true;
            status.user = userInfoJson(user);
            const audiences = strings(s.audiences);
            if (audiences.length > 0) status.audiences = audiences;
          } else {
            status.error = 'invalid bearer token';
          }
        } catch (err) {
          status.error = err instanceof Error ? err.message : String(err);
        }
      }
      return withStatus(obj, AUTHN, 'TokenReview', status);
    },
  };

  const selfSubjectAccessReview: VirtualResource = {
    validate: (obj) => validateAttributesChoice(spec(obj)),
    async create(obj, ctx) {
      const status = await accessReviewStatus(deps.authorizer, reviewAttributes(ctx.user, spec(obj)));
      return withStatus(obj, AUTHZ, 'SelfSubjectAccessReview', status);
    },
  };

  const subjectAccessReview: VirtualResource = {
    validate(obj) {
      const errs = validateSubjectAccessReviewSpec(spec(obj));
      if (!metadataEmpty(obj)) errs.push(fieldErrors.invalid('metadata', obj.metadata, 'must be empty'));
      return errs;
    },
    async create(obj) {
      const s = spec(obj);
      const status = await accessReviewStatus(deps.authorizer, reviewAttributes(userFromSpec(s), s));
      return withStatus(obj, AUTHZ, 'SubjectAccessReview', status);
    },
  };

  const localSubjectAccessReview: VirtualResource = {
    validate(obj) {
      const s = spec(obj);
      const errs = validateSubjectAccessReviewSpec(s);
      if (!metadataEmpty(obj, ['namespace'])) {
        errs.push(fieldErrors.invalid('metadata', obj.metadata, 'must be empty except for namespace'));
      }
      const ns = obj.metadata?.namespace ?? '';
      if (isObject(s.resourceAttributes) && str(s.resourceAttributes.namespace) !== ns) {
        errs.push(
          fieldErrors.invalid(
            'spec.resourceAttributes.namespace',
            str(s.resourceAttributes.namespace),
            'must match metadata.namespace',
          ),
        );
      }
      if (present(s.nonResourceAttributes)) {
        errs.push(
          fieldErrors.invalid(
            'spec.nonResourceAttributes',
            s.nonResourceAttributes,
            'disallowed on this kind of request',
          ),
        );
      }
      return errs;
    },
    async create(obj, ctx) {
      if (!ctx.namespace) throw apiErrors.badRequest(`namespace is required on this type: ${ctx.namespace}`);
      if ((obj.metadata?.namespace ?? '') !== ctx.namespace) {
        throw apiErrors.badRequest(
          `spec.resourceAttributes.namespace must match namespace: ${ctx.namespace}`,
        );
      }
      const s = spec(obj);
      const status = await accessReviewStatus(deps.authorizer, reviewAttributes(userFromSpec(s), s));
      return withStatus(obj, AUTHZ, 'LocalSubjectAccessReview', status);
    },
  };

  const selfSubjectRulesReview: VirtualResource = {
    async create(obj, ctx) {
      const namespace = str(spec(obj).namespace);
      if (namespace === '') throw apiErrors.badRequest('no namespace on request');
      const status: Record<string, unknown> = { resourceRules: [], nonResourceRules: [], incomplete: false };
      try {
        const rules = await deps.authorizer.rulesFor(ctx.user, namespace);
        status.resourceRules = rules.resourceRules.map((r) => {
          const out: Record<string, unknown> = { verbs: r.verbs };
          if (r.apiGroups.length > 0) out.apiGroups = r.apiGroups;
          if (r.resources.length > 0) out.resources = r.resources;
          if (r.resourceNames.length > 0) out.resourceNames = r.resourceNames;
          return out;
        });
        status.nonResourceRules = rules.nonResourceRules.map((r) => ({
          verbs: r.verbs,
          nonResourceURLs: r.nonResourceURLs,
        }));
        status.incomplete = rules.incomplete;
        if (rules.evaluationError) status.evaluationError = rules.evaluationError;
      } catch (err) {
        status.incomplete = true;
        status.evaluationError = err instanceof Error ? err.message : String(err);
      }
      return withStatus(obj, AUTHZ, 'SelfSubjectRulesReview', status);
    },
  };

  return {
    'authentication.k8s.io/selfsubjectreviews': selfSubjectReview,
    'authentication.k8s.io/tokenreviews': tokenReview,
    'authorization.k8s.io/selfsubjectaccessreviews': selfSubjectAccessReview,
    'authorization.k8s.io/subjectaccessreviews': subjectAccessReview,
    'authorization.k8s.io/localsubjectaccessreviews': localSubjectAccessReview,
    'authorization.k8s.io/selfsubjectrulesreviews': selfSubjectRulesReview,
  };
}

/**
 * `serviceaccounts/token` create: turns an authentication.k8s.io/v1 TokenRequest into a signed token
 * for the service account, as upstream's TokenREST does:
 *
 * - the ServiceAccount must exist (404); metadata name/namespace, when given, must match the URL;
 * - spec.audiences defaults to the API server's audiences, spec.expirationSeconds to 3600, and must
 *   lie between 10 minutes and 2^32 seconds;
 * - spec.boundObjectRef may name a Pod (of this service account; its node goes into the claims too),
 *   a Secret or a Node; a given uid must match the object's;
 * - an optional maximum shortens longer requests with a warning. Kubelet-style 3607 s requests are
 *   NOT stretched to a year (upstream does so only behind --service-account-extend-token-expiration).
 */
import { apiErrors, fieldErrors, type FieldError } from '../api/errors.js';
import { isObject, parseApiVersion, type KubeObject } from '../api/meta.js';
import type { BoundObjectReader } from '../auth/serviceaccount.js';
import {
  tokenClaims,
  type ServiceAccountTokenSigner,
  type TokenBinding,
  type TokenObjectRef,
} from '../auth/serviceaccount-token.js';
import { rfc3339 } from '../util/time.js';

const GROUP = 'authentication.k8s.io';
const KIND = 'TokenRequest';
/** Default token lifetime when spec.expirationSeconds is absent. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
/** Shortest lifetime a TokenRequest may ask for. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
/** Longest lifetime a TokenRequest may ask for. */
export const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

/** What issuing tokens needs: object lookups, the signer, the default audiences. */
export interface TokenRequestDeps {
  /** Reads the service account and bound objects; should read consistently. */
  objects: BoundObjectReader;
  signer: ServiceAccountTokenSigner;
  /** The API server's audiences: the default of spec.audiences. */
  audiences: string[];
  /** When positive, longer requests are shortened to this (upstream --service-account-max-token-expiration). */
  maxExpirationSeconds?: number;
}

/** The call: the URL's namespace and service-account name, the decoded body, the time. */
export interface TokenRequestCall {
  namespace: string;
  name: string;
  request: KubeObject;
  now: Date;
}

export interface TokenRequestResult {
  /** The TokenRequest with its status (token, expirationTimestamp). */
  object: KubeObject;
  /** Warning headers for the response. */
  warnings: string[];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function invalid(name: string, errs: FieldError[]) {
  return apiErrors.invalid(GROUP, KIND, name, errs);
}

/** Upstream's GroupVersionKind.String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
function gvkString(group: string, version: string, kind: string): string {
  return `${group}/${version}, Kind=${kind}`;
}

/** Validation of the spec after defaulting (upstream's ValidateTokenRequest). */
export function validateTokenRequestSpec(spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const exp = spec['expirationSeconds'];
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    errs.push(fieldErrors.invalid('spec.expirationSeconds', exp, 'must be an integer'));
    return errs;
  }
  if (exp < MIN_TOKEN_EXPIRATION_SECONDS)
    errs.push(
      fieldErrors.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'),
    );
  if (exp > MAX_TOKEN_EXPIRATION_SECONDS)
    errs.push(
      fieldErrors.invalid(
        'spec.expirationSeconds',
        exp,
        'may not specify a duration larger than 2^32 seconds',
      ),
    );
  return errs;
}

/** Issues a token for a TokenRequest. Throws ApiError with upstream's status and wording. */
export async function createTokenRequest(
  deps: TokenRequestDeps,
  call: TokenRequestCall,
): Promise<TokenRequestResult> {
  const { namespace, name, now } = call;
  const req = structuredClone(call.request);
  const meta = (req.metadata ??= {});
  if (meta.name && meta.name !== name) {
    throw invalid(name, [
      fieldErrors.invalid('metadata.name', meta.name, 'must match the service account name if specified'),
    ]);
  }
  if (meta.namespace && meta.namespace !== namespace) {
    throw invalid(name, [
      fieldErrors.invalid(
        'metadata.namespace',
        meta.namespace,
        'must match the service account namespace if specified',
      ),
    ]);
  }

  const sa = await deps.objects.serviceAccount(namespace, name);
  if (!sa) throw apiErrors.notFound({ group: '', resource: 'serviceaccounts' }, name);
  const saUid = sa.metadata?.uid ?? '';
  if (meta.uid && meta.uid !== saUid) {
    throw apiErrors.conflict(
      { group: GROUP, resource: KIND },
      name,
      `the UID in the token request (${meta.uid}) does not match the UID of the service account (${saUid})`,
    );
  }

  const spec: Record<string, unknown> = isObject(req['spec']) ? req['spec'] : {};
  req['spec'] = spec;
  const audiences = Array.isArray(spec['audiences'])
    ? spec['audiences'].filter((a): a is string => typeof a === 'string')
    : [];
  spec['audiences'] = audiences.length > 0 ? audiences : [...deps.audiences];
  if (spec['expirationSeconds'] === undefined || spec['expirationSeconds'] === null)
    spec['expirationSeconds'] = DEFAULT_TOKEN_EXPIRATION_SECONDS;
  meta.name = name;
  meta.namespace = namespace;
  meta.uid = saUid;
  meta.creationTimestamp = rfc3339(now);
  delete req['status'];

  const errs = validateTokenRequestSpec(spec);
  if (errs.length) throw invalid('', errs);

  const binding: TokenBinding = {
    namespace,
    serviceAccount: { name, uid: saUid },
  };
  if (isObject(spec['boundObjectRef']))
    Object.assign(binding, await resolveBinding(deps, call, spec['boundObjectRef']));

  const warnings: string[] = [];
  let expirationSeconds = spec['expirationSeconds'] as number;
  const max = deps.maxExpirationSeconds ?? 0;
  if (max > 0 && expirationSeconds > max) {
    warnings.push(`requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
    expirationSeconds = max;
    spec['expirationSeconds'] = max;
  }

  const claims = tokenClaims(binding, {
    issuer: deps.signer.issuer,
    audiences: spec['audiences'] as string[],
    expirationSeconds,
    now,
  });
  let token: string;
  try {
    token = await deps.signer.sign(claims);
  } catch (err) {
    throw apiErrors.internal(
      new Error(`failed to generate token: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
  req.apiVersion = `${GROUP}/v1`;
  req.kind = KIND;
  req['status'] = {
    token,
    expirationTimestamp: rfc3339(new Date(now.getTime() + expirationSeconds * 1000)),
  };
  return { object: req, warnings };
}

/** Looks up the object of spec.boundObjectRef and returns what the token's claims say about it. */
async function resolveBinding(
  deps: TokenRequestDeps,
  call: TokenRequestCall,
  ref: Record<string, unknown>,
): Promise<Partial<TokenBinding>> {
  const gv = parseApiVersion(str(ref['apiVersion'])) ?? { group: '', version: '' };
  const kind = str(ref['kind']);
  const refName = str(ref['name']);
  const refUid = str(ref['uid']);
  let found: KubeObject | undefined;
  const out: Partial<TokenBinding> = {};
  const core = gv.group === '';
  if (core && kind === 'Pod') {
    found = await deps.objects.pod(call.namespace, refName);
    if (!found) throw apiErrors.notFound({ group: '', resource: 'pods' }, refName);
    const spec = isObject(found['spec']) ? found['spec'] : {};
    if (str(spec['serviceAccountName']) !== call.name) {
      throw apiErrors.badRequest(
        `cannot bind token for serviceaccount ${JSON.stringify(call.name)} to pod running with different serviceaccount name.`,
      );
    }
    out.pod = objectRef(found, refName);
    const nodeName = str(spec['nodeName']);
    if (nodeName) {
      // A pod's node goes into the claims for information; a missing Node leaves its uid out.
      const node = await deps.objects.node(nodeName);
      out.node = { name: nodeName, uid: node?.metadata?.uid ?? '' };
    }
  } else if (core && kind === 'Node') {
    found = await deps.objects.node(refName);
    if (!found) throw apiErrors.notFound({ group: '', resource: 'nodes' }, refName);
    out.node = objectRef(found, refName);
  } else if (core && kind === 'Secret') {
    found = await deps.objects.secret(call.namespace, refName);
    if (!found) throw apiErrors.notFound({ group: '', resource: 'secrets' }, refName);
    out.secret = objectRef(found, refName);
  } else {
    throw apiErrors.badRequest(
      `cannot bind token to object of type ${gvkString(gv.group, gv.version, kind)}`,
    );
  }
  const uid = found.metadata?.uid ?? '';
  if (refUid && refUid !== uid) {
    throw apiErrors.conflict(
      { group: gv.group, resource: kind },
      refName,
      `the UID in the bound object reference (${refUid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return out;
}

function objectRef(obj: KubeObject, name: string): TokenObjectRef {
  return { name: obj.metadata?.name ?? name, uid: obj.metadata?.uid ?? '' };
}

/**
 * Schema definitions for authentication.k8s.io/v1: TokenReview, TokenRequest (the body of
 * serviceaccounts/token), SelfSubjectReview and the UserInfo they report.
 */
import { TIME, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const AUTHN = 'io.k8s.api.authentication.v1.';
const gvk = (kind: string) => ({ group: 'authentication.k8s.io', version: 'v1', kind });

const audiences = (description: string) => p.array(t.string, description, { listType: 'atomic' });

const userInfo: Definition = obj(AUTHN + 'UserInfo', 'The identity of an authenticated user.', {
  username: p.string('The name that identifies the user among all active users.'),
  uid: p.string('A unique value that tells this user apart from earlier users of the same name.'),
  groups: p.array(t.string, 'The groups the user belongs to.', { listType: 'atomic' }),
  extra: p.map(t.array(t.string), 'Other facts about the user from the authenticator, such as scopes.'),
});

const tokenReview: Definition[] = [
  obj(
    AUTHN + 'TokenReview',
    'Asks the server to authenticate a bearer token; the answer is computed, not stored.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(AUTHN + 'TokenReviewSpec', 'The token to check.'),
      status: p.ref(AUTHN + 'TokenReviewStatus', 'The answer, filled in by the server.'),
    },
    { required: ['spec'], gvk: [gvk('TokenReview')] },
  ),
  obj(AUTHN + 'TokenReviewSpec', 'A token to authenticate.', {
    token: p.string('The opaque bearer token.'),
    audiences: audiences('Audiences the token must be valid for; empty means the API server audiences.'),
  }),
  obj(AUTHN + 'TokenReviewStatus', 'The result of a token review.', {
    authenticated: p.bool('Whether the token belongs to a known user.'),
    user: p.ref(AUTHN + 'UserInfo', 'The user the token belongs to.'),
    audiences: audiences('The requested audiences the token is valid for.'),
    error: p.string('Why the token could not be checked, if it could not.'),
  }),
  userInfo,
];

const tokenRequest: Definition[] = [
  obj(
    AUTHN + 'TokenRequest',
    'Requests a token for a service account; the body of a serviceaccounts/token create.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(AUTHN + 'TokenRequestSpec', 'The audiences, lifetime and binding of the token.'),
      status: p.ref(AUTHN + 'TokenRequestStatus', 'The issued token, filled in by the server.'),
    },
    { required: ['spec'], gvk: [gvk('TokenRequest')] },
  ),
  obj(
    AUTHN + 'TokenRequestSpec',
    'What kind of token to issue.',
    {
      audiences: audiences('The audiences the token is meant for; empty means the API server audiences.'),
      expirationSeconds: p.int64(
        'The requested lifetime of the token in seconds; the server may shorten it.',
      ),
      boundObjectRef: p.ref(
        AUTHN + 'BoundObjectReference',
        'An object the token is tied to: the token stops working when that object is deleted.',
      ),
    },
    { required: ['audiences'] },
  ),
  obj(
    AUTHN + 'TokenRequestStatus',
    'An issued token.',
    {
      token: p.string('The opaque bearer token.'),
      expirationTimestamp: p.ref(TIME, 'When the token stops being valid.'),
    },
    { required: ['token', 'expirationTimestamp'] },
  ),
  obj(AUTHN + 'BoundObjectReference', 'The object a token is bound to: a Pod, Secret or Node.', {
    kind: p.string('The kind of the object: Pod, Secret or Node.'),
    apiVersion: p.string('The API version of the object.'),
    name: p.string('The name of the object.'),
    uid: p.string('The UID of the object.'),
  }),
];

const selfSubjectReview: Definition[] = [
  obj(
    AUTHN + 'SelfSubjectReview',
    'Asks the server who the caller is; the answer is computed, not stored.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      status: p.ref(AUTHN + 'SelfSubjectReviewStatus', 'The caller identity, filled in by the server.'),
    },
    { gvk: [gvk('SelfSubjectReview')] },
  ),
  obj(AUTHN + 'SelfSubjectReviewStatus', 'The result of a self subject review.', {
    userInfo: p.ref(AUTHN + 'UserInfo', 'The identity the server authenticated the request as.'),
  }),
];

/** Every authentication.k8s.io/v1 definition. */
export const authenticationV1Definitions: Definition[] = [
  ...tokenReview,
  ...tokenRequest,
  ...selfSubjectReview,
];

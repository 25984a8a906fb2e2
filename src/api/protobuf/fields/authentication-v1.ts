/**
 * Protobuf field numbers of the authentication.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/authentication/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.authentication.v1.';

/** Field numbers of authentication.k8s.io/v1. */
export const authenticationV1Fields: FieldTable = {
  [P + 'BoundObjectReference']: { kind: 1, apiVersion: 2, name: 3, uid: 4 },
  [P + 'SelfSubjectReview']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, status: 2 },
  [P + 'SelfSubjectReviewStatus']: { userInfo: 1 },
  [P + 'TokenRequest']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'TokenRequestSpec']: { audiences: always(1), expirationSeconds: always(4), boundObjectRef: always(3) },
  [P + 'TokenRequestStatus']: { token: keep(1), expirationTimestamp: 2 },
  [P + 'TokenReview']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'TokenReviewSpec']: { token: 1, audiences: 2 },
  [P + 'TokenReviewStatus']: { authenticated: 1, user: 2, audiences: 4, error: 3 },
  [P + 'UserInfo']: { username: 1, uid: 2, groups: 3, extra: 4 },
};

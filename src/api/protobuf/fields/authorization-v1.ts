/**
 * Protobuf field numbers of the authorization.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/authorization/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.authorization.v1.';

/** Field numbers of authorization.k8s.io/v1. */
export const authorizationV1Fields: FieldTable = {
  [P + 'FieldSelectorAttributes']: { rawSelector: 1, requirements: 2 },
  [P + 'LabelSelectorAttributes']: { rawSelector: 1, requirements: 2 },
  [P + 'LocalSubjectAccessReview']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    spec: 2,
    status: 3,
  },
  [P + 'NonResourceAttributes']: { path: 1, verb: 2 },
  [P + 'NonResourceRule']: { verbs: always(1), nonResourceURLs: 2 },
  [P + 'ResourceAttributes']: {
    namespace: 1,
    verb: 2,
    group: 3,
    version: 4,
    resource: 5,
    subresource: 6,
    name: 7,
    fieldSelector: 8,
    labelSelector: 9,
  },
  [P + 'ResourceRule']: { verbs: always(1), apiGroups: 2, resources: 3, resourceNames: 4 },
  [P + 'SelfSubjectAccessReview']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    spec: 2,
    status: 3,
  },
  [P + 'SelfSubjectAccessReviewSpec']: { resourceAttributes: 1, nonResourceAttributes: 2 },
  [P + 'SelfSubjectRulesReview']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'SelfSubjectRulesReviewSpec']: { namespace: 1 },
  [P + 'SubjectAccessReview']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'SubjectAccessReviewSpec']: {
    resourceAttributes: 1,
    nonResourceAttributes: 2,
    user: 3,
    groups: 4,
    extra: 5,
    uid: 6,
  },
  [P + 'SubjectAccessReviewStatus']: { allowed: keep(1), denied: 4, reason: 2, evaluationError: 3 },
  [P + 'SubjectRulesReviewStatus']: {
    resourceRules: always(1),
    nonResourceRules: always(2),
    incomplete: keep(3),
    evaluationError: 4,
  },
};

/**
 * Schema definitions for authorization.k8s.io/v1: SubjectAccessReview, LocalSubjectAccessReview,
 * SelfSubjectAccessReview and SelfSubjectRulesReview, all computed on create and never stored.
 */
import { META, obj, p, t } from '../schema/dsl.js';
import type { Definition, Property } from '../schema/types.js';

const AUTHZ = 'io.k8s.api.authorization.v1.';
const gvk = (kind: string) => ({ group: 'authorization.k8s.io', version: 'v1', kind });

const atomicStrings = (description: string): Property =>
  p.array(t.string, description, { listType: 'atomic' });

/** A review kind: metadata, a required spec and a server-filled status. */
function review(
  kind: string,
  description: string,
  spec: string,
  status: string,
  specText: string,
): Definition {
  return obj(
    AUTHZ + kind,
    description,
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(AUTHZ + spec, specText),
      status: p.ref(AUTHZ + status, 'The answer, filled in by the server.'),
    },
    { required: ['spec'], gvk: [gvk(kind)] },
  );
}

const accessReviews: Definition[] = [
  review(
    'SubjectAccessReview',
    'Asks whether a given user or group may perform an action.',
    'SubjectAccessReviewSpec',
    'SubjectAccessReviewStatus',
    'The user and the action to check.',
  ),
  review(
    'LocalSubjectAccessReview',
    'Asks whether a given user or group may perform an action in this namespace.',
    'SubjectAccessReviewSpec',
    'SubjectAccessReviewStatus',
    'The user and the action to check; the namespace must match the one in the URL.',
  ),
  review(
    'SelfSubjectAccessReview',
    'Asks whether the caller may perform an action.',
    'SelfSubjectAccessReviewSpec',
    'SubjectAccessReviewStatus',
    'The action to check; user and groups come from the request.',
  ),
  obj(
    AUTHZ + 'SubjectAccessReviewSpec',
    'A user and one action: set resourceAttributes or nonResourceAttributes.',
    {
      resourceAttributes: p.ref(AUTHZ + 'ResourceAttributes', 'The action, if it is on an API resource.'),
      nonResourceAttributes: p.ref(
        AUTHZ + 'NonResourceAttributes',
        'The action, if it is on a non-resource URL.',
      ),
      user: p.string('The user to check; give user, groups or both.'),
      groups: atomicStrings('The groups to check.'),
      extra: p.map(t.array(t.string), 'Other facts about the user that an authorizer may use.'),
      uid: p.string('The UID of the user.'),
    },
  ),
  obj(
    AUTHZ + 'SelfSubjectAccessReviewSpec',
    'One action of the caller: set resourceAttributes or nonResourceAttributes.',
    {
      resourceAttributes: p.ref(AUTHZ + 'ResourceAttributes', 'The action, if it is on an API resource.'),
      nonResourceAttributes: p.ref(
        AUTHZ + 'NonResourceAttributes',
        'The action, if it is on a non-resource URL.',
      ),
    },
  ),
  obj(AUTHZ + 'ResourceAttributes', 'An action on an API resource, as an authorizer sees it.', {
    namespace: p.string(
      'The namespace of the request; empty means all namespaces or a cluster-scoped resource.',
    ),
    verb: p.string('The API verb, such as get, list or delete; * means every verb.'),
    group: p.string('The API group; * means every group.'),
    version: p.string('The API version; * means every version.'),
    resource: p.string('The resource, such as pods; * means every resource.'),
    subresource: p.string('The subresource, such as log; empty means none.'),
    name: p.string('The object name; empty means every object.'),
    fieldSelector: p.ref(AUTHZ + 'FieldSelectorAttributes', 'The field selector of a list or watch request.'),
    labelSelector: p.ref(AUTHZ + 'LabelSelectorAttributes', 'The label selector of a list or watch request.'),
  }),
  obj(AUTHZ + 'FieldSelectorAttributes', 'A field selector, raw or parsed; prefer the parsed form.', {
    rawSelector: p.string('The selector as it appears in a query string.'),
    requirements: p.array(
      t.ref(META + 'FieldSelectorRequirement'),
      'The parsed requirements of the selector.',
      {
        listType: 'atomic',
      },
    ),
  }),
  obj(AUTHZ + 'LabelSelectorAttributes', 'A label selector, raw or parsed; prefer the parsed form.', {
    rawSelector: p.string('The selector as it appears in a query string.'),
    requirements: p.array(
      t.ref(META + 'LabelSelectorRequirement'),
      'The parsed requirements of the selector.',
      {
        listType: 'atomic',
      },
    ),
  }),
  obj(AUTHZ + 'NonResourceAttributes', 'An action on a URL path that is not an API resource.', {
    path: p.string('The URL path, such as /healthz.'),
    verb: p.string('The lower-case HTTP verb, such as get.'),
  }),
  obj(
    AUTHZ + 'SubjectAccessReviewStatus',
    'Whether an action is allowed.',
    {
      allowed: p.bool('True if the action is allowed.'),
      denied: p.bool('True if the action is explicitly denied; false with allowed false means no opinion.'),
      reason: p.string('Why the action was allowed or denied.'),
      evaluationError: p.string('A problem met while checking; the answer may still be usable.'),
    },
    { required: ['allowed'] },
  ),
];

const rulesReview: Definition[] = [
  review(
    'SelfSubjectRulesReview',
    'Lists what the caller may do in a namespace; the list may be incomplete and is meant for UIs, not for decisions.',
    'SelfSubjectRulesReviewSpec',
    'SubjectRulesReviewStatus',
    'The namespace to list the rules of.',
  ),
  obj(AUTHZ + 'SelfSubjectRulesReviewSpec', 'Which namespace to list rules for.', {
    namespace: p.string('The namespace to evaluate rules in.'),
  }),
  obj(
    AUTHZ + 'SubjectRulesReviewStatus',
    'The rules a subject has in a namespace.',
    {
      resourceRules: p.array(t.ref(AUTHZ + 'ResourceRule'), 'Allowed actions on API resources.', {
        listType: 'atomic',
      }),
      nonResourceRules: p.array(t.ref(AUTHZ + 'NonResourceRule'), 'Allowed actions on non-resource URLs.', {
        listType: 'atomic',
      }),
      incomplete: p.bool('True if an authorizer could not list its rules, so the lists may be missing some.'),
      evaluationError: p.string('A problem met while listing rules.'),
    },
    { required: ['resourceRules', 'nonResourceRules', 'incomplete'] },
  ),
  obj(
    AUTHZ + 'ResourceRule',
    'Actions allowed on API resources; order does not matter and entries may repeat.',
    {
      verbs: atomicStrings('The allowed verbs; * means every verb.'),
      apiGroups: atomicStrings('The API groups of the resources; * means every group.'),
      resources: atomicStrings('The resources, or resource/subresource pairs; * means every resource.'),
      resourceNames: atomicStrings('Object names the rule is limited to; empty means every object.'),
    },
    { required: ['verbs'] },
  ),
  obj(
    AUTHZ + 'NonResourceRule',
    'Actions allowed on non-resource URLs.',
    {
      verbs: atomicStrings('The allowed HTTP verbs, lower case; * means every verb.'),
      nonResourceURLs: atomicStrings('URL paths, with an optional final *; * means every path.'),
    },
    { required: ['verbs'] },
  ),
];

/** Every authorization.k8s.io/v1 definition. */
export const authorizationV1Definitions: Definition[] = [...accessReviews, ...rulesReview];

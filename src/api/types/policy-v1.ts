/**
 * Schema definitions for policy/v1: PodDisruptionBudget, and Eviction, the body of a
 * pods/eviction request.
 */
import { META, list, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const POLICY = 'io.k8s.api.policy.v1.';
const gvk = (kind: string) => ({ group: 'policy', version: 'v1', kind });

/** Every policy/v1 definition. */
export const policyV1Definitions: Definition[] = [
  obj(
    POLICY + 'PodDisruptionBudget',
    'Limits how many pods of a set may be down at once because of voluntary disruptions such as evictions.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(POLICY + 'PodDisruptionBudgetSpec', 'The pods covered and how many may be disrupted.'),
      status: p.ref(POLICY + 'PodDisruptionBudgetStatus', 'The state of the budget as last observed.'),
    },
    { gvk: [gvk('PodDisruptionBudget')] },
  ),
  list(POLICY + 'PodDisruptionBudget', gvk('PodDisruptionBudgetList')),
  obj(POLICY + 'PodDisruptionBudgetSpec', 'The pods a budget covers and the disruption it allows.', {
    minAvailable: p.intOrString(
      'Pods, as a number or a percentage, that must stay available after an eviction; excludes maxUnavailable.',
    ),
    selector: p.ref(
      META + 'LabelSelector',
      'The pods the budget covers; null selects none and an empty selector selects every pod in the namespace.',
      { patchStrategy: 'replace' },
    ),
    maxUnavailable: p.intOrString(
      'Pods, as a number or a percentage, that may be unavailable after an eviction; excludes minAvailable.',
    ),
    unhealthyPodEvictionPolicy: p.enum(
      ['IfHealthyBudget', 'AlwaysAllow'],
      'When running but not-ready pods may be evicted: IfHealthyBudget (the default) or AlwaysAllow.',
    ),
  }),
  obj(
    POLICY + 'PodDisruptionBudgetStatus',
    'The observed state of a PodDisruptionBudget.',
    {
      observedGeneration: p.int64('The metadata.generation the controller last acted on.'),
      disruptedPods: p.map(
        t.time,
        'Pods whose eviction was approved but not yet seen, with the time of approval.',
      ),
      disruptionsAllowed: p.int32('How many more pods may be disrupted right now.'),
      currentHealthy: p.int32('Covered pods that are healthy now.'),
      desiredHealthy: p.int32('The fewest healthy pods the budget asks for.'),
      expectedPods: p.int32('Covered pods counted by the budget.'),
      conditions: p.array(t.ref(META + 'Condition'), 'The latest observations, such as DisruptionAllowed.', {
        patchStrategy: 'merge',
        patchMergeKey: 'type',
        listType: 'map',
        listMapKeys: ['type'],
      }),
    },
    { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] },
  ),
  obj(
    POLICY + 'Eviction',
    'A request, posted to pods/eviction, to delete a pod only if its disruption budgets allow it.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.ref(META + 'ObjectMeta', 'Names the pod to evict.'),
      deleteOptions: p.ref(META + 'DeleteOptions', 'Options for the deletion, such as a grace period.'),
    },
    { gvk: [gvk('Eviction')] },
  ),
];

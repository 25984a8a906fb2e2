/**
 * PodDisruptionBudget facts shared by the disruption controller and the eviction subresource:
 * which pods a budget selects, scaling `minAvailable`/`maxUnavailable` percentages, pod health,
 * and the DisruptionAllowed condition (reasons SufficientPods, InsufficientPods, SyncFailed).
 */
import { rec, records, str, type JsonObject } from '../core/util.js';
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { fromLabelSelectorObject } from '../selectors/labels.js';

/** An entry of status.disruptedPods is dropped if the pod is not deleted within this long (upstream). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
/** Evictions refuse once this many are unconfirmed by the controller (upstream's MaxDisruptedPodSize). */
export const MAX_DISRUPTED_POD_SIZE = 2000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';

/** A metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The numbers of a PodDisruptionBudget's status. */
export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Condition[];
}

/** Whether a budget selects a pod: a missing selector selects nothing, `{}` everything. */
export function pdbSelects(pdb: JsonObject, podLabels: Readonly<Record<string, string>>): boolean {
  const sel = rec(pdb['spec'])?.['selector'] as LabelSelectorObject | undefined;
  try {
    return fromLabelSelectorObject(sel).matches(podLabels);
  } catch {
    return false;
  }
}

/**
 * An int-or-percent against a total (upstream's GetScaledValueFromIntOrPercent): `"50%"` of 3 is 2
 * rounded up, 1 rounded down. Throws for strings that are not percentages.
 */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const pct = Number(m[1]);
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The pod's Ready condition is True (what a budget counts as healthy). */
export function podReady(pod: JsonObject): boolean {
  return records(rec(pod['status'])?.['conditions']).some(
    ([c]) => str(c['type']) === 'Ready' && str(c['status']) === 'True',
  );
}

/** Sets a condition as apimachinery's SetStatusCondition: the transition time moves only on a status change. */
export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition[] {
  const out = conditions.map((c) => ({ ...c }));
  const cur = out.find((c) => c.type === next.type);
  if (!cur) {
    out.push({ ...next, lastTransitionTime: now });
    return out;
  }
  if (cur.status !== next.status) {
    cur.status = next.status;
    cur.lastTransitionTime = now;
  }
  cur.reason = next.reason;
  cur.message = next.message;
  if (next.observedGeneration !== undefined) cur.observedGeneration = next.observedGeneration;
  return out;
}

/** DisruptionAllowed after the numbers changed: True/SufficientPods when any disruption is allowed. */
export function updateDisruptionAllowedCondition(status: PdbStatus, now: string): void {
  const allowed = status.disruptionsAllowed > 0;
  status.conditions = setCondition(
    status.conditions ?? [],
    {
      type: DISRUPTION_ALLOWED,
      status: allowed ? 'True' : 'False',
      reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
      message: '',
      observedGeneration: status.observedGeneration,
    },
    now,
  );
}

/** Whether the DisruptionAllowed condition already says what the numbers say (upstream's ConditionsAreUpToDate). */
export function conditionsUpToDate(status: PdbStatus, generation: number): boolean {
  const cond = status.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond || (status.observedGeneration ?? 0) !== generation) return false;
  if (status.disruptionsAllowed > 0) return cond.status === 'True' && cond.reason === SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}

/** A budget's status as stored, with the numbers defaulting to 0. */
export function pdbStatusOf(pdb: JsonObject): PdbStatus {
  const s = rec(pdb['status']) ?? {};
  const n = (k: string): number => (typeof s[k] === 'number' ? s[k] : 0);
  const disrupted = rec(s['disruptedPods']);
  return {
    ...(typeof s['observedGeneration'] === 'number' ? { observedGeneration: s['observedGeneration'] } : {}),
    ...(disrupted
      ? { disruptedPods: Object.fromEntries(Object.entries(disrupted).map(([k, v]) => [k, str(v)])) }
      : {}),
    disruptionsAllowed: n('disruptionsAllowed'),
    currentHealthy: n('currentHealthy'),
    desiredHealthy: n('desiredHealthy'),
    expectedPods: n('expectedPods'),
    ...(Array.isArray(s['conditions']) ? { conditions: s['conditions'] as Condition[] } : {}),
  };
}

/** Go's rendering of a *metav1.LabelSelector (`&LabelSelector{MatchLabels:map[string]string{app: web,},…}`), for event text. */
export function goLabelSelector(sel: unknown): string {
  const s = rec(sel);
  if (!s) return '<nil>';
  const labels = Object.entries(rec(s['matchLabels']) ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${str(v)},`)
    .join('');
  const exprs = records(s['matchExpressions'])
    .map(
      ([e]) =>
        `LabelSelectorRequirement{Key:${str(e['key'])},Operator:${str(e['operator'])},Values:[${(Array.isArray(e['values']) ? e['values'] : []).join(' ')}],},`,
    )
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

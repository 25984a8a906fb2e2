/**
 * scheduling.k8s.io/v1 PriorityClass defaulting: preemptionPolicy PreemptLowerPriority.
 */
import type { KubeObject } from '../meta.js';

/** Applies the PriorityClass defaults in place. */
export function defaultPriorityClass(obj: KubeObject): void {
  if (obj['preemptionPolicy'] === undefined || obj['preemptionPolicy'] === null)
    obj['preemptionPolicy'] = 'PreemptLowerPriority';
}

/**
 * Finding a Service's pods and a pod's Services without scanning a namespace: pods are indexed by
 * each of their labels and Services by each term of their selector (`ns/key=value`), so a lookup
 * starts from the smallest candidate list and checks only those. With 1,000 Services over 10,000
 * pods in one namespace this is what keeps a full resync and a pod event cheap.
 */
import type { Informer } from '../../client/types.js';
import { ensureIndex } from '../framework/indexes.js';
import { selectorOf, selects, type PodObject, type ServiceObject } from './podutil.js';

/** Index of pods by `ns/key=value` of each label. */
export const PODS_BY_LABEL = 'pod-label-term';
/** Index of Services by `ns/key=value` of each selector term. */
export const SERVICES_BY_SELECTOR = 'service-selector-term';

function terms(ns: string, labels: Record<string, string> | undefined): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => `${ns}/${k}=${v}`);
}

/** Adds {@link PODS_BY_LABEL} to the pod informer. */
export function indexPodsByLabel(pods: Informer<PodObject>): void {
  ensureIndex(pods, PODS_BY_LABEL, (p) => terms(p.metadata.namespace ?? '', p.metadata.labels));
}

/** Adds {@link SERVICES_BY_SELECTOR} to the Service informer. */
export function indexServicesBySelector(services: Informer<ServiceObject>): void {
  ensureIndex(services, SERVICES_BY_SELECTOR, (s) => terms(s.metadata.namespace ?? '', selectorOf(s)));
}

/** The pods of the Service's namespace its selector matches (none without a selector). */
export function selectedPods(pods: Informer<PodObject>, svc: ServiceObject): PodObject[] {
  const sel = selectorOf(svc);
  if (!sel) return [];
  let best: PodObject[] | undefined;
  for (const term of terms(svc.metadata.namespace ?? '', sel)) {
    const candidates = pods.byIndex(PODS_BY_LABEL, term);
    if (!best || candidates.length < best.length) best = candidates;
    if (best.length === 0) return [];
  }
  return (best ?? []).filter((p) => selects(sel, p.metadata.labels));
}

/** The Services whose selector matches any of `pods` (all in one namespace). */
export function servicesSelecting(services: Informer<ServiceObject>, ...pods: PodObject[]): ServiceObject[] {
  const found = new Map<string, ServiceObject>();
  for (const pod of pods) {
    for (const term of terms(pod.metadata.namespace ?? '', pod.metadata.labels)) {
      for (const svc of services.byIndex(SERVICES_BY_SELECTOR, term)) {
        const key = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
        if (found.has(key)) continue;
        const sel = selectorOf(svc);
        if (sel && selects(sel, pod.metadata.labels)) found.set(key, svc);
      }
    }
  }
  return [...found.values()];
}

/**
 * What workload controllers share about pods: building one from a template with a controller
 * reference, reading the controller of an object, and the pod states controllers count (active,
 * ready, available).
 */
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ApiObject } from '../../client/types.js';

/** The owner of a controlled object, as the controller reference names it. */
export interface OwnerInfo {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; uid?: string; namespace?: string };
}

/** The ownerReference a controller puts on what it creates (controller and blockOwnerDeletion set). */
export function controllerRef(owner: OwnerInfo): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The ownerReference with `controller: true`, if any. */
export function controllerOf(obj: {
  metadata?: { ownerReferences?: readonly OwnerReference[] };
}): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * A pod for `owner` from its template: the template's labels, annotations, finalizers and spec,
 * `generateName` `<prefix>` (upstream: the owner's name and a dash), and the controller reference.
 * The template is deep-copied; extra labels (pod-template-hash, controller-revision-hash) are added.
 */
export function podFromTemplate(
  template: PodTemplateSpec,
  owner: OwnerInfo,
  opts: { generateName?: string; name?: string; labels?: Record<string, string> } = {},
): Pod & ApiObject {
  const t = structuredClone(template);
  const meta = t.metadata ?? {};
  const pod: Pod & ApiObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(opts.name
        ? { name: opts.name }
        : { generateName: opts.generateName ?? `${owner.metadata.name ?? ''}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...(opts.labels ?? {}) },
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: t.spec ?? { containers: [] },
  };
  return pod;
}

/** Not terminated and not being deleted: a pod that counts towards replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** The Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready for at least `minReadySeconds` at `now` (upstream's IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  if (!ready) return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now.getTime();
}

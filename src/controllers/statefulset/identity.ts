/**
 * The identity of a StatefulSet's pods: name `<set>-<ordinal>`, hostname and subdomain (the
 * governing Service), the pod-name and pod-index labels, and the volumes of its claims
 * (`<template>-<set>-<ordinal>`).
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../client/types.js';
import { podFromTemplate } from '../framework/pods.js';
import { POD_REVISION_LABEL } from '../history/revision.js';

/** A StatefulSet as the client returns it. */
export type Sts = StatefulSet & ApiObject;
/** A Pod as the client returns it. */
export type StsPod = Pod & ApiObject;
/** A PersistentVolumeClaim as the client returns it. */
export type Claim = PersistentVolumeClaim & ApiObject;

/** Label with the pod's own name (selects one pod of the set, e.g. for a per-pod Service). */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** Label with the pod's ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** The parent name and ordinal encoded in a pod name (`web-2` → web, 2); ordinal -1 when there is none. */
export function parentAndOrdinal(podName: string): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(podName);
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1] ?? '', ordinal: Number.isSafeInteger(n) && n <= MAX_INT32 ? n : -1 };
}

/** The ordinal of a pod, -1 when its name has none. */
export function ordinalOf(pod: { metadata?: { name?: string } }): number {
  return parentAndOrdinal(pod.metadata?.name ?? '').ordinal;
}

/** `<set>-<ordinal>`. */
export function podName(set: Sts, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

/** The first ordinal (spec.ordinals.start, default 0). */
export function startOrdinal(set: Sts): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** spec.replicas (default 1). */
export function replicasOf(set: Sts): number {
  return set.spec?.replicas ?? 1;
}

/** The last ordinal the set should run (start + replicas - 1). */
export function endOrdinal(set: Sts): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

/** True when the pod's ordinal is one the set currently wants. */
export function inOrdinalRange(pod: StsPod, set: Sts): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

/** True when the pod's name says it belongs to the set (`<set>-<n>`). */
export function isMemberOf(set: Sts, pod: StsPod): boolean {
  return parentAndOrdinal(pod.metadata.name ?? '').parent === set.metadata.name;
}

/** The name of the claim of `template` for the pod with `ordinal`. */
export function claimName(set: Sts, templateName: string, ordinal: number): string {
  return `${templateName}-${set.metadata.name ?? ''}-${ordinal}`;
}

/** The claims the pod with `ordinal` should have, by template name, in template order. */
export function claimsFor(set: Sts, ordinal: number): { template: string; claim: Claim }[] {
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const c = structuredClone(t);
    const templateName = t.metadata?.name ?? '';
    const claim: Claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, templateName, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(c.metadata?.labels ?? {}), ...selectorLabels },
        ...(c.metadata?.annotations ? { annotations: c.metadata.annotations } : {}),
      },
      spec: c.spec ?? {},
    };
    return { template: templateName, claim };
  });
}

/** True when the pod's name, namespace and identity labels fit the set. */
export function identityMatches(set: Sts, pod: StsPod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata.name ?? '');
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name &&
    pod.metadata.labels?.[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** True when the pod mounts every claim the set's templates call for. */
export function storageMatches(set: Sts, pod: StsPod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return claimsFor(set, ordinal).every(
    ({ template, claim }) => volumes.get(template)?.persistentVolumeClaim?.claimName === claim.metadata.name,
  );
}

/** Sets the pod-name and pod-index labels (and the namespace) from the pod's name. */
export function updateIdentity(set: Sts, pod: StsPod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = {
    ...(pod.metadata.labels ?? {}),
    [POD_NAME_LABEL]: pod.metadata.name ?? '',
    [POD_INDEX_LABEL]: String(ordinal),
  };
}

/** Points the pod's volumes named after claim templates at the pod's claims (other volumes are kept). */
export function updateStorage(set: Sts, pod: StsPod): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const names = new Set(claims.map((c) => c.template));
  const spec = (pod.spec ??= { containers: [] });
  const volumes: Volume[] = claims.map(({ template, claim }) => ({
    name: template,
    persistentVolumeClaim: { claimName: claim.metadata.name ?? '' },
  }));
  for (const v of spec.volumes ?? []) if (!names.has(v.name)) volumes.push(v);
  spec.volumes = volumes;
}

/** The revision a pod was made from (its controller-revision-hash label). */
export function podRevision(pod: { metadata?: { labels?: Record<string, string> } }): string {
  return pod.metadata?.labels?.[POD_REVISION_LABEL] ?? '';
}

/** A new pod of `set` (with the template of `set`) for `ordinal`, labelled with `revision`. */
export function newStatefulPod(set: Sts, ordinal: number, revision: string): StsPod {
  const pod = podFromTemplate(
    set.spec?.template ?? { spec: { containers: [] } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata },
    { name: podName(set, ordinal), labels: { [POD_REVISION_LABEL]: revision } },
  );
  updateIdentity(set, pod);
  const spec = (pod.spec ??= { containers: [] });
  spec.hostname = pod.metadata.name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/** Pod states the controller tells apart (upstream's helpers). */
export const phase = {
  created: (p: Pod): boolean => Boolean(p.status?.phase),
  pending: (p: Pod): boolean => p.status?.phase === 'Pending',
  failed: (p: Pod): boolean => p.status?.phase === 'Failed',
  succeeded: (p: Pod): boolean => p.status?.phase === 'Succeeded',
  terminating: (p: Pod): boolean => Boolean(p.metadata?.deletionTimestamp),
};

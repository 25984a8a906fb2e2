/**
 * How many pods a budget expects and how many must be healthy. `minAvailable` as an integer counts
 * the selected pods; a percentage, or any `maxUnavailable`, needs the scale of the pods'
 * controllers: the sum of `spec.replicas` over the distinct ReplicaSets (or their Deployment),
 * StatefulSets and ReplicationControllers that own them. Pods without a controller are reported
 * (they cannot be counted); a pod whose controller has no scale is an error.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { parseApiVersion } from '../../api/meta.js';
import { scaledValue } from '../../api/policy/pdb.js';
import { num, rec } from '../../api/core/util.js';
import type { ApiObject } from '../../client/types.js';
import { controllerOf } from '../framework/pods.js';
import type { PodLike } from './status.js';

/** A controller found for a pod: its uid and desired replicas. */
export interface ControllerScale {
  uid: string;
  replicas: number;
}

/** Looks a pod's controller up; undefined when this finder does not know it. May throw. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

/** The caches the built-in finders read. */
export interface ScaleSources {
  replicaSet(key: string): ApiObject | undefined;
  deployment(key: string): ApiObject | undefined;
  statefulSet(key: string): ApiObject | undefined;
  replicationController(key: string): ApiObject | undefined;
}

function groupOf(ref: OwnerReference): string | undefined {
  return parseApiVersion(ref.apiVersion)?.group;
}

function isKind(ref: OwnerReference, kind: string, groups: readonly string[]): boolean {
  const group = groupOf(ref);
  return ref.kind === kind && group !== undefined && groups.includes(group);
}

function replicasOf(obj: ApiObject): number {
  return num(rec(obj['spec'])?.['replicas']) ?? 1;
}

function owned(obj: ApiObject | undefined, ref: OwnerReference): obj is ApiObject {
  return obj !== undefined && obj.metadata.uid === ref.uid;
}

/** Upstream's finders, in order: ReplicaSet (not Deployment-owned), Deployment, RC, StatefulSet. */
export function builtinFinders(src: ScaleSources): ScaleFinder[] {
  const apps = ['apps', 'extensions'];
  return [
    (ref, ns) => {
      if (!isKind(ref, 'ReplicaSet', apps)) return Promise.resolve(undefined);
      const rs = src.replicaSet(`${ns}/${ref.name}`);
      if (!owned(rs, ref)) return Promise.resolve(undefined);
      const parent = controllerOf(rs);
      if (parent?.kind === 'Deployment') return Promise.resolve(undefined);
      return Promise.resolve({ uid: rs.metadata.uid ?? '', replicas: replicasOf(rs) });
    },
    (ref, ns) => {
      if (!isKind(ref, 'ReplicaSet', apps)) return Promise.resolve(undefined);
      const rs = src.replicaSet(`${ns}/${ref.name}`);
      if (!owned(rs, ref)) return Promise.resolve(undefined);
      const parent = controllerOf(rs);
      if (!parent || !isKind(parent, 'Deployment', apps)) return Promise.resolve(undefined);
      const d = src.deployment(`${ns}/${parent.name}`);
      if (!owned(d, parent)) return Promise.resolve(undefined);
      return Promise.resolve({ uid: d.metadata.uid ?? '', replicas: replicasOf(d) });
    },
    (ref, ns) => {
      if (!isKind(ref, 'ReplicationController', [''])) return Promise.resolve(undefined);
      const rc = src.replicationController(`${ns}/${ref.name}`);
      if (!owned(rc, ref)) return Promise.resolve(undefined);
      return Promise.resolve({ uid: rc.metadata.uid ?? '', replicas: replicasOf(rc) });
    },
    (ref, ns) => {
      if (!isKind(ref, 'StatefulSet', ['apps'])) return Promise.resolve(undefined);
      const ss = src.statefulSet(`${ns}/${ref.name}`);
      if (!owned(ss, ref)) return Promise.resolve(undefined);
      return Promise.resolve({ uid: ss.metadata.uid ?? '', replicas: replicasOf(ss) });
    },
  ];
}

/** Sum of the scales of the selected pods' controllers, and the pods that have none. */
export async function expectedScale(
  pods: readonly PodLike[],
  finders: readonly ScaleFinder[],
): Promise<{ expected: number; unmanaged: string[] }> {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    let found: ControllerScale | undefined;
    for (const finder of finders) {
      found = await finder(ref, pod.metadata.namespace ?? '');
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name ?? '')}`);
    scales.set(found.uid, found.replicas);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}

/** Upstream's getExpectedPodCount. */
export async function expectedPodCount(
  spec: { minAvailable?: number | string; maxUnavailable?: number | string },
  pods: readonly PodLike[],
  finders: readonly ScaleFinder[],
): Promise<{ expectedCount: number; desiredHealthy: number; unmanaged: string[] }> {
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expected, unmanaged } = await expectedScale(pods, finders);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expected, true);
    return { expectedCount: expected, desiredHealthy: Math.max(0, expected - maxUnavailable), unmanaged };
  }
  if (typeof spec.minAvailable === 'number') {
    return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanaged: [] };
  }
  if (typeof spec.minAvailable === 'string') {
    const { expected, unmanaged } = await expectedScale(pods, finders);
    return {
      expectedCount: expected,
      desiredHealthy: scaledValue(spec.minAvailable, expected, true),
      unmanaged,
    };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanaged: [] };
}

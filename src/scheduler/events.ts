/**
 * Classifies informer updates into cluster events (which part of a node or pod changed), so only
 * the unschedulable pods such a change may help are retried.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../api/core/util.js';
import { ACTION, type ClusterEvent, type EventResource } from './queue.js';

const made = new Map<string, ClusterEvent>();

/** An event for `resource` with `action` bits (shared, immutable objects). */
export function clusterEvent(resource: EventResource, action: number): ClusterEvent {
  const key = `${resource}/${action}`;
  let e = made.get(key);
  if (!e) made.set(key, (e = Object.freeze(makeEvent(resource, action))));
  return e;
}

function makeEvent(resource: EventResource, action: number): ClusterEvent {
  const names = Object.entries(ACTION)
    .filter(([, bit]) => (action & bit) !== 0)
    .map(([n]) => n);
  return { resource, action, label: `${resource}${names.join('|')}` };
}

/** The update bits of a node change (0 when nothing the scheduler reads changed). */
export function nodeUpdateActions(oldNode: Node, newNode: Node): number {
  let a = 0;
  if (!deepEqual(oldNode.status?.allocatable, newNode.status?.allocatable)) a |= ACTION.UpdateNodeAllocatable;
  if (!deepEqual(oldNode.metadata?.labels, newNode.metadata?.labels)) a |= ACTION.UpdateNodeLabel;
  if (
    !deepEqual(oldNode.spec?.taints, newNode.spec?.taints) ||
    (oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false)
  )
    a |= ACTION.UpdateNodeTaint;
  const cond = (n: Node): string =>
    (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',');
  if (cond(oldNode) !== cond(newNode)) a |= ACTION.UpdateNodeCondition;
  if (!deepEqual(oldNode.metadata?.annotations, newNode.metadata?.annotations))
    a |= ACTION.UpdateNodeAnnotation;
  return a;
}

/** Whether the images a node reports changed (ImageLocality reads them; no pod waits on it). */
export function nodeImagesChanged(oldNode: Node, newNode: Node): boolean {
  return !deepEqual(oldNode.status?.images, newNode.status?.images);
}

/** The update bits of a pod change that matter to scheduling (labels, requests, tolerations, gates). */
export function podUpdateActions(oldPod: Pod, newPod: Pod): number {
  let a = 0;
  if (!deepEqual(oldPod.metadata?.labels, newPod.metadata?.labels)) a |= ACTION.UpdatePodLabel;
  if (!deepEqual(oldPod.spec?.tolerations, newPod.spec?.tolerations)) a |= ACTION.UpdatePodToleration;
  if ((oldPod.spec?.schedulingGates?.length ?? 0) > 0 && (newPod.spec?.schedulingGates?.length ?? 0) === 0)
    a |= ACTION.UpdatePodSchedulingGatesEliminated;
  if (!deepEqual(oldPod.spec?.containers, newPod.spec?.containers))
    a |= ACTION.UpdatePodScaleDown | ACTION.Update;
  if (a === 0 && !deepEqual(oldPod.spec, newPod.spec)) a |= ACTION.Update;
  return a;
}

/** Terminal pods hold no resources: the scheduler drops them from its cache. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

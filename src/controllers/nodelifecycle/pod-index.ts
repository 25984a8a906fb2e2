/** The pods of one node, from the shared pod informer (an index on spec.nodeName). */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject, Informer } from '../../client/types.js';

/** A Pod as the client returns it. */
export type PodObject = Pod & ApiObject;

export const POD_NODE_INDEX = 'spec.nodeName';

/**
 * Adds the spec.nodeName index to the shared pod informer unless another controller already did (the
 * index is the same whoever adds it).
 */
export function ensurePodNodeIndex(pods: Informer<PodObject>): void {
  try {
    pods.addIndex(POD_NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('already exists'))) throw err;
  }
}

/** The pods bound to `nodeName` (cached objects: never mutate them). */
export function podsOnNode(pods: Informer<PodObject>, nodeName: string): PodObject[] {
  return pods.byIndex(POD_NODE_INDEX, nodeName);
}

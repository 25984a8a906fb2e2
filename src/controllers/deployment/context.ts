/**
 * What the Deployment sync functions share: the client, caches, clock, events, and the writes they
 * all make (Deployment status, ReplicaSet scale) with upstream's event wording.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import type { EventRecorder, EventTarget } from '../../client/events.js';
import { DEPLOYMENTS, REPLICASETS } from '../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../../util/time.js';
import {
  maxSurge,
  replicasOf,
  setReplicasAnnotations,
  type DeploymentObject,
  type ReplicaSetObject,
} from './util.js';

/** A Pod as cached. */
export type PodObject = Pod & ApiObject;

/** Dependencies of a Deployment sync. */
export interface DeploymentDeps {
  client: Client;
  clock: Clock;
  log: Logger;
  recorder: EventRecorder;
  deployments: Informer<DeploymentObject>;
  replicaSets: Informer<ReplicaSetObject>;
  pods: Informer<PodObject>;
  /** Syncs `key` again after `ms`. */
  requeueAfter(key: string, ms: number): void;
}

/** The event target of a Deployment. */
export function deploymentTarget(d: DeploymentObject): EventTarget {
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    namespace: d.metadata.namespace,
    name: d.metadata.name ?? '',
    uid: d.metadata.uid,
    resourceVersion: d.metadata.resourceVersion,
  };
}

/** Records an event on the Deployment (best effort, not awaited). */
export function event(
  deps: DeploymentDeps,
  d: DeploymentObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): void {
  void deps.recorder.record(deploymentTarget(d), type, reason, message);
}

/**
 * Writes `d.status` and `d`'s annotations through the status subresource; `d` (a private copy) takes
 * the stored metadata and status, so later writes of the same sync do not conflict.
 */
export async function writeStatus(deps: DeploymentDeps, d: DeploymentObject): Promise<void> {
  const copy = structuredClone(d);
  if (copy.status) copy.status = omitZeroCounts(copy.status);
  let stored: DeploymentObject;
  try {
    stored = await deps.client
      .resource<DeploymentObject>(DEPLOYMENTS, d.metadata.namespace)
      .updateStatus(copy);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return; // deleted meanwhile: nothing to report
    throw err;
  }
  d.metadata = stored.metadata;
  if (stored.status) d.status = stored.status;
}

const COUNTS = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'terminatingReplicas',
] as const;

/** The status without zero counts, as upstream serialises it (those fields are omitempty). */
export function omitZeroCounts(
  status: NonNullable<DeploymentObject['status']>,
): NonNullable<DeploymentObject['status']> {
  const out: Record<string, unknown> = { ...status };
  for (const k of COUNTS) if (out[k] === 0) delete out[k];
  return out as NonNullable<DeploymentObject['status']>;
}

/**
 * Scales `rs` to `newScale` (and refreshes its desired/max-replicas annotations); records
 * ScalingReplicaSet when the size changed. Returns the stored ReplicaSet.
 */
export async function scaleReplicaSet(
  deps: DeploymentDeps,
  rs: ReplicaSetObject,
  newScale: number,
  d: DeploymentObject,
): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
  const oldScale = replicasOf(rs);
  const sizeChanged = oldScale !== newScale;
  const copy = structuredClone(rs);
  const annotationsChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
  if (!sizeChanged && !annotationsChanged) return { scaled: false, rs };
  copy.spec = { ...(copy.spec ?? { selector: {} }), replicas: newScale };
  const stored = await deps.client
    .resource<ReplicaSetObject>(REPLICASETS, rs.metadata.namespace)
    .update(copy);
  if (sizeChanged) {
    const op = oldScale < newScale ? 'up' : 'down';
    event(
      deps,
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${op} replica set ${rs.metadata.name ?? ''} from ${oldScale} to ${newScale}`,
    );
  }
  return { scaled: sizeChanged, rs: stored };
}

/** Scales `rs` unless it already has `newScale` replicas. */
export async function scaleIfNeeded(
  deps: DeploymentDeps,
  rs: ReplicaSetObject,
  newScale: number,
  d: DeploymentObject,
): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(deps, rs, newScale, d);
}

/**
 * DaemonSet status: per node that should run the daemon, whether its oldest daemon pod exists, is
 * ready, available and up to date; pods on nodes that should not run it are misscheduled.
 */
import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { ApiError } from '../../api/errors.js';
import { DAEMONSETS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { isPodAvailable, isPodReady } from '../framework/pods.js';
import { nodeShouldRunDaemonPod, type Ds, type DsNode, type DsPod } from './eligibility.js';
import { byScheduledThenAge, isPodUpdated, templateGeneration } from './pods.js';

/** The counts of a DaemonSet's status. */
export interface DsCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/** Counts the status from the nodes and the daemon pods by node. */
export function computeStatus(
  ds: Ds,
  nodes: readonly DsNode[],
  nodeToPods: Map<string, DsPod[]>,
  hash: string,
  now: Date,
): DsCounts {
  const c: DsCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  const gen = templateGeneration(ds);
  for (const node of nodes) {
    const pods = nodeToPods.get(node.metadata.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(byScheduledThenAge)[0] as DsPod;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, gen)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

const FIELDS: (keyof DsCounts)[] = [
  'desiredNumberScheduled',
  'currentNumberScheduled',
  'numberMisscheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
];

/** The status as stored: optional counts that are zero are left out, as Go's encoder does. */
function wire(
  old: DaemonSetStatus | undefined,
  c: DsCounts,
  observedGeneration: number | undefined,
): DaemonSetStatus {
  const out: DaemonSetStatus = {
    currentNumberScheduled: c.currentNumberScheduled,
    numberMisscheduled: c.numberMisscheduled,
    desiredNumberScheduled: c.desiredNumberScheduled,
    numberReady: c.numberReady,
  };
  if (observedGeneration) out.observedGeneration = observedGeneration;
  if (c.updatedNumberScheduled) out.updatedNumberScheduled = c.updatedNumberScheduled;
  if (c.numberAvailable) out.numberAvailable = c.numberAvailable;
  if (c.numberUnavailable) out.numberUnavailable = c.numberUnavailable;
  if (old?.collisionCount !== undefined) out.collisionCount = old.collisionCount;
  if (old?.conditions?.length) out.conditions = old.conditions;
  return out;
}

/**
 * Writes the counts (and, when `observed`, observedGeneration) unless the stored status already says
 * so; a conflict is retried once on a fresh copy.
 */
export async function storeStatus(client: Client, ds: Ds, c: DsCounts, observed: boolean): Promise<void> {
  const old = ds.status;
  const same =
    FIELDS.every((f) => (old?.[f] ?? 0) === c[f]) &&
    (old?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0);
  if (same) return;
  const api = client.resource<Ds>(DAEMONSETS, ds.metadata.namespace);
  let target = structuredClone(ds);
  for (let attempt = 0; ; attempt++) {
    const gen = observed ? ds.metadata.generation : target.status?.observedGeneration;
    Object.assign(target, { status: wire(target.status, c, gen) });
    try {
      await api.updateStatus(target);
      return;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409) || attempt >= 1) throw err;
      target = await api.get(ds.metadata.name ?? '');
    }
  }
}

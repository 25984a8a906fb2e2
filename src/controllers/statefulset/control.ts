/**
 * One pass of the StatefulSet algorithm over a set's pods: create missing ordinals (one at a time,
 * each after its predecessors are Running and Ready, unless podManagementPolicy is Parallel),
 * replace failed pods, delete ordinals beyond the replica count from the highest down, then roll
 * pods at or above the partition to the update revision from the highest ordinal down.
 */
import type { EventRecorder } from '../../client/events.js';
import type { Clock } from '../../util/time.js';
import type { Revision } from '../history/revision.js';
import { setTarget } from './events.js';
import {
  identityMatches,
  inOrdinalRange,
  newStatefulPod,
  ordinalOf,
  phase,
  podRevision,
  replicasOf,
  startOrdinal,
  storageMatches,
  type Sts,
  type StsPod,
} from './identity.js';
import type { StatefulPodControl } from './podcontrol.js';
import { applyRevision } from './revisions.js';
import {
  countReplicas,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  type SetStatus,
} from './status.js';

/** What a pass needs besides the set. */
export interface ControlDeps {
  pods: StatefulPodControl;
  recorder: EventRecorder;
  clock: Clock;
}

/** The outcome of a pass: the status to store, and the error that cut it short, if any. */
export interface PassResult {
  status: SetStatus;
  error?: unknown;
}

/**
 * The pod for `ordinal` at the right revision: below the partition (or, with no rollingUpdate, below
 * status.currentReplicas) the current revision, otherwise the update revision.
 */
export function newVersionedPod(
  currentSet: Sts,
  updateSet: Sts,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
): StsPod {
  const strategy = currentSet.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const start = startOrdinal(currentSet);
  const partition = strategy?.rollingUpdate?.partition;
  const atCurrent =
    (rolling &&
      strategy?.rollingUpdate === undefined &&
      ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (strategy?.rollingUpdate !== undefined && ordinal < start + (partition ?? 0));
  return atCurrent
    ? newStatefulPod(currentSet, ordinal, currentRevision)
    : newStatefulPod(updateSet, ordinal, updateRevision);
}

/**
 * Runs `fn` over the indexes: one after another, stopping when one says so, in ordered mode; in
 * batches of 1, 2, 4… stopping after a batch with a failure, in parallel mode.
 */
async function runForAll(
  count: number,
  fn: (i: number) => Promise<boolean>,
  monotonic: boolean,
): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await fn(i)) return true;
    return false;
  }
  let pos = 0;
  for (let batch = 1; pos < count; batch *= 2) {
    const size = Math.min(batch, count - pos);
    const results = await Promise.allSettled(Array.from({ length: size }, (_, k) => fn(pos + k)));
    pos += size;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return false;
}

/** One pass over `set` with its claimed `pods`. */
export async function updateStatefulSet(
  deps: ControlDeps,
  set: Sts,
  current: Revision,
  update: Revision,
  collisionCount: number,
  pods: readonly StsPod[],
): Promise<PassResult> {
  const now = deps.clock.now();
  const minReady = set.spec?.minReadySeconds ?? 0;
  const currentName = current.metadata.name ?? '';
  const updateName = update.metadata.name ?? '';
  const currentSet = applyRevision(set, current);
  const updateSet = applyRevision(set, update);

  const status: SetStatus = {
    observedGeneration: set.metadata.generation,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    ...(set.status?.conditions ? { conditions: set.status.conditions } : {}),
  };
  countReplicas(status, pods, minReady, currentName, updateName, now);

  const start = startOrdinal(set);
  const replicas: StsPod[] = [];
  const condemned: StsPod[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  const count = replicasOf(set);
  for (let i = 0; i < count; i++) {
    replicas[i] ??= newVersionedPod(currentSet, updateSet, currentName, updateName, i + start);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  let firstUnhealthy: StsPod | undefined;
  for (let i = 0; i < count && !firstUnhealthy; i++)
    if (!isHealthy(replicas[i] as StsPod)) firstUnhealthy = replicas[i];
  for (let i = condemned.length - 1; i >= 0 && !firstUnhealthy; i--)
    if (!isHealthy(condemned[i] as StsPod)) firstUnhealthy = condemned[i];

  const recount = (): void =>
    countReplicas(status, [...replicas, ...condemned], minReady, currentName, updateName, now);

  if (set.metadata.deletionTimestamp) return { status };

  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const target = setTarget(set);

  const processReplica = async (i: number): Promise<boolean> => {
    let pod = replicas[i] as StsPod;
    if (phase.failed(pod) || phase.succeeded(pod)) {
      const failed = phase.failed(pod);
      void deps.recorder.record(
        target,
        failed ? 'Warning' : 'Normal',
        failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod',
        `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating ${failed ? 'failed' : 'terminated'} Pod ${pod.metadata.name}`,
      );
      await deps.pods.deletePod(set, pod);
      pod = replicas[i] = newVersionedPod(currentSet, updateSet, currentName, updateName, i + start);
    }
    if (!phase.created(pod)) {
      if (deps.pods.claimIsStale(set, pod)) return true;
      const created = await deps.pods.createPod(set, pod);
      if (monotonic || !created) return true;
    }
    if (phase.pending(pod)) await deps.pods.createClaims(set, pod);
    if (monotonic) {
      if (phase.terminating(pod)) return true;
      if (!isRunningAndReady(pod)) return true;
      if (!isRunningAndAvailable(pod, minReady, now)) return true;
    }
    if (!phase.created(pod)) return false;
    const retentionOk = deps.pods.claimsMatchRetention(updateSet, pod);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionOk) return false;
    await deps.pods.updatePod(updateSet, pod);
    return false;
  };

  const fixClaims = async (i: number): Promise<boolean> => {
    const pod = condemned[i] as StsPod;
    if (!deps.pods.claimsMatchRetention(updateSet, pod))
      await deps.pods.updateClaimsForRetention(updateSet, pod);
    return false;
  };

  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i] as StsPod;
    if (phase.terminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy) {
      if (!isRunningAndReady(pod)) return true;
      if (!isRunningAndAvailable(pod, minReady, now)) return true;
    }
    await deps.pods.deletePod(set, pod);
    return true;
  };

  try {
    if (await runForAll(replicas.length, processReplica, monotonic)) {
      recount();
      return { status };
    }
    if (await runForAll(condemned.length, fixClaims, monotonic)) {
      recount();
      return { status };
    }
    if (await runForAll(condemned.length, processCondemned, monotonic)) {
      recount();
      return { status };
    }
  } catch (error) {
    recount();
    return { status, error };
  }
  recount();

  if (set.spec?.updateStrategy?.type === 'OnDelete') return { status };

  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let t = replicas.length - 1; t >= updateMin; t--) {
    const pod = replicas[t] as StsPod;
    if (podRevision(pod) !== updateName && !phase.terminating(pod)) {
      try {
        await deps.pods.deletePod(set, pod);
      } catch (error) {
        return { status, error };
      }
      status.currentReplicas--;
      return { status };
    }
    if (!isHealthy(pod)) return { status };
  }
  return { status };
}

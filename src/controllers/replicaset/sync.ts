/**
 * One ReplicaSet sync: claim the active pods (adopt matching orphans, release pods that no longer
 * match), create or delete pods towards `spec.replicas` unless earlier creates/deletes are still
 * unobserved (expectations), then write the status.
 */
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import type { EventRecorder, EventTarget } from '../../client/events.js';
import { PODS, REPLICASETS } from '../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../../util/time.js';
import { claimObjects, recheckOwner } from '../framework/claim.js';
import type { Expectations } from '../framework/expectations.js';
import { BY_CONTROLLER, ownedAndOrphans } from '../framework/indexes.js';
import { controllerOf, isPodActive, podFromTemplate } from '../framework/pods.js';
import { podsToDelete } from './rank.js';
import { slowStartBatch } from './slowstart.js';
import { calculateStatus, errorMessage, nextAvailableInMs, omitZeroCounts, statusChanged } from './status.js';

/** A ReplicaSet as cached. */
export type ReplicaSetObject = ReplicaSet & ApiObject;
/** A Pod as cached. */
export type PodObject = Pod & ApiObject;

/** Upstream's burstReplicas: at most this many pods are created or deleted in one sync. */
export const BURST_REPLICAS = 500;

/** What a sync needs. */
export interface ReplicaSetSyncDeps {
  client: Client;
  clock: Clock;
  log: Logger;
  recorder: EventRecorder;
  replicaSets: Informer<ReplicaSetObject>;
  pods: Informer<PodObject>;
  expectations: Expectations;
  burstReplicas: number;
  /** Requeues `key` after `ms` (minReadySeconds). */
  requeueAfter(key: string, ms: number): void;
}

/** True for an error the API server gives for a create in a namespace being deleted. */
export function namespaceTerminating(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}

function targetOf(rs: ReplicaSetObject): EventTarget {
  return {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    namespace: rs.metadata.namespace,
    name: rs.metadata.name ?? '',
    uid: rs.metadata.uid,
    resourceVersion: rs.metadata.resourceVersion,
  };
}

function notFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/** Syncs ReplicaSets by key. */
export class ReplicaSetSyncer {
  constructor(private readonly d: ReplicaSetSyncDeps) {}

  /** Reconciles the ReplicaSet `namespace/name`. Rejects to be retried with backoff. */
  async sync(key: string): Promise<void> {
    const d = this.d;
    const rs = d.replicaSets.get(key);
    if (!rs) {
      d.expectations.delete(key);
      return;
    }
    const needsSync = d.expectations.satisfied(key);
    const ns = rs.metadata.namespace ?? '';
    const name = rs.metadata.name ?? '';
    let selector;
    try {
      selector = fromLabelSelectorObject(rs.spec?.selector);
    } catch (err) {
      d.log.warn({ err, replicaSet: key }, 'invalid selector; not syncing');
      return;
    }
    const candidates = ownedAndOrphans(d.pods, rs.metadata.uid ?? '', ns).filter(isPodActive);
    const rsClient = d.client.resource<ReplicaSetObject>(REPLICASETS, ns);
    const pods = await claimObjects(
      {
        owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata },
        client: d.client.resource<PodObject>(PODS, ns),
        matches: (p) => selector.matches(p.metadata.labels),
        canAdopt: recheckOwner(() => rsClient.get(name), rs),
      },
      candidates,
    );

    let manageError: unknown;
    let failed = false;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = err;
        failed = true;
      }
    }
    const now = d.clock.now();
    const status = calculateStatus(rs, pods, failed ? manageError : undefined, now);
    await this.updateStatus(rs, status);
    if (failed) throw manageError;
    const wait = nextAvailableInMs(pods, rs.spec?.minReadySeconds ?? 0, now);
    if (wait !== undefined) d.requeueAfter(key, wait);
  }

  /** Creates or deletes pods so that `pods` (active, owned) number `spec.replicas`. */
  private async manageReplicas(key: string, rs: ReplicaSetObject, pods: PodObject[]): Promise<void> {
    const d = this.d;
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, d.burstReplicas);
      d.expectations.expect(key, count);
      const result = await slowStartBatch(count, 1, () => this.createPod(rs));
      // Creates that failed or were never tried will not be observed.
      for (let i = result.successes; i < count; i++) d.expectations.creationObserved(key);
      if (result.failed) throw result.error;
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, d.burstReplicas);
      const doomed = podsToDelete(pods, this.relatedPods(rs), count, d.clock.now());
      d.expectations.expect(
        key,
        0,
        doomed.map((p) => p.metadata.uid ?? ''),
      );
      const podClient = d.client.resource<PodObject>(PODS, rs.metadata.namespace);
      const errors: unknown[] = [];
      await Promise.all(
        doomed.map(async (pod) => {
          const podName = pod.metadata.name ?? '';
          try {
            await podClient.delete(podName);
            void d.recorder.record(targetOf(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`);
          } catch (err) {
            d.expectations.deletionObserved(key, pod.metadata.uid ?? '');
            if (notFound(err)) return;
            void d.recorder.record(
              targetOf(rs),
              'Warning',
              'FailedDelete',
              `Error deleting: ${errorMessage(err)}`,
            );
            errors.push(err);
          }
        }),
      );
      if (errors.length) throw errors[0];
    }
  }

  /** Creates one pod from the template; records SuccessfulCreate or FailedCreate. */
  private async createPod(rs: ReplicaSetObject): Promise<void> {
    const d = this.d;
    const template = rs.spec?.template ?? {};
    const pod = podFromTemplate(template, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: rs.metadata,
    });
    if (Object.keys(pod.metadata.labels ?? {}).length === 0)
      throw new Error('unable to create pods, no labels');
    try {
      const created = await d.client.resource<PodObject>(PODS, rs.metadata.namespace).create(pod);
      void d.recorder.record(
        targetOf(rs),
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata.name ?? ''}`,
      );
    } catch (err) {
      if (namespaceTerminating(err)) return; // the namespace is going away: nothing to do
      void d.recorder.record(targetOf(rs), 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }

  /**
   * The active pods of every ReplicaSet controlled by the same owner as `rs` (only its own when it has
   * no owner): used to spread deletions away from crowded nodes.
   */
  private relatedPods(rs: ReplicaSetObject): PodObject[] {
    const d = this.d;
    const owner = controllerOf(rs);
    const siblings = owner
      ? d.replicaSets
          .byIndex(BY_CONTROLLER, owner.uid)
          .filter((r) => r.metadata.namespace === rs.metadata.namespace)
      : [rs];
    const out: PodObject[] = [];
    for (const s of siblings)
      for (const p of d.pods.byIndex(BY_CONTROLLER, s.metadata.uid ?? '')) if (isPodActive(p)) out.push(p);
    return out;
  }

  /** Writes `status` (with observedGeneration) unless nothing changed; retries once on a conflict. */
  private async updateStatus(rs: ReplicaSetObject, status: ReplicaSetStatus): Promise<void> {
    if (!statusChanged(rs, status)) return;
    const d = this.d;
    const client = d.client.resource<ReplicaSetObject>(REPLICASETS, rs.metadata.namespace);
    status.observedGeneration = rs.metadata.generation ?? 0;
    let current: ReplicaSetObject = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.updateStatus({ ...structuredClone(current), status: omitZeroCounts(status) });
        return;
      } catch (err) {
        if (notFound(err)) return;
        if (attempt >= 1 || !(err instanceof ApiError && err.code === 409)) throw err;
        current = await client.get(rs.metadata.name ?? '');
      }
    }
  }
}

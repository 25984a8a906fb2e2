/**
 * The writes of the StatefulSet controller on pods and claims, with upstream's events
 * ("create Pod web-0 in StatefulSet web successful", "create Claim data-web-0 Pod web-0 in
 * StatefulSet web success", their Failed* counterparts).
 */
import { ApiError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/events.js';
import { PODS, PVCS } from '../../client/resources.js';
import type { Client, Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { errorText, setTarget } from './events.js';
import {
  claimsFor,
  identityMatches,
  ordinalOf,
  storageMatches,
  updateIdentity,
  updateStorage,
  type Claim,
  type Sts,
  type StsPod,
} from './identity.js';
import {
  claimIsStale,
  claimOwnersFor,
  claimOwnersMatch,
  hasUnexpectedController,
  retentionPolicy,
} from './retention.js';

const CONFLICT_RETRIES = 5;

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

function title(verb: string): string {
  return verb.charAt(0).toUpperCase() + verb.slice(1);
}

/** Pod and claim writes for StatefulSets. */
export class StatefulPodControl {
  constructor(
    private readonly client: Client,
    private readonly claims: Informer<Claim>,
    private readonly recorder: EventRecorder,
    private readonly log: Logger,
  ) {}

  private podEvent(verb: string, set: Sts, pod: StsPod, err?: unknown): void {
    const name = pod.metadata.name ?? '';
    const setName = set.metadata.name ?? '';
    if (err === undefined)
      void this.recorder.record(
        setTarget(set),
        'Normal',
        `Successful${title(verb)}`,
        `${verb} Pod ${name} in StatefulSet ${setName} successful`,
      );
    else
      void this.recorder.record(
        setTarget(set),
        'Warning',
        `Failed${title(verb)}`,
        `${verb} Pod ${name} in StatefulSet ${setName} failed error: ${errorText(err)}`,
      );
  }

  private claimEvent(verb: string, set: Sts, pod: StsPod, claim: Claim, err?: unknown): void {
    const c = claim.metadata.name ?? '';
    const p = pod.metadata.name ?? '';
    const s = set.metadata.name ?? '';
    if (err === undefined)
      void this.recorder.record(
        setTarget(set),
        'Normal',
        `Successful${title(verb)}`,
        `${verb} Claim ${c} Pod ${p} in StatefulSet ${s} success`,
      );
    else
      void this.recorder.record(
        setTarget(set),
        'Warning',
        `Failed${title(verb)}`,
        `${verb} Claim ${c} for Pod ${p} in StatefulSet ${s} failed error: ${errorText(err)}`,
      );
  }

  private cachedClaim(namespace: string | undefined, name: string): Claim | undefined {
    return this.claims.get(`${namespace ?? ''}/${name}`);
  }

  /** Creates the pod's claims that do not exist yet; throws the first failure after trying them all. */
  async createClaims(set: Sts, pod: StsPod): Promise<void> {
    const errors: unknown[] = [];
    for (const { claim } of claimsFor(set, ordinalOf(pod))) {
      const name = claim.metadata.name ?? '';
      const existing = this.cachedClaim(claim.metadata.namespace, name);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(new Error(`pvc ${name} is being deleted`));
        continue;
      }
      try {
        await this.client.resource<Claim>(PVCS, claim.metadata.namespace).create(claim);
        this.claimEvent('create', set, pod, claim);
      } catch (err) {
        if (isCode(err, 409)) continue;
        errors.push(new Error(`failed to create PVC ${name}: ${errorText(err)}`));
        this.claimEvent('create', set, pod, claim, err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** True when a claim of the pod still belongs to an earlier pod of that name (see retention). */
  claimIsStale(set: Sts, pod: StsPod): boolean {
    if (!retentionPolicy(set).deleteWhenScaled) return false;
    return claimsFor(set, ordinalOf(pod)).some(({ claim }) => {
      const cached = this.cachedClaim(claim.metadata.namespace, claim.metadata.name ?? '');
      return cached !== undefined && claimIsStale(cached, pod);
    });
  }

  /**
   * Creates the pod after its claims. Resolves `false` when a pod of that name already exists (the
   * cache is behind; the caller waits for it).
   */
  async createPod(set: Sts, pod: StsPod): Promise<boolean> {
    try {
      await this.createClaims(set, pod);
    } catch (err) {
      this.podEvent('create', set, pod, err);
      throw err;
    }
    let created: StsPod;
    try {
      created = await this.client.resource<StsPod>(PODS, pod.metadata.namespace).create(pod);
    } catch (err) {
      if (isCode(err, 409)) return false;
      this.podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.updateClaimsForRetention(set, created);
    } catch (err) {
      this.podEvent('update', set, created, err);
      throw err;
    }
    this.podEvent('create', set, pod);
    return true;
  }

  /** Deletes the pod (one already gone is not an error). */
  async deletePod(set: Sts, pod: StsPod): Promise<void> {
    try {
      await this.client.resource(PODS, pod.metadata.namespace).delete(pod.metadata.name ?? '');
    } catch (err) {
      if (isCode(err, 404)) return;
      this.podEvent('delete', set, pod, err);
      throw err;
    }
    this.podEvent('delete', set, pod);
  }

  /** True when every claim of the pod carries the owner references the retention policy wants. */
  claimsMatchRetention(set: Sts, pod: StsPod): boolean {
    for (const { claim } of claimsFor(set, ordinalOf(pod))) {
      const cached = this.cachedClaim(claim.metadata.namespace, claim.metadata.name ?? '');
      if (!cached) continue;
      if (!claimOwnersMatch(cached, set, pod)) return false;
    }
    return true;
  }

  /** Rewrites the owner references of the pod's claims to fit the retention policy. */
  async updateClaimsForRetention(set: Sts, pod: StsPod): Promise<void> {
    for (const { claim } of claimsFor(set, ordinalOf(pod))) {
      const name = claim.metadata.name ?? '';
      const cached = this.cachedClaim(claim.metadata.namespace, name);
      if (!cached) continue;
      if (hasUnexpectedController(cached, set, pod)) {
        void this.recorder.record(
          setTarget(set),
          'Warning',
          'ConflictingController',
          `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
        );
        continue;
      }
      const refs = claimOwnersFor(cached, set, pod);
      if (!refs) continue;
      try {
        await this.client.resource<Claim>(PVCS, cached.metadata.namespace).patch(name, 'merge', {
          metadata: { ownerReferences: refs, resourceVersion: cached.metadata.resourceVersion },
        });
      } catch (err) {
        if (isCode(err, 404)) continue;
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${errorText(err)}`);
      }
    }
  }

  /**
   * Brings a live pod's identity labels and claims in line with the set (retrying conflicts on a
   * fresh copy). Records an update event when it had to write the pod.
   */
  async updatePod(set: Sts, pod: StsPod): Promise<void> {
    let cur = structuredClone(pod);
    let attempted = false;
    let error: unknown;
    for (let attempt = 0; ; attempt++) {
      let consistent = true;
      if (!identityMatches(set, cur)) {
        updateIdentity(set, cur);
        consistent = false;
      }
      try {
        if (!storageMatches(set, cur)) {
          updateStorage(set, cur);
          consistent = false;
          await this.createClaims(set, cur);
        }
        if (!this.claimsMatchRetention(set, cur)) await this.updateClaimsForRetention(set, cur);
      } catch (err) {
        this.podEvent('update', set, cur, err);
        throw err;
      }
      if (consistent) break;
      attempted = true;
      try {
        await this.client.resource<StsPod>(PODS, cur.metadata.namespace).update(cur);
        error = undefined;
        break;
      } catch (err) {
        error = err;
        if (!isCode(err, 409) || attempt >= CONFLICT_RETRIES) break;
        try {
          cur = await this.client.resource<StsPod>(PODS, cur.metadata.namespace).get(cur.metadata.name ?? '');
        } catch (getErr) {
          this.log.warn({ err: getErr, pod: cur.metadata.name }, 'could not read the pod again');
        }
      }
    }
    if (attempted) this.podEvent('update', set, cur, error);
    if (error !== undefined) throw error;
  }
}

/**
 * The StatefulSet controller: watches StatefulSets and pods (and reads ControllerRevisions and
 * PersistentVolumeClaims from their caches); each sync claims the set's pods and revisions, finds
 * the current and update revisions, runs one pass of the algorithm (control.ts), stores the status
 * and trims old revisions.
 */
import { ApiError } from '../../api/errors.js';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/labels.js';
import type { EventRecorder } from '../../client/events.js';
import { CONTROLLERREVISIONS, PODS, PVCS, STATEFULSETS } from '../../client/resources.js';
import { objectKey, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { WorkQueue } from '../queue.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { controllerOf, isPodReady } from '../framework/pods.js';
import { claimObjects, recheckOwner } from '../framework/claim.js';
import { indexByController, ownedAndOrphans } from '../framework/indexes.js';
import { RevisionHistory } from '../history/history.js';
import { GatedQueue, runQueue } from '../history/loop.js';
import { sortRevisions, type Revision } from '../history/revision.js';
import { updateStatefulSet, type PassResult } from './control.js';
import { isMemberOf, replicasOf, type Claim, type Sts, type StsPod } from './identity.js';
import { StatefulPodControl } from './podcontrol.js';
import { revisionsToTrim, setRevisions } from './revisions.js';
import { completeRollingUpdate, statusChanged, wireStatus, type SetStatus } from './status.js';

const STATUS_RETRIES = 3;

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

/** The controller's state for one run: caches, queue and writers. */
export class StatefulSetSync {
  readonly sets: Informer<Sts>;
  readonly pods: Informer<StsPod>;
  readonly revisions: Informer<Revision>;
  readonly claims: Informer<Claim>;
  readonly queue: GatedQueue;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly history: RevisionHistory;
  private readonly podControl: StatefulPodControl;
  readonly cleanups: (() => void)[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('statefulset-controller');
    this.recorder = ctx.recorder('statefulset-controller');
    this.sets = ctx.informers.informer<Sts>(STATEFULSETS);
    this.pods = ctx.informers.informer<StsPod>(PODS);
    this.revisions = ctx.informers.informer<Revision>(CONTROLLERREVISIONS);
    this.claims = ctx.informers.informer<Claim>(PVCS);
    indexByController(this.pods);
    indexByController(this.revisions);
    this.history = new RevisionHistory(ctx.client);
    this.podControl = new StatefulPodControl(ctx.client, this.claims, this.recorder, this.log);
    this.queue = new GatedQueue(new WorkQueue((key) => this.sync(key), this.log, { concurrency: 4 }));
    const enqueue = (set: Sts): void => this.queue.add(objectKey(set));
    this.cleanups.push(
      this.sets.addHandlers({ add: enqueue, update: (_, cur) => enqueue(cur), delete: enqueue }),
      this.pods.addHandlers({
        add: (pod) => this.podAdded(pod),
        update: (old, cur) => this.podUpdated(old, cur),
        delete: (pod) => this.podDeleted(pod),
      }),
    );
  }

  /** The set a controller reference points at, if it is in the cache with that uid. */
  private resolve(namespace: string | undefined, ref: ReturnType<typeof controllerOf>): Sts | undefined {
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const set = this.sets.get(`${namespace ?? ''}/${ref.name}`);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  /** Sets of the pod's namespace whose selector matches the pod (candidates to adopt an orphan). */
  private setsForPod(pod: StsPod): Sts[] {
    return this.sets.list().filter((set) => {
      if (set.metadata.namespace !== pod.metadata.namespace) return false;
      try {
        const sel = fromLabelSelectorObject(set.spec?.selector);
        return !sel.isEmpty() && sel.matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private podAdded(pod: StsPod): void {
    if (pod.metadata.deletionTimestamp) {
      this.podDeleted(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const set = this.resolve(pod.metadata.namespace, ref);
      if (set) this.queue.add(objectKey(set));
      return;
    }
    for (const set of this.setsForPod(pod)) this.queue.add(objectKey(set));
  }

  private podUpdated(old: StsPod, cur: StsPod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const set = this.resolve(old.metadata.namespace, oldRef);
      if (set) this.queue.add(objectKey(set));
    }
    if (curRef) {
      const set = this.resolve(cur.metadata.namespace, curRef);
      if (!set) return;
      this.queue.add(objectKey(set));
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur))
        this.queue.addAfter(objectKey(set), minReady * 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const set of this.setsForPod(cur)) this.queue.add(objectKey(set));
  }

  private podDeleted(pod: StsPod): void {
    const set = this.resolve(pod.metadata.namespace, controllerOf(pod));
    if (set) this.queue.add(objectKey(set));
  }

  /** Syncs the set stored under `key` (`namespace/name`). */
  async sync(key: string): Promise<void> {
    const cached = this.sets.get(key);
    if (!cached) return;
    const set = structuredClone(cached);
    let selector: LabelSelector;
    try {
      selector = fromLabelSelectorObject(set.spec?.selector);
    } catch (err) {
      this.log.warn({ err, statefulset: key }, 'invalid selector; not syncing');
      return;
    }
    const ns = set.metadata.namespace ?? '';
    const uid = set.metadata.uid ?? '';
    const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata };
    const canAdopt = recheckOwner(
      () => this.ctx.client.resource<Sts>(STATEFULSETS, ns).get(set.metadata.name ?? ''),
      set,
    );
    const revisions = await claimObjects(
      {
        owner,
        client: this.ctx.client.resource<Revision>(CONTROLLERREVISIONS, ns),
        matches: (r) => selector.matches(r.metadata.labels),
        canAdopt,
      },
      ownedAndOrphans(this.revisions, uid, ns),
    );
    const pods = await claimObjects(
      {
        owner,
        client: this.ctx.client.resource<StsPod>(PODS, ns),
        matches: (p) => selector.matches(p.metadata.labels) && isMemberOf(set, p),
        canAdopt,
      },
      ownedAndOrphans(this.pods, uid, ns),
    );
    const status = await this.update(set, pods, sortRevisions(revisions));
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status && status.availableReplicas !== replicasOf(set))
      this.queue.addAfter(key, minReady * 1000);
  }

  /** Revisions, one pass, status, history trimming; throws what went wrong after doing what it could. */
  private async update(set: Sts, pods: StsPod[], revisions: Revision[]): Promise<SetStatus | undefined> {
    const errors: unknown[] = [];
    let result: PassResult | undefined;
    let current: Revision | undefined;
    let update: Revision | undefined;
    try {
      const revs = await setRevisions(this.history, set, revisions);
      current = revs.current;
      update = revs.update;
      result = await updateStatefulSet(
        { pods: this.podControl, recorder: this.recorder, clock: this.ctx.clock },
        set,
        revs.current,
        revs.update,
        revs.collisionCount,
        pods,
      );
      if (result.error !== undefined) errors.push(result.error);
      await this.storeStatus(set, result.status);
    } catch (err) {
      errors.push(err);
    }
    try {
      for (const rev of revisionsToTrim(set, pods, revisions, current, update))
        await this.history.delete(rev);
    } catch (err) {
      errors.push(err);
    }
    if (errors.length > 0) throw errors[0];
    return result?.status;
  }

  /** Completes a finished rolling update and writes the status when it changed. */
  private async storeStatus(set: Sts, status: SetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    if (!statusChanged(set, status)) return;
    const api = this.ctx.client.resource<Sts>(STATEFULSETS, set.metadata.namespace);
    let target = structuredClone(set);
    for (let attempt = 0; ; attempt++) {
      target.status = wireStatus(status);
      try {
        await api.updateStatus(target);
        return;
      } catch (err) {
        if (!isCode(err, 409) || attempt >= STATUS_RETRIES) throw err;
        target = await api.get(set.metadata.name ?? '');
      }
    }
  }
}

/** The StatefulSet controller for the controller manager. */
export function statefulSetController(): Controller {
  return {
    name: 'statefulset',
    async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const s = new StatefulSetSync(ctx);
      await runQueue(ctx.informers, s.queue, signal, s.cleanups);
    },
  };
}

/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods from the template of each ReplicaSet
 * and reports their counts in its status. Informer handlers only enqueue ReplicaSet keys and settle
 * expectations; {@link ReplicaSetSyncer} does the work.
 */
import { PODS, REPLICASETS } from '../../client/resources.js';
import type { Timers } from '../../client/backoff.js';
import { objectKey, type Informer } from '../../client/types.js';
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import { semanticEqual } from '../../api/validation/equality.js';
import { Expectations } from '../framework/expectations.js';
import { BY_NAMESPACE, indexByController, indexByNamespace } from '../framework/indexes.js';
import { controllerOf } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { BURST_REPLICAS, ReplicaSetSyncer, type PodObject, type ReplicaSetObject } from './sync.js';

/** Tunables (tests use them; the server keeps the defaults). */
export interface ReplicaSetControllerOptions {
  /** Most pods created or deleted per sync (default 500, as upstream). */
  burstReplicas?: number;
  /** ReplicaSets synced at once (default 5, upstream's --concurrent-replicaset-syncs). */
  workers?: number;
  /** Timers of the work queue (tests pass manual ones). */
  timers?: Timers;
}

/** The `replicaset` controller. */
export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';

  constructor(private readonly opts: ReplicaSetControllerOptions = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const replicaSets = ctx.informers.informer<ReplicaSetObject>(REPLICASETS);
    const pods = ctx.informers.informer<PodObject>(PODS);
    indexByController(pods);
    indexByController(replicaSets);
    indexByNamespace(replicaSets);
    try {
      await ctx.informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (signal.aborted) return;
    const log = ctx.logger('replicaset-controller');
    const expectations = new Expectations(ctx.clock);
    const queue: WorkQueue = new WorkQueue((key) => syncer.sync(key), log, {
      concurrency: this.opts.workers ?? 5,
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
    });
    const syncer = new ReplicaSetSyncer({
      client: ctx.client,
      clock: ctx.clock,
      log,
      recorder: ctx.recorder('replicaset-controller'),
      replicaSets,
      pods,
      expectations,
      burstReplicas: this.opts.burstReplicas ?? BURST_REPLICAS,
      requeueAfter: (key, ms) => queue.addAfter(key, ms),
    });
    const handlers = new Handlers(replicaSets, expectations, (key) => queue.add(key));
    const unregister = [
      replicaSets.addHandlers({
        add: (rs) => queue.add(objectKey(rs)),
        update: (_old, rs) => queue.add(objectKey(rs)),
        delete: (rs) => {
          expectations.delete(objectKey(rs));
          queue.add(objectKey(rs));
        },
      }),
      pods.addHandlers({
        add: (p) => handlers.podAdded(p),
        update: (o, p) => handlers.podUpdated(o, p),
        delete: (p) => handlers.podDeleted(p),
      }),
    ];
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    for (const u of unregister) u();
    queue.stop();
  }
}

/** Pod events → ReplicaSet keys (and expectations), as upstream's handlers. */
class Handlers {
  constructor(
    private readonly replicaSets: Informer<ReplicaSetObject>,
    private readonly expectations: Expectations,
    private readonly enqueue: (key: string) => void,
  ) {}

  /** The ReplicaSet a controller reference names, if it is the one cached (same uid). */
  private owner(pod: PodObject, ref = controllerOf(pod)): ReplicaSetObject | undefined {
    if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = this.replicaSets.get(`${pod.metadata.namespace ?? ''}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets of the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private enqueueMatching(pod: PodObject): void {
    for (const rs of this.replicaSets.byIndex(BY_NAMESPACE, pod.metadata.namespace ?? '')) {
      try {
        const sel = fromLabelSelectorObject(rs.spec?.selector);
        if (!sel.isEmpty() && sel.matches(pod.metadata.labels)) this.enqueue(objectKey(rs));
      } catch {
        // an invalid selector matches nothing
      }
    }
  }

  podAdded(pod: PodObject): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.owner(pod, ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.enqueue(objectKey(rs));
      return;
    }
    this.enqueueMatching(pod);
  }

  podUpdated(old: PodObject, pod: PodObject): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = !semanticEqual(old.metadata.labels, pod.metadata.labels);
    if (pod.metadata.deletionTimestamp) {
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllerOf(old);
    const ref = controllerOf(pod);
    const refChanged = !semanticEqual(oldRef, ref);
    if (refChanged && oldRef) {
      const prev = this.owner(old, oldRef);
      if (prev) this.enqueue(objectKey(prev));
    }
    if (ref) {
      const rs = this.owner(pod, ref);
      if (rs) this.enqueue(objectKey(rs));
      return;
    }
    if (labelsChanged || refChanged) this.enqueueMatching(pod);
  }

  podDeleted(pod: PodObject): void {
    const rs = this.owner(pod);
    if (!rs) return;
    this.expectations.deletionObserved(objectKey(rs), pod.metadata.uid ?? '');
    this.enqueue(objectKey(rs));
  }
}

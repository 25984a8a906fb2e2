/**
 * The Deployment controller: rolls Deployments out through ReplicaSets (RollingUpdate or Recreate),
 * scales them, keeps their revision history and reports progress. Handlers only enqueue Deployment
 * keys: a Deployment changed, one of its ReplicaSets changed (or an orphan it may adopt), or, for
 * Recreate, one of its pods went away.
 */
import type { Timers } from '../../client/backoff.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import { fromLabelSelectorObject } from '../../api/selectors/labels.js';
import { semanticEqual } from '../../api/validation/equality.js';
import { BY_NAMESPACE, indexByController, indexByNamespace } from '../framework/indexes.js';
import { controllerOf } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import type { DeploymentDeps, PodObject } from './context.js';
import { syncDeployment } from './syncer.js';
import type { DeploymentObject, ReplicaSetObject } from './util.js';

/** Tunables (tests use them; the server keeps the defaults). */
export interface DeploymentControllerOptions {
  /** Deployments synced at once (default 5, upstream's --concurrent-deployment-syncs). */
  workers?: number;
  /** Timers of the work queue (tests pass manual ones). */
  timers?: Timers;
}

/** The `deployment` controller. */
export class DeploymentController implements Controller {
  readonly name = 'deployment';

  constructor(private readonly opts: DeploymentControllerOptions = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const deployments = ctx.informers.informer<DeploymentObject>(DEPLOYMENTS);
    const replicaSets = ctx.informers.informer<ReplicaSetObject>(REPLICASETS);
    const pods = ctx.informers.informer<PodObject>(PODS);
    indexByController(replicaSets);
    indexByController(pods);
    indexByNamespace(deployments);
    try {
      await ctx.informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (signal.aborted) return;
    const log = ctx.logger('deployment-controller');
    const queue: WorkQueue = new WorkQueue((key) => syncDeployment(deps, key), log, {
      concurrency: this.opts.workers ?? 5,
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
    });
    const deps: DeploymentDeps = {
      client: ctx.client,
      clock: ctx.clock,
      log,
      recorder: ctx.recorder('deployment-controller'),
      deployments,
      replicaSets,
      pods,
      requeueAfter: (key, ms) => queue.addAfter(key, ms),
    };
    const h = new Handlers(deployments, replicaSets, (key) => queue.add(key));
    const unregister = [
      deployments.addHandlers({
        add: (d) => queue.add(objectKey(d)),
        update: (_old, d) => queue.add(objectKey(d)),
        delete: (d) => queue.add(objectKey(d)),
      }),
      replicaSets.addHandlers({
        add: (rs) => h.replicaSetAdded(rs),
        update: (old, rs) => h.replicaSetUpdated(old, rs),
        delete: (rs) => h.enqueueOwner(rs),
      }),
      pods.addHandlers({ delete: (p) => h.podDeleted(p) }),
    ];
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    for (const u of unregister) u();
    queue.stop();
  }
}

/** ReplicaSet and pod events → Deployment keys. */
class Handlers {
  constructor(
    private readonly deployments: Informer<DeploymentObject>,
    private readonly replicaSets: Informer<ReplicaSetObject>,
    private readonly enqueue: (key: string) => void,
  ) {}

  private deploymentOf(obj: ApiObject, ref = controllerOf(obj)): DeploymentObject | undefined {
    if (!ref || ref.kind !== 'Deployment' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const d = this.deployments.get(`${obj.metadata.namespace ?? ''}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  enqueueOwner(rs: ReplicaSetObject): void {
    const d = this.deploymentOf(rs);
    if (d) this.enqueue(objectKey(d));
  }

  /** Deployments of the namespace whose selector matches an orphan ReplicaSet. */
  private enqueueMatching(rs: ReplicaSetObject): void {
    for (const d of this.deployments.byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '')) {
      try {
        const sel = fromLabelSelectorObject(d.spec?.selector ?? {});
        if (!sel.isEmpty() && sel.matches(rs.metadata.labels)) this.enqueue(objectKey(d));
      } catch {
        // an invalid selector matches nothing
      }
    }
  }

  replicaSetAdded(rs: ReplicaSetObject): void {
    if (controllerOf(rs)) this.enqueueOwner(rs);
    else if (!rs.metadata.deletionTimestamp) this.enqueueMatching(rs);
  }

  replicaSetUpdated(old: ReplicaSetObject, rs: ReplicaSetObject): void {
    if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const oldRef = controllerOf(old);
    const ref = controllerOf(rs);
    const refChanged = !semanticEqual(oldRef, ref);
    if (refChanged && oldRef) {
      const prev = this.deploymentOf(old, oldRef);
      if (prev) this.enqueue(objectKey(prev));
    }
    if (ref) {
      this.enqueueOwner(rs);
      return;
    }
    if (refChanged || !semanticEqual(old.metadata.labels, rs.metadata.labels)) this.enqueueMatching(rs);
  }

  /** A pod of a Recreate Deployment went away: its rollout may go on. */
  podDeleted(pod: PodObject): void {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(`${pod.metadata.namespace ?? ''}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.deploymentOf(rs);
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(objectKey(d));
  }
}

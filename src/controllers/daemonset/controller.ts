/**
 * The DaemonSet controller: one pod per eligible node. Watches DaemonSets, nodes, pods and
 * ControllerRevisions; each sync claims the set's pods and revisions, finds the current revision,
 * creates pods on nodes that lack one and deletes pods from nodes that should not run one (or have
 * too many), rolls out template changes, trims old revisions and stores the status.
 */
import { ApiError, type StatusCause } from '../../api/errors.js';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/labels.js';
import type { EventRecorder, EventTarget } from '../../client/events.js';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS } from '../../client/resources.js';
import { objectKey, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { Expectations } from '../framework/expectations.js';
import { controllerOf, isPodAvailable, isPodReady } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { claimObjects, recheckOwner } from '../framework/claim.js';
import { indexByController, ownedAndOrphans } from '../framework/indexes.js';
import { GatedQueue, runQueue } from '../history/loop.js';
import { POD_REVISION_LABEL, type Revision } from '../history/revision.js';
import { WorkQueue } from '../queue.js';
import { nodeShouldRunDaemonPod, targetNodeName, type Ds, type DsNode, type DsPod } from './eligibility.js';
import { DaemonSetHistory } from './history.js';
import { byScheduledThenAge, daemonPodTemplate, FailedPodBackoff, isTerminal, newDaemonPod } from './pods.js';
import { allowsSurge, planRollingUpdate } from './rolling.js';
import { computeStatus, storeStatus } from './status.js';

/** Most creates or deletes one sync asks for (upstream's burstReplicas). */
const BURST = 250;

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

function namespaceTerminating(err: unknown): boolean {
  const causes: StatusCause[] = err instanceof ApiError ? (err.status.details?.causes ?? []) : [];
  return causes.some((c) => c.reason === 'NamespaceTerminating');
}

/** The DaemonSet as an event target. */
function dsTarget(ds: Ds): EventTarget {
  return {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    namespace: ds.metadata.namespace,
    name: ds.metadata.name ?? '',
    uid: ds.metadata.uid,
    resourceVersion: ds.metadata.resourceVersion,
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The controller's state for one run. */
export class DaemonSetSync {
  readonly sets: Informer<Ds>;
  readonly nodes: Informer<DsNode>;
  readonly pods: Informer<DsPod>;
  readonly revisions: Informer<Revision>;
  readonly queue: GatedQueue;
  readonly cleanups: (() => void)[] = [];
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly history: DaemonSetHistory;
  private readonly expectations: Expectations;
  private readonly backoff = new FailedPodBackoff();

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.logger('daemonset-controller');
    this.recorder = ctx.recorder('daemonset-controller');
    this.sets = ctx.informers.informer<Ds>(DAEMONSETS);
    this.nodes = ctx.informers.informer<DsNode>(NODES);
    this.pods = ctx.informers.informer<DsPod>(PODS);
    this.revisions = ctx.informers.informer<Revision>(CONTROLLERREVISIONS);
    indexByController(this.pods);
    indexByController(this.revisions);
    this.history = new DaemonSetHistory(ctx.client);
    this.expectations = new Expectations(ctx.clock);
    this.queue = new GatedQueue(new WorkQueue((key) => this.sync(key), this.log, { concurrency: 2 }));
    const enqueue = (ds: Ds): void => this.queue.add(objectKey(ds));
    this.cleanups.push(
      this.sets.addHandlers({
        add: enqueue,
        update: (_, cur) => enqueue(cur),
        delete: (ds) => {
          this.expectations.delete(objectKey(ds));
          this.backoff.forget(`${ds.metadata.uid ?? ''}/`);
          enqueue(ds);
        },
      }),
      this.nodes.addHandlers({
        add: (node) => this.nodeAdded(node),
        update: (old, cur) => this.nodeUpdated(old, cur),
        delete: () => {
          for (const ds of this.sets.list()) enqueue(ds);
        },
      }),
      this.pods.addHandlers({
        add: (pod) => this.podAdded(pod),
        update: (old, cur) => this.podUpdated(old, cur),
        delete: (pod) => this.podDeleted(pod),
      }),
      this.revisions.addHandlers({
        add: (rev) => this.revisionChanged(rev),
        update: (old, cur) => {
          if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.revisionChanged(cur);
        },
        delete: (rev) => this.revisionChanged(rev),
      }),
    );
  }

  private resolve(namespace: string | undefined, ref: ReturnType<typeof controllerOf>): Ds | undefined {
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.sets.get(`${namespace ?? ''}/${ref.name}`);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  private setsSelecting(namespace: string | undefined, labels: Record<string, string> | undefined): Ds[] {
    return this.sets.list().filter((ds) => {
      if (ds.metadata.namespace !== namespace) return false;
      try {
        const sel = fromLabelSelectorObject(ds.spec?.selector);
        return !sel.isEmpty() && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  private nodeAdded(node: DsNode): void {
    for (const ds of this.sets.list())
      if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.queue.add(objectKey(ds));
  }

  private nodeUpdated(old: DsNode, cur: DsNode): void {
    const same =
      JSON.stringify(old.metadata.labels ?? {}) === JSON.stringify(cur.metadata.labels ?? {}) &&
      JSON.stringify(old.spec?.taints ?? []) === JSON.stringify(cur.spec?.taints ?? []);
    if (same) return;
    for (const ds of this.sets.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning)
        this.queue.add(objectKey(ds));
    }
  }

  private podAdded(pod: DsPod): void {
    if (pod.metadata.deletionTimestamp) {
      this.podDeleted(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const ds = this.resolve(pod.metadata.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(objectKey(ds));
      this.queue.add(objectKey(ds));
      return;
    }
    for (const ds of this.setsSelecting(pod.metadata.namespace, pod.metadata.labels))
      this.queue.add(objectKey(ds));
  }

  private podUpdated(old: DsPod, cur: DsPod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      this.podDeleted(cur);
      return;
    }
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const ds = this.resolve(old.metadata.namespace, oldRef);
      if (ds) this.queue.add(objectKey(ds));
    }
    if (curRef) {
      const ds = this.resolve(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.queue.add(objectKey(ds));
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur))
        this.queue.addAfter(objectKey(ds), minReady * 1000 + 1000);
      return;
    }
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged)
      for (const ds of this.setsSelecting(cur.metadata.namespace, cur.metadata.labels))
        this.queue.add(objectKey(ds));
  }

  private podDeleted(pod: DsPod): void {
    const ds = this.resolve(pod.metadata.namespace, controllerOf(pod));
    if (!ds) return;
    this.expectations.deletionObserved(objectKey(ds), pod.metadata.uid ?? '');
    this.queue.add(objectKey(ds));
  }

  private revisionChanged(rev: Revision): void {
    const ref = controllerOf(rev);
    if (ref) {
      const ds = this.resolve(rev.metadata.namespace, ref);
      if (ds) this.queue.add(objectKey(ds));
      return;
    }
    for (const ds of this.setsSelecting(rev.metadata.namespace, rev.metadata.labels))
      this.queue.add(objectKey(ds));
  }

  /** The DaemonSet's pods (adopting and releasing as needed). */
  private claimPods(ds: Ds, selector: LabelSelector, canAdopt: () => Promise<void>): Promise<DsPod[]> {
    const ns = ds.metadata.namespace ?? '';
    return claimObjects(
      {
        owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata },
        client: this.ctx.client.resource<DsPod>(PODS, ns),
        matches: (p) => selector.matches(p.metadata.labels),
        canAdopt,
      },
      ownedAndOrphans(this.pods, ds.metadata.uid ?? '', ns),
    );
  }

  /** Daemon pods by the node they are for; terminal pods being deleted are left out unless asked for. */
  nodeToPods(pods: readonly DsPod[], includeDeletedTerminal: boolean): Map<string, DsPod[]> {
    const out = new Map<string, DsPod[]>();
    for (const pod of pods) {
      if (!includeDeletedTerminal && isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      const list = out.get(node);
      if (list) list.push(pod);
      else out.set(node, [pod]);
    }
    return out;
  }

  /** Syncs the DaemonSet stored under `key`. */
  async sync(key: string): Promise<void> {
    const cached = this.sets.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    const sel = ds.spec?.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      void this.recorder.record(
        dsTarget(ds),
        'Warning',
        'SelectingAll',
        'This daemon set is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    let selector: LabelSelector;
    try {
      selector = fromLabelSelectorObject(sel);
    } catch (err) {
      this.log.warn({ err, daemonset: key }, 'invalid selector; not syncing');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodes.list();
    const ns = ds.metadata.namespace ?? '';
    const recheck = recheckOwner(
      () => this.ctx.client.resource<Ds>(DAEMONSETS, ns).get(ds.metadata.name ?? ''),
      ds,
    );
    const owned = await claimObjects(
      {
        owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata },
        client: this.ctx.client.resource<Revision>(CONTROLLERREVISIONS, ns),
        matches: (r) => selector.matches(r.metadata.labels),
        canAdopt: recheck,
      },
      ownedAndOrphans(this.revisions, ds.metadata.uid ?? '', ns),
    );
    let pods = await this.claimPods(ds, selector, recheck);
    const { current, old } = await this.history.construct(ds, owned, pods);
    const hash = current.metadata.labels?.[POD_REVISION_LABEL] ?? '';

    if (!this.expectations.satisfied(key)) {
      await this.updateStatus(ds, nodes, pods, hash, false);
      return;
    }
    let error: unknown;
    try {
      await this.manage(ds, nodes, pods, hash);
      if (
        this.expectations.satisfied(key) &&
        (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
      ) {
        const plan = planRollingUpdate(ds, nodes, this.nodeToPods(pods, false), hash, this.ctx.clock.now());
        await this.syncNodes(ds, plan.deletePods, plan.createOnNodes, hash);
      }
      pods = await this.claimPods(ds, selector, recheck);
      await this.history.cleanup(ds, old, pods);
    } catch (err) {
      error = err;
    }
    try {
      await this.updateStatus(ds, nodes, pods, hash, true);
    } catch (err) {
      if (error === undefined) throw err;
      this.log.warn({ err, daemonset: key }, 'could not store the status');
    }
    if (error !== undefined) throw error;
  }

  private async updateStatus(
    ds: Ds,
    nodes: DsNode[],
    pods: DsPod[],
    hash: string,
    observed: boolean,
  ): Promise<void> {
    const status = computeStatus(ds, nodes, this.nodeToPods(pods, false), hash, this.ctx.clock.now());
    await storeStatus(this.ctx.client, ds, status, observed);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable)
      this.queue.addAfter(objectKey(ds), minReady * 1000);
  }

  /** Creates pods on nodes that need one, deletes those that should not be where they are. */
  private async manage(ds: Ds, nodes: DsNode[], pods: DsPod[], hash: string): Promise<void> {
    const nodeToPods = this.nodeToPods(pods, false);
    const create: string[] = [];
    const remove: DsPod[] = [];
    const now = this.ctx.clock.now().getTime();
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const daemonPods = nodeToPods.get(name);
      if (shouldRun && !daemonPods) {
        create.push(name);
        continue;
      }
      if (!daemonPods) continue;
      if (!shouldContinueRunning) {
        remove.push(...daemonPods.filter((p) => !p.metadata.deletionTimestamp));
        continue;
      }
      const running: DsPod[] = [];
      for (const pod of daemonPods) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          const bk = `${ds.metadata.uid ?? ''}/${name}`;
          if (this.backoff.inBackoff(bk, now)) {
            this.queue.addAfter(objectKey(ds), this.backoff.delay(bk));
            continue;
          }
          this.backoff.next(bk, now);
          void this.recorder.record(
            dsTarget(ds),
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to kill it`,
          );
          remove.push(pod);
        } else if (phase === 'Succeeded') {
          void this.recorder.record(
            dsTarget(ds),
            'Normal',
            'SucceededDaemonPod',
            `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to delete it`,
          );
          remove.push(pod);
        } else {
          running.push(pod);
        }
      }
      running.sort(byScheduledThenAge);
      if (!allowsSurge(ds)) {
        remove.push(...running.slice(1));
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) create.push(name);
        continue;
      }
      let oldestNew: DsPod | undefined;
      let oldestOld: DsPod | undefined;
      for (const pod of running) {
        if (pod.metadata.labels?.[POD_REVISION_LABEL] === hash) {
          if (!oldestNew) {
            oldestNew = pod;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = pod;
          continue;
        }
        remove.push(pod);
      }
      if (oldestNew && oldestOld) {
        if (!isPodReady(oldestOld)) remove.push(oldestOld);
        else if (isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, this.ctx.clock.now()))
          remove.push(oldestOld);
      }
    }
    const nodeNames = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const [node, list] of nodeToPods) {
      if (nodeNames.has(node)) continue;
      for (const pod of list) if (!pod.spec?.nodeName) remove.push(pod);
    }
    await this.syncNodes(ds, remove, create, hash);
  }

  /** Creates pods on `nodeNames` (in slow-start batches) and deletes `pods`, with expectations. */
  private async syncNodes(ds: Ds, pods: DsPod[], nodeNames: string[], hash: string): Promise<void> {
    const key = objectKey(ds);
    const creates = nodeNames.slice(0, BURST);
    const deletes = pods.slice(0, BURST);
    this.expectations.expect(
      key,
      creates.length,
      deletes.map((p) => p.metadata.uid ?? ''),
    );
    const errors: unknown[] = [];
    const template = daemonPodTemplate(ds, hash);
    const api = this.ctx.client.resource<DsPod>(PODS, ds.metadata.namespace);
    let pos = 0;
    for (let batch = 1; pos < creates.length; batch *= 2) {
      const size = Math.min(batch, creates.length - pos);
      const results = await Promise.allSettled(
        creates.slice(pos, pos + size).map(async (node) => {
          try {
            const created = await api.create(newDaemonPod(ds, template, node));
            void this.recorder.record(
              dsTarget(ds),
              'Normal',
              'SuccessfulCreate',
              `Created pod: ${created.metadata.name}`,
            );
          } catch (err) {
            this.expectations.creationObserved(key);
            if (namespaceTerminating(err)) return;
            void this.recorder.record(
              dsTarget(ds),
              'Warning',
              'FailedCreate',
              `Error creating: ${errorText(err)}`,
            );
            throw err;
          }
        }),
      );
      pos += size;
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0) {
        errors.push(...failed.map((f) => f.reason as unknown));
        for (let skipped = creates.length - pos; skipped > 0; skipped--)
          this.expectations.creationObserved(key);
        break;
      }
    }
    await Promise.all(
      deletes.map(async (pod) => {
        try {
          await api.delete(pod.metadata.name ?? '');
          void this.recorder.record(
            dsTarget(ds),
            'Normal',
            'SuccessfulDelete',
            `Deleted pod: ${pod.metadata.name}`,
          );
        } catch (err) {
          this.expectations.deletionObserved(key, pod.metadata.uid ?? '');
          if (isCode(err, 404)) return;
          void this.recorder.record(
            dsTarget(ds),
            'Warning',
            'FailedDelete',
            `Error deleting: ${errorText(err)}`,
          );
          errors.push(err);
        }
      }),
    );
    if (errors.length > 0) throw errors[0];
  }
}

/** The DaemonSet controller for the controller manager. */
export function daemonSetController(): Controller {
  return {
    name: 'daemonset',
    async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const s = new DaemonSetSync(ctx);
      await runQueue(ctx.informers, s.queue, signal, s.cleanups);
    },
  };
}

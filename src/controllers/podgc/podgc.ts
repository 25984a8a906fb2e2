/**
 * The pod garbage collector. Every pass (10 s) it deletes, as upstream's PodGC does:
 *
 * - terminated pods (Succeeded or Failed) beyond `terminatedPodGcThreshold`, evicted ones first,
 *   then oldest first (0 turns this off);
 * - terminating pods on nodes that are not Ready and carry the node.kubernetes.io/out-of-service
 *   taint (the node is known to be down; nothing else would finish them);
 * - orphaned pods, bound to a node that no longer exists: once the node has been missing from the
 *   cache for the quarantine time (20 s) and a GET confirms it is gone, the pod is set Failed with
 *   the DisruptionTarget condition (DeletionByPodGC), then deleted;
 * - terminating pods that were never scheduled.
 *
 * Pods that are not yet terminal are set Failed before they are deleted (no kubelet will do it), and
 * every deletion is forced (grace period 0).
 */
import type { Node, PodCondition } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { realTimers, sleep, type Timers } from '../../client/backoff.js';
import { NODES, PODS } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { rfc3339 } from '../../util/time.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import type { PodObject } from '../nodelifecycle/pod-index.js';
import { TAINT_OUT_OF_SERVICE } from '../nodelifecycle/taints.js';

type NodeObject = Node & ApiObject;

/** Knobs tests turn. */
export interface PodGcTuning {
  /** Time between passes (default 10 s). */
  periodMs?: number;
  /** How long a node must be missing before its pods count as orphaned (default 20 s). */
  quarantineMs?: number;
  timers?: Timers;
}

/** Deletions at once. */
const PARALLEL = 8;

const ORPHAN_CONDITION: PodCondition = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByPodGC',
  message: 'PodGC: node no longer exists',
};

function isTerminated(p: PodObject): boolean {
  const phase = p.status?.phase;
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

function isEvicted(p: PodObject): boolean {
  return p.status?.phase === 'Failed' && p.status.reason === 'Evicted';
}

/** Evicted first, then by creation time, then by name (upstream's order). */
export function gcOrder(a: PodObject, b: PodObject): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ca = a.metadata.creationTimestamp ?? '';
  const cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return Date.parse(ca) - Date.parse(cb);
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<number> {
  let failed = 0;
  for (let i = 0; i < items.length; i += PARALLEL) {
    const results = await Promise.allSettled(items.slice(i, i + PARALLEL).map(fn));
    failed += results.filter((r) => r.status === 'rejected').length;
  }
  return failed;
}

export class PodGcController implements Controller {
  readonly name = 'podgc';
  /** When each missing node was first missed (ms). */
  private readonly missing = new Map<string, number>();
  private ctx: ControllerContext | undefined;
  private log: Logger | undefined;

  constructor(private readonly tuning: PodGcTuning = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.logger('pod-garbage-collector');
    const pods = ctx.informers.informer<PodObject>(PODS);
    const nodes = ctx.informers.informer<NodeObject>(NODES);
    try {
      await ctx.informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    const timers = this.tuning.timers ?? realTimers;
    while (!signal.aborted) {
      await sleep(this.tuning.periodMs ?? 10_000, timers, signal);
      if (signal.aborted) break;
      try {
        await this.pass(pods, nodes);
      } catch (err) {
        this.log.error({ err }, 'pod GC pass failed');
      }
    }
  }

  /** One pass over every pod. */
  async pass(pods: Informer<PodObject>, nodes: Informer<NodeObject>): Promise<void> {
    const all = pods.list();
    await this.gcTerminated(all);
    await this.gcTerminatingOutOfService(all, nodes);
    await this.gcOrphaned(all, nodes);
    await this.gcUnscheduledTerminating(all);
  }

  private async gcTerminated(all: PodObject[]): Promise<void> {
    const threshold = this.ctx?.options.terminatedPodGcThreshold ?? 0;
    if (threshold <= 0) return;
    const terminated = all.filter(isTerminated);
    const excess = terminated.length - threshold;
    if (excess <= 0) return;
    terminated.sort(gcOrder);
    this.log?.info({ pods: excess, threshold }, 'deleting terminated pods over the threshold');
    await this.deleteAll(terminated.slice(0, excess), undefined, 'terminated');
  }

  private async gcTerminatingOutOfService(all: PodObject[], nodes: Informer<NodeObject>): Promise<void> {
    const doomed = all.filter((p) => {
      if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) return false;
      const node = nodes.get(p.spec.nodeName);
      if (!node) return false;
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return !ready && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE);
    });
    if (doomed.length)
      await this.deleteAll(doomed.sort(gcOrder), undefined, 'terminating on an out-of-service node');
  }

  private async gcOrphaned(all: PodObject[], nodes: Informer<NodeObject>): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const now = ctx.clock.now().getTime();
    const quarantine = this.tuning.quarantineMs ?? 20_000;
    const byNode = new Map<string, PodObject[]>();
    for (const p of all) {
      const node = p.spec?.nodeName;
      if (!node || nodes.get(node)) continue;
      (byNode.get(node) ?? byNode.set(node, []).get(node))?.push(p);
    }
    for (const name of this.missing.keys()) if (!byNode.has(name)) this.missing.delete(name);
    for (const [name, pods] of byNode) {
      const since = this.missing.get(name);
      if (since === undefined) {
        this.missing.set(name, now);
        continue;
      }
      if (now - since < quarantine) continue;
      if (!(await this.nodeGone(name))) {
        this.missing.delete(name);
        continue;
      }
      this.log?.info({ node: name, pods: pods.length }, 'deleting pods of a node that no longer exists');
      await this.deleteAll(pods, ORPHAN_CONDITION, 'orphaned');
    }
  }

  private async gcUnscheduledTerminating(all: PodObject[]): Promise<void> {
    const doomed = all.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName);
    if (doomed.length) await this.deleteAll(doomed, undefined, 'unscheduled and terminating');
  }

  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.ctx?.client.resource(NODES).get(name);
      return false;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return true;
      this.log?.warn({ err, node: name }, 'could not check whether a node exists');
      return false;
    }
  }

  private async deleteAll(
    pods: PodObject[],
    condition: PodCondition | undefined,
    why: string,
  ): Promise<void> {
    const failed = await inBatches(pods, (p) => this.failAndDelete(p, condition));
    if (failed) this.log?.warn({ failed, why }, 'some pods could not be deleted; next pass retries');
  }

  /** Sets a pod that is not terminal Failed (with `condition`), then force-deletes it. */
  private async failAndDelete(cached: PodObject, condition: PodCondition | undefined): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const client = ctx.client.resource<PodObject>(PODS, cached.metadata.namespace);
    const name = cached.metadata.name ?? '';
    try {
      if (!isTerminated(cached)) {
        const copy = structuredClone(cached);
        let conditions = copy.status?.conditions ?? [];
        if (condition) {
          const at = rfc3339(ctx.clock.now());
          conditions = [
            ...conditions.filter((c) => c.type !== condition.type),
            { ...condition, lastTransitionTime: at },
          ];
        }
        await client.updateStatus({ ...copy, status: { ...copy.status, phase: 'Failed', conditions } });
      }
      await client.delete(name, { gracePeriodSeconds: 0, preconditions: { uid: cached.metadata.uid } });
      this.log?.info({ pod: objectKey(cached) }, 'pod GC force-deleted pod');
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}

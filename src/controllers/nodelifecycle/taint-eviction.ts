/**
 * The taint eviction controller: deletes pods from nodes with NoExecute taints they do not tolerate —
 * at once, or when the shortest tolerationSeconds of the tolerations they use runs out (counted from
 * the taint's timeAdded, or from when this controller first saw it). Before deleting it records a
 * TaintManagerEviction event and gives the pod the DisruptionTarget condition. A scheduled eviction
 * is cancelled (with an event) when the taint goes away or the pod comes to tolerate it for good.
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { realTimers, type Timers } from '../../client/backoff.js';
import type { EventRecorder } from '../../client/events.js';
import { NODES, PODS } from '../../client/resources.js';
import { objectKey, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { rfc3339 } from '../../util/time.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import type { NodeObject } from './lifecycle.js';
import { ensurePodNodeIndex, podsOnNode, type PodObject } from './pod-index.js';
import { matchingTolerations, minTolerationSeconds, noExecuteTaints } from './taints.js';

/** Knobs tests turn. */
export interface TaintEvictionTuning {
  timers?: Timers;
}

interface Scheduled {
  /** When the toleration started counting (ms). */
  start: number;
  /** When the pod is to be deleted (ms). */
  at: number;
  handle: unknown;
}

const EVICT = 'evict:';

/** When the NoExecute taints started (the earliest timeAdded), or undefined when none says. */
function taintedSince(taints: readonly Taint[]): number | undefined {
  let min: number | undefined;
  for (const t of taints) {
    const at = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
    if (Number.isFinite(at)) min = min === undefined ? at : Math.min(min, at);
  }
  return min;
}

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  private readonly scheduled = new Map<string, Scheduled>();

  constructor(private readonly tuning: TaintEvictionTuning = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.logger('taint-eviction-controller');
    const recorder = ctx.recorder('taint-eviction-controller');
    const nodes = ctx.informers.informer<NodeObject>(NODES);
    const pods = ctx.informers.informer<PodObject>(PODS);
    ensurePodNodeIndex(pods);
    const timers = this.tuning.timers ?? realTimers;
    const queue: WorkQueue = new WorkQueue(
      (key) =>
        key.startsWith(EVICT)
          ? this.evict(ctx, pods, recorder, log, key.slice(EVICT.length))
          : this.sync(ctx, nodes, pods, recorder, queue, timers, key),
      log,
      { concurrency: 8 },
    );
    const cancel = (key: string, event: boolean): void =>
      this.cancel(key, timers, event ? recorder : undefined);
    nodes.addHandlers({
      add: (n) => {
        if (noExecuteTaints(n).length)
          for (const p of podsOnNode(pods, n.metadata.name ?? '')) queue.add(objectKey(p));
      },
      update: (old, n) => {
        if (JSON.stringify(noExecuteTaints(old)) === JSON.stringify(noExecuteTaints(n))) return;
        for (const p of podsOnNode(pods, n.metadata.name ?? '')) queue.add(objectKey(p));
      },
    });
    pods.addHandlers({
      add: (p) => {
        if (p.spec?.nodeName) queue.add(objectKey(p));
      },
      update: (old, p) => {
        if (!p.spec?.nodeName) return;
        const same =
          old.spec?.nodeName === p.spec.nodeName &&
          JSON.stringify(old.spec?.tolerations ?? []) === JSON.stringify(p.spec.tolerations ?? []) &&
          !!old.metadata.deletionTimestamp === !!p.metadata.deletionTimestamp;
        if (!same) queue.add(objectKey(p));
      },
      delete: (p) => cancel(objectKey(p), true),
    });
    try {
      await ctx.informers.waitForSync(signal);
    } catch (err) {
      queue.stop();
      if (signal.aborted) return;
      throw err;
    }
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    queue.stop();
    for (const key of [...this.scheduled.keys()]) cancel(key, false);
  }

  /** Pods with an eviction scheduled (tests). */
  scheduledAt(key: string): number | undefined {
    return this.scheduled.get(key)?.at;
  }

  private cancel(key: string, timers: Timers, recorder: EventRecorder | undefined): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    timers.clearTimeout(s.handle);
    this.scheduled.delete(key);
    if (recorder) {
      const [namespace = '', name = ''] = key.split('/');
      void recorder.record(
        { kind: 'Pod', apiVersion: 'v1', namespace, name },
        'Normal',
        'TaintManagerEviction',
        `Cancelling deletion of Pod ${key}`,
      );
    }
  }

  /** Decides a pod's fate from its node's NoExecute taints and its tolerations. */
  private sync(
    ctx: ControllerContext,
    nodes: Informer<NodeObject>,
    pods: Informer<PodObject>,
    recorder: EventRecorder,
    queue: WorkQueue,
    timers: Timers,
    key: string,
  ): Promise<void> {
    const pod = pods.get(key);
    if (!pod) {
      this.cancel(key, timers, recorder);
      return Promise.resolve();
    }
    if (pod.metadata.deletionTimestamp) {
      this.cancel(key, timers, undefined);
      return Promise.resolve();
    }
    const taints = noExecuteTaints(nodes.get(pod.spec?.nodeName ?? ''));
    if (taints.length === 0) {
      this.cancel(key, timers, recorder);
      return Promise.resolve();
    }
    const now = ctx.clock.now().getTime();
    const { all, used } = matchingTolerations(taints, pod.spec?.tolerations ?? []);
    if (!all) {
      this.cancel(key, timers, undefined);
      queue.add(EVICT + key);
      return Promise.resolve();
    }
    const seconds = minTolerationSeconds(used);
    if (seconds === undefined) {
      this.cancel(key, timers, recorder);
      return Promise.resolve();
    }
    const existing = this.scheduled.get(key);
    const start = existing?.start ?? Math.min(now, taintedSince(taints) ?? now);
    const at = start + seconds * 1000;
    if (existing && existing.at <= at) return Promise.resolve();
    if (existing) this.cancel(key, timers, recorder);
    const handle = timers.setTimeout(
      () => {
        this.scheduled.delete(key);
        queue.add(EVICT + key);
      },
      Math.max(0, at - now),
    );
    (handle as { unref?: () => void }).unref?.();
    this.scheduled.set(key, { start, at, handle });
    return Promise.resolve();
  }

  /** Records the event, marks the pod a disruption target, and deletes it. */
  private async evict(
    ctx: ControllerContext,
    pods: Informer<PodObject>,
    recorder: EventRecorder,
    log: Logger,
    key: string,
  ): Promise<void> {
    const cached = pods.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const namespace = cached.metadata.namespace ?? '';
    const name = cached.metadata.name ?? '';
    log.info({ pod: key, node: cached.spec?.nodeName }, 'deleting pod: NoExecute taint not tolerated');
    await recorder.record(
      { kind: 'Pod', apiVersion: 'v1', namespace, name },
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${key}`,
    );
    const client = ctx.client.resource<PodObject>(PODS, namespace);
    try {
      const pod = await client.get(name);
      const conditions = pod.status?.conditions ?? [];
      if (!conditions.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) {
        const now = rfc3339(ctx.clock.now());
        const target = {
          type: 'DisruptionTarget',
          status: 'True',
          lastTransitionTime: now,
          reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint',
        };
        await client.updateStatus({
          ...pod,
          status: {
            ...pod.status,
            conditions: [...conditions.filter((c) => c.type !== 'DisruptionTarget'), target],
          },
        });
      }
      await client.delete(name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}

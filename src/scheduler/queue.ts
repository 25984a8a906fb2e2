/**
 * The scheduling queue, as upstream's PriorityQueue: an active queue (highest priority first, then
 * oldest), a backoff queue (pods waiting out their backoff: 1 s doubling per attempt up to 10 s),
 * and the unschedulable pods, which go back to the active or backoff queue when a cluster event
 * that could make them schedulable happens (a node added, a pod deleted…), or after 5 minutes.
 * Timers are injected, so tests drive time by hand.
 */
import type { Timers } from '../client/backoff.js';
import { KeyedHeap } from './heap.js';
import type { PodInfo } from './podinfo.js';

/** Kinds of objects whose changes can make pods schedulable. */
export type EventResource = 'Node' | 'AssignedPod' | 'UnscheduledPod' | 'Namespace';

/** Action bits of a cluster event (combinable, as upstream's ActionType). */
export const ACTION = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodToleration: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  /** Any other update. */
  Update: 2048,
} as const;

/** Every update bit. */
export const ANY_UPDATE =
  ACTION.UpdateNodeAllocatable |
  ACTION.UpdateNodeLabel |
  ACTION.UpdateNodeTaint |
  ACTION.UpdateNodeCondition |
  ACTION.UpdateNodeAnnotation |
  ACTION.UpdatePodLabel |
  ACTION.UpdatePodScaleDown |
  ACTION.UpdatePodToleration |
  ACTION.UpdatePodSchedulingGatesEliminated |
  ACTION.Update;
export const ANY_ACTION = ACTION.Add | ACTION.Delete | ANY_UPDATE;

/** A change in the cluster. */
export interface ClusterEvent {
  resource: EventResource;
  action: number;
  /** For logs: `NodeAdd`, `AssignedPodDelete`… */
  label: string;
}

/** A pod waiting in the queue, with its attempt history. */
export interface QueuedPodInfo {
  info: PodInfo;
  /** When the pod entered the queue (or last failed): orders equal priorities, starts backoff. */
  timestamp: number;
  /** When the pod first entered the queue. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected it last time (decides which events wake it). */
  unschedulablePlugins: Set<string>;
}

/** Options of the queue (upstream's defaults). */
export interface QueueOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Unschedulable pods are retried after this long even without an event. */
  maxInUnschedulableMs: number;
  /** How often backoff and the unschedulable leftovers are checked. */
  backoffFlushMs: number;
  unschedulableFlushMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  initialBackoffMs: 1_000,
  maxBackoffMs: 10_000,
  maxInUnschedulableMs: 5 * 60_000,
  backoffFlushMs: 1_000,
  unschedulableFlushMs: 30_000,
};

/** Decides whether an event may help a pod rejected by `plugins` (empty set: any event may). */
export type EventFilter = (plugins: ReadonlySet<string>, event: ClusterEvent) => boolean;

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPodInfo>(
    (q) => q.info.key,
    (a, b) =>
      a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp),
  );
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(
    (q) => q.info.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and not yet done (being scheduled or bound). */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  /** Events seen while a pod was in flight: a pod failing afterwards retries instead of waiting. */
  private readonly inFlightEvents = new Map<string, ClusterEvent[]>();
  private waiter: (() => void) | undefined;
  private timers: unknown[] = [];
  private closed = false;
  readonly opts: QueueOptions;

  constructor(
    private readonly clock: Timers,
    private readonly eventFilter: EventFilter = () => true,
    opts: Partial<QueueOptions> = {},
  ) {
    this.opts = { ...DEFAULT_QUEUE_OPTIONS, ...opts };
  }

  /** Starts the periodic flushes (backoff completed, unschedulable leftovers). */
  run(): void {
    const every = (ms: number, fn: () => void): void => {
      const tick = (): void => {
        if (this.closed) return;
        fn();
        this.timers.push(this.clock.setTimeout(tick, ms));
      };
      this.timers.push(this.clock.setTimeout(tick, ms));
    };
    every(this.opts.backoffFlushMs, () => this.flushBackoffCompleted());
    every(this.opts.unschedulableFlushMs, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
    this.wake();
  }

  // ---- sizes (for tests and metrics) ----

  get activeSize(): number {
    return this.active.size;
  }
  get backoffSize(): number {
    return this.backoff.size;
  }
  get unschedulableSize(): number {
    return this.unschedulable.size;
  }
  /** Where a pod is: 'active', 'backoff', 'unschedulable', 'inFlight' or undefined. */
  where(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  // ---- pods in ----

  /** A new pending pod. */
  add(info: PodInfo): void {
    const key = info.key;
    if (this.inFlight.has(key)) return;
    const now = this.clock.now();
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    const prev = this.active.get(key);
    this.active.push(
      prev
        ? { ...prev, info }
        : {
            info,
            timestamp: now,
            initialAttemptTimestamp: now,
            attempts: 0,
            unschedulablePlugins: new Set(),
          },
    );
    this.wake();
  }

  /**
   * A pending pod changed. In the active or backoff queue it is just refreshed; an unschedulable pod
   * whose spec or labels changed is retried (the change may make it fit).
   */
  update(info: PodInfo, specChanged: boolean): void {
    const key = info.key;
    const inflight = this.inFlight.get(key);
    if (inflight) {
      inflight.info = info;
      return;
    }
    const act = this.active.get(key);
    if (act) {
      this.active.push({ ...act, info });
      return;
    }
    const bo = this.backoff.get(key);
    if (bo) {
      this.backoff.push({ ...bo, info });
      return;
    }
    const un = this.unschedulable.get(key);
    if (un) {
      un.info = info;
      if (specChanged) {
        this.unschedulable.delete(key);
        this.requeue(un);
      }
      return;
    }
    this.add(info);
  }

  /** The pod is gone (deleted or bound by someone else). */
  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  // ---- pods out ----

  /** The next pod to schedule, or undefined when the active queue is empty. */
  pop(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    if (!q) return undefined;
    q.attempts++;
    this.inFlight.set(q.info.key, q);
    this.inFlightEvents.set(q.info.key, []);
    return q;
  }

  /** Resolves when a pod may be popped (or the queue closed, or `signal` aborted). */
  waitForPod(signal?: AbortSignal): Promise<void> {
    if (this.active.size > 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiter = undefined;
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }

  /** The pod left the scheduler (bound, or requeued by {@link addUnschedulable}/{@link addBackoff}). */
  done(key: string): void {
    this.inFlight.delete(key);
    this.inFlightEvents.delete(key);
  }

  /**
   * A popped pod did not fit. If an event that may help arrived while it was being scheduled, it
   * retries after its backoff; otherwise it waits for such an event.
   */
  addUnschedulable(q: QueuedPodInfo, plugins: ReadonlySet<string>): void {
    const key = q.info.key;
    const events = this.inFlightEvents.get(key) ?? [];
    this.done(key);
    q.unschedulablePlugins = new Set(plugins);
    q.timestamp = this.clock.now();
    if (events.some((e) => this.eventFilter(q.unschedulablePlugins, e))) this.backoff.push(q);
    else this.unschedulable.set(key, q);
  }

  /** A popped pod failed for another reason (an error, a lost binding): it retries after backoff. */
  addBackoff(q: QueuedPodInfo): void {
    this.done(q.info.key);
    q.timestamp = this.clock.now();
    q.unschedulablePlugins = new Set();
    this.backoff.push(q);
  }

  // ---- events ----

  /** A cluster event: unschedulable pods it may help go back to the active or backoff queue. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    for (const list of this.inFlightEvents.values()) list.push(event);
    if (this.unschedulable.size === 0) return;
    for (const [key, q] of this.unschedulable) {
      if (!this.eventFilter(q.unschedulablePlugins, event)) continue;
      this.unschedulable.delete(key);
      this.requeue(q);
    }
  }

  // ---- backoff ----

  /** Backoff of a pod that failed `attempts` times: 1 s, 2 s, 4 s… capped (upstream's rule). */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.opts.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.opts.maxBackoffMs - d) return this.opts.maxBackoffMs;
      d += d;
    }
    return d;
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private requeue(q: QueuedPodInfo): void {
    if (this.backoffExpiry(q) > this.clock.now()) this.backoff.push(q);
    else {
      this.active.push(q);
      this.wake();
    }
  }

  /** Moves pods whose backoff has expired to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    let moved = false;
    for (;;) {
      const top = this.backoff.peek();
      if (!top || this.backoffExpiry(top) > now) break;
      this.backoff.pop();
      this.active.push(top);
      moved = true;
    }
    if (moved) this.wake();
  }

  /** Retries pods that stayed unschedulable longer than the limit. */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.timestamp <= this.opts.maxInUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.requeue(q);
    }
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    w();
  }
}

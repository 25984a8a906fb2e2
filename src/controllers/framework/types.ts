/**
 * The contract every controller and the scheduler are written against: they see the cluster only
 * through a {@link Client} and shared {@link Informer}s, so the same code runs inside `k8ts server`
 * (an in-process client that reads the watch cache and writes through the stores with admission)
 * and against any server over HTTPS (tests, or a controller manager of its own).
 */
import type { Client, Informer, ApiObject, ResourceRef } from '../../client/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../../util/time.js';

/** Shared informers: one per collection, however many controllers ask for it. */
export interface InformerFactory {
  /** The informer of every object of `ref` (all namespaces); created on first use, started by {@link start}. */
  informer<T extends ApiObject = ApiObject>(ref: ResourceRef): Informer<T>;
  /** Starts every informer asked for so far (and those asked for later, at once). */
  start(signal: AbortSignal): void;
  /** Resolves when every informer asked for so far has loaded its first list. */
  waitForSync(signal: AbortSignal): Promise<void>;
}

/** Tunables of the controllers (flags of `k8ts server`). */
export interface ControllerOptions {
  /** A node whose Lease was not renewed for this long is marked Ready=Unknown (ms). */
  nodeMonitorGracePeriodMs: number;
  /** tolerationSeconds the server adds to pods for the not-ready and unreachable taints (s). */
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  /** Terminated pods kept before the pod GC deletes the oldest. */
  terminatedPodGcThreshold: number;
  /** How often the ResourceQuota controller recomputes every quota's usage (ms; upstream 5 min). */
  resourceQuotaSyncPeriodMs?: number;
}

/** What a controller is given when it starts. */
export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  options: ControllerOptions;
  /** The logger of one component (`deployment-controller`). */
  logger(component: string): Logger;
  /** An event recorder reporting as `component` (`deployment-controller`, `default-scheduler`). */
  recorder(component: string): EventRecorder;
}

/**
 * A controller: `run` asks for its informers and registers handlers (which only enqueue keys), waits
 * for `ctx.informers.waitForSync`, then processes its queue until `signal` aborts. It resolves when
 * stopped; it rejects only on a bug (the manager logs it and restarts it with backoff).
 */
export interface Controller {
  /** Upstream's controller name (`deployment`, `replicaset`, `nodelifecycle`…), used in logs and flags. */
  readonly name: string;
  run(ctx: ControllerContext, signal: AbortSignal): Promise<void>;
}

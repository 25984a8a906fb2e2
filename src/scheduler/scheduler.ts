/**
 * The scheduler: watches pods and nodes through shared informers, queues pending pods whose
 * schedulerName is one of its profiles, picks a node for each in a synchronous scheduling cycle,
 * counts the pod there at once (assumed), and binds it through `pods/binding` in the background.
 * A pod that fits nowhere gets a FailedScheduling event and PodScheduled=False with upstream's
 * wording, may preempt lower-priority pods, and waits for a cluster event that could help it.
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { realTimers, type Timers } from '../client/backoff.js';
import type { EventRecorder } from '../client/events.js';
import { NAMESPACES, NODES, PODS } from '../client/resources.js';
import type { ApiObject, Informer } from '../client/types.js';
import type { Controller, ControllerContext } from '../controllers/framework/types.js';
import type { Logger } from '../util/log.js';
import { SchedulerCache } from './cache.js';
import {
  clusterEvent,
  isTerminal,
  nodeImagesChanged,
  nodeUpdateActions,
  podUpdateActions,
} from './events.js';
import { FitError } from './framework/status.js';
import { CycleState, type PostFilterContext } from './framework/types.js';
import { SchedulerActions } from './actions.js';
import { ClusterSources } from './sources.js';
import { NoNodesError, type Framework } from './framework/framework.js';
import { Nominator } from './nominator.js';
import { PodInfo } from './podinfo.js';
import { buildFramework, defaultProfiles, type ProfileConfig } from './profile.js';
import { eventMayHelp } from './plugins/registry.js';
import { ACTION, SchedulingQueue, type QueueOptions, type QueuedPodInfo } from './queue.js';

/** Options of the scheduler. */
export interface SchedulerOptions {
  profiles: ProfileConfig[];
  /** Share of nodes to look at in big clusters (0 or undefined: upstream's adaptive rule). */
  percentageOfNodesToScore?: number;
  queue?: Partial<QueueOptions>;
  /** Bindings in flight at once. */
  maxInFlightBindings?: number;
  /** Injected for tests. */
  timers?: Timers;
  random?: () => number;
}

type PodObj = Pod & ApiObject;
type NodeObj = Node & ApiObject;

/** Upstream's message for pods held by scheduling gates. */
export const SCHEDULING_GATED = 'Scheduling is blocked due to non-empty scheduling gates';

/** Yield to the event loop after this much synchronous scheduling (ms). */
const YIELD_EVERY_MS = 5;

/** The scheduler, run by the controller manager as the controller named `scheduler`. */
export class Scheduler implements Controller {
  readonly name = 'scheduler';
  /** State of one run (a term of leadership, or a restart after a failure): rebuilt by {@link run}. */
  cache = new SchedulerCache();
  nominator = new Nominator();
  queue: SchedulingQueue;
  private readonly frameworks = new Map<string, Framework>();
  private readonly timers: Timers;
  private log!: Logger;
  private actions!: SchedulerActions;
  private sources: ClusterSources | undefined;
  private pods!: Informer<PodObj>;
  private readonly random: () => number;
  private bindingsInFlight = 0;
  private bindingSlot: (() => void) | undefined;
  private readonly pendingBindings = new Set<Promise<void>>();
  /** Scheduling attempts and outcomes (for logs, tests and the benchmark). */
  readonly stats = { attempts: 0, scheduled: 0, unschedulable: 0, errors: 0, bound: 0, bindFailures: 0 };

  constructor(private readonly opts: SchedulerOptions = { profiles: defaultProfiles() }) {
    this.timers = opts.timers ?? realTimers;
    this.random = opts.random ?? Math.random;
    // Build every profile now: a bad configuration fails at start, not at the first pod.
    for (const p of opts.profiles) {
      if (this.frameworks.has(p.schedulerName)) throw new Error(`duplicate profile: ${p.schedulerName}`);
      this.frameworks.set(p.schedulerName, buildFramework(p, opts.percentageOfNodesToScore, opts.random));
    }
    this.queue = new SchedulingQueue(this.timers, eventMayHelp, opts.queue);
  }

  /** The profile (framework) of a scheduler name. */
  framework(name: string): Framework | undefined {
    return this.frameworks.get(name);
  }

  private responsible(pod: Pod): boolean {
    return this.frameworks.has(pod.spec?.schedulerName ?? 'default-scheduler');
  }

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    this.log = ctx.logger('scheduler');
    // A new term starts from the informers, not from what an earlier run knew.
    this.cache = new SchedulerCache();
    this.nominator = new Nominator();
    this.queue = new SchedulingQueue(this.timers, eventMayHelp, this.opts.queue);
    const recorders = new Map<string, EventRecorder>();
    for (const name of this.frameworks.keys()) recorders.set(name, ctx.recorder(name));
    this.pods = ctx.informers.informer<PodObj>(PODS);
    this.actions = new SchedulerActions(ctx.client, this.log, ctx.clock, recorders, (k) => this.pods.get(k));
    const sources = new ClusterSources(ctx.informers);
    this.sources = sources;
    this.cache.spreadSelectorSource = (p) => sources.defaultSpreadSelector(p);
    const nodes = ctx.informers.informer<NodeObj>(NODES);
    const namespaces = ctx.informers.informer<Namespace & ApiObject>(NAMESPACES);
    const unregister = [
      nodes.addHandlers({
        add: (n) => this.onNodeAdd(n),
        update: (o, n) => this.onNodeUpdate(o, n),
        delete: (n) => this.onNodeDelete(n),
      }),
      namespaces.addHandlers({
        add: (ns) => this.onNamespace(ns, true),
        update: (o, ns) => this.onNamespace(ns, !deepLabelsEqual(o, ns)),
        delete: (ns) => this.cache.setNamespace(ns.metadata.name ?? '', undefined),
      }),
      this.pods.addHandlers({
        add: (p) => this.onPodAdd(p),
        update: (o, p) => this.onPodUpdate(o, p),
        delete: (p) => this.onPodDelete(p),
      }),
    ];
    try {
      await ctx.informers.waitForSync(signal);
      this.queue.run();
      this.log.info({ profiles: [...this.frameworks.keys()] }, 'scheduler started');
      await this.loop(signal);
    } finally {
      this.queue.close();
      for (const u of [...unregister, ...sources.unregister]) u();
      await this.actions.events.flush();
      await Promise.allSettled([...this.pendingBindings]);
    }
  }

  // ---- informer handlers ----

  private onNodeAdd(n: NodeObj): void {
    this.cache.addOrUpdateNode(n);
    this.queue.moveAllToActiveOrBackoff(clusterEvent('Node', ACTION.Add));
  }

  private onNodeUpdate(o: NodeObj, n: NodeObj): void {
    const actions = nodeUpdateActions(o, n);
    if (actions === 0 && !nodeImagesChanged(o, n)) return;
    this.cache.addOrUpdateNode(n);
    if (actions !== 0) this.queue.moveAllToActiveOrBackoff(clusterEvent('Node', actions));
  }

  private onNodeDelete(n: NodeObj): void {
    this.cache.removeNode(n.metadata.name ?? '');
    this.queue.moveAllToActiveOrBackoff(clusterEvent('Node', ACTION.Delete));
  }

  private onNamespace(ns: Namespace & ApiObject, changed: boolean): void {
    this.cache.setNamespace(ns.metadata.name ?? '', ns.metadata.labels ?? {});
    if (changed) this.queue.moveAllToActiveOrBackoff(clusterEvent('Namespace', ACTION.Add));
  }

  private onPodAdd(p: PodObj): void {
    const node = p.spec?.nodeName;
    if (node) {
      if (isTerminal(p)) return;
      this.cache.addOrUpdateBoundPod(new PodInfo(p), node);
      this.nominator.delete(new PodInfo(p).key);
      this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Add));
      return;
    }
    if (!this.pendingForUs(p)) return;
    const info = new PodInfo(p);
    if (this.gated(info)) return;
    if (p.status?.nominatedNodeName) this.nominator.set(info, p.status.nominatedNodeName);
    this.queue.add(info);
  }

  /**
   * A pod with scheduling gates waits outside the queue with PodScheduled=False/SchedulingGated
   * (upstream's SchedulingGates PreEnqueue plugin); true when gated.
   */
  private gated(info: PodInfo): boolean {
    if ((info.pod.spec?.schedulingGates?.length ?? 0) === 0) return false;
    this.queue.delete(info.key);
    const name = info.pod.spec?.schedulerName ?? 'default-scheduler';
    this.actions.failed(name, info, 'SchedulingGated', SCHEDULING_GATED, undefined, false);
    return true;
  }

  private onPodUpdate(o: PodObj, p: PodObj): void {
    const node = p.spec?.nodeName;
    if (node) {
      const key = `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
      if (!o.spec?.nodeName) {
        // Bound (by us or anyone): no longer pending.
        this.queue.delete(key);
        this.nominator.delete(key);
      }
      if (isTerminal(p)) {
        if (this.cache.nodeOf(key) !== undefined) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Delete));
        }
        return;
      }
      if (!o.spec?.nodeName && this.cache.isAssumed(key) && this.cache.nodeOf(key) === node) {
        // Our own binding observed: the assumed pod becomes bound, its PodInfo reused unless the
        // pod changed in a way that matters.
        if (podUpdateActions(o, p) === 0 && this.cache.confirm(key, p)) {
          this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Add));
          return;
        }
      }
      const actions = o.spec?.nodeName ? podUpdateActions(o, p) : ACTION.Add;
      const known = this.cache.nodeOf(key) === node && !this.cache.isAssumed(key);
      if (known && actions === 0) {
        // Nothing the scheduler derives changed (a status update): keep the PodInfo, on the new object.
        this.cache.refreshBoundPod(key, p);
        return;
      }
      this.cache.addOrUpdateBoundPod(new PodInfo(p), node);
      if (!o.spec?.nodeName) this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Add));
      else if (actions !== 0) this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', actions));
      return;
    }
    const key = `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
    if (this.cache.isAssumed(key)) return; // being bound
    if (!this.pendingForUs(p)) {
      this.queue.delete(key);
      return;
    }
    const info = new PodInfo(p);
    if (this.gated(info)) return;
    const nominated = p.status?.nominatedNodeName ?? '';
    if (nominated) this.nominator.set(info, nominated);
    else this.nominator.delete(key);
    const actions = podUpdateActions(o, p);
    this.queue.update(info, actions !== 0);
  }

  private onPodDelete(p: PodObj): void {
    const key = `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
    this.queue.delete(key);
    this.nominator.delete(key);
    if (this.cache.nodeOf(key) !== undefined) {
      this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Delete));
    }
  }

  /** An unbound pod this scheduler should place (its profile, not being deleted, not finished). */
  private pendingForUs(p: Pod): boolean {
    return !p.spec?.nodeName && !p.metadata?.deletionTimestamp && !isTerminal(p) && this.responsible(p);
  }

  // ---- the loop ----

  private async loop(signal: AbortSignal): Promise<void> {
    let since = this.timers.now();
    while (!signal.aborted) {
      const q = this.queue.pop();
      if (!q) {
        await this.queue.waitForPod(signal);
        since = this.timers.now();
        continue;
      }
      this.scheduleOne(q);
      if (this.bindingsInFlight >= (this.opts.maxInFlightBindings ?? 500)) {
        await new Promise<void>((resolve) => (this.bindingSlot = resolve));
        since = this.timers.now();
      } else if (this.timers.now() - since >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = this.timers.now();
      }
    }
  }

  /** One scheduling cycle for `q` (synchronous); the binding continues in the background. */
  scheduleOne(q: QueuedPodInfo): void {
    const key = q.info.key;
    const current = this.pods.get(key);
    if (!current || !this.pendingForUs(current)) {
      this.queue.done(key);
      return;
    }
    if ((current.spec?.schedulingGates?.length ?? 0) > 0) {
      this.queue.done(key);
      return;
    }
    const pod = q.info;
    const fw = this.frameworks.get(pod.pod.spec?.schedulerName ?? 'default-scheduler');
    if (!fw) {
      this.queue.done(key);
      return;
    }
    this.stats.attempts++;
    const state = new CycleState();
    let node: string;
    try {
      node = fw.schedule(state, pod, this.cache, (n, p) => this.nominator.forNode(n, p)).node;
    } catch (err) {
      this.onScheduleError(fw, q, state, err);
      return;
    }
    this.stats.scheduled++;
    this.cache.assumePod(pod, node);
    this.nominator.delete(key);
    this.queue.done(key);
    this.startBinding(fw, q, node);
  }

  private onScheduleError(fw: Framework, q: QueuedPodInfo, state: CycleState, err: unknown): void {
    const pod = q.info;
    if (err instanceof FitError) {
      this.stats.unschedulable++;
      let nominated: string | undefined;
      for (const pl of fw.plugins.postFilter) {
        const r = pl.postFilter(state, pod, err.diagnosis, this.postFilterContext(fw));
        err.diagnosis.postFilterMsg = r.message;
        if (r.nominatedNodeName !== undefined) nominated = r.nominatedNodeName;
        if (r.nominatedNodeName) break;
      }
      if (nominated) this.nominator.set(pod, nominated);
      else if (nominated === '') this.nominator.delete(pod.key);
      const message = err.message;
      this.log.debug({ pod: pod.key, message }, 'unable to schedule pod');
      this.actions.failed(fw.schedulerName, pod, 'Unschedulable', message, nominated);
      this.queue.addUnschedulable(q, err.diagnosis.unschedulablePlugins);
      return;
    }
    this.stats.errors++;
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof NoNodesError)) this.log.error({ err, pod: pod.key }, 'error scheduling pod');
    this.actions.failed(fw.schedulerName, pod, 'SchedulerError', message, undefined);
    this.queue.addBackoff(q);
  }

  private postFilterContext(fw: Framework): PostFilterContext {
    return {
      view: this.cache,
      runFilters: (state, pod, node) =>
        fw.runFiltersWithNominated(state, pod, node, this.cache, (n, p) => this.nominator.forNode(n, p)),
      addPod: (state, pod, added, node) => {
        for (const pl of fw.plugins.preFilter) pl.addPod?.(state, pod, added, node, this.cache);
      },
      removePod: (state, pod, removed, node) => {
        for (const pl of fw.plugins.preFilter) pl.removePod?.(state, pod, removed, node, this.cache);
      },
      nominatedPods: (node) => this.nominator.all(node),
      pdbs: () => this.sources?.pdbs() ?? [],
      preempt: (preemptor, node, victims, clear) => {
        for (const p of clear) this.nominator.delete(p.key);
        this.actions.preempt(fw.schedulerName, preemptor, node, victims, clear);
      },
      random: this.random,
    };
  }

  // ---- binding ----

  private startBinding(fw: Framework, q: QueuedPodInfo, node: string): void {
    this.bindingsInFlight++;
    const done = this.bind(fw, q, node).finally(() => {
      this.bindingsInFlight--;
      this.pendingBindings.delete(done);
      const slot = this.bindingSlot;
      this.bindingSlot = undefined;
      slot?.();
    });
    this.pendingBindings.add(done);
  }

  private async bind(fw: Framework, q: QueuedPodInfo, node: string): Promise<void> {
    try {
      await this.actions.bind(q.info, node);
      this.stats.bound++;
      this.actions.scheduled(fw.schedulerName, q.info, node);
    } catch (err) {
      this.stats.bindFailures++;
      this.cache.forgetPod(q.info.key);
      this.queue.moveAllToActiveOrBackoff(clusterEvent('AssignedPod', ACTION.Delete));
      const current = this.pods.get(q.info.key);
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) {
        // Deleted, or bound meanwhile: the informer brings the truth; retry only a pod still pending.
        this.log.debug({ pod: q.info.key, err: err.message }, 'binding rejected');
        if (current && this.pendingForUs(current)) this.queue.addBackoff(q);
        return;
      }
      const message = `binding rejected: ${err instanceof Error ? err.message : String(err)}`;
      this.log.warn({ pod: q.info.key, node, err }, 'binding failed');
      this.actions.failed(fw.schedulerName, q.info, 'SchedulerError', message, undefined);
      this.queue.addBackoff(q);
    }
  }
}

function deepLabelsEqual(a: ApiObject, b: ApiObject): boolean {
  const la = a.metadata.labels ?? {};
  const lb = b.metadata.labels ?? {};
  const ka = Object.keys(la);
  if (ka.length !== Object.keys(lb).length) return false;
  return ka.every((k) => la[k] === lb[k]);
}

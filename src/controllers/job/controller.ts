/**
 * The Job controller: runs a Job's pods to completion. Informer handlers only enqueue Job keys (pod
 * events batched per Job, as upstream batches them for a second); `sync` claims the Job's pods
 * (adopting matching orphans, releasing pods that no longer match) and hands them to
 * {@link syncJob}. A second queue removes the tracking finalizer from pods whose Job is gone or
 * finished.
 */
import { untilAborted } from '../framework/manager.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import {
  compileLabelSelector,
  selectorMatches,
  type CompiledSelector,
} from '../../api/validation/selector.js';
import { realTimers, type Timers } from '../../client/backoff.js';
import { JOBS, PODS } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { Expectations } from '../framework/expectations.js';
import { controllerOf, controllerRef } from '../framework/pods.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { BackoffStore, MAX_POD_FAILURE_BACKOFF_MS, POD_FAILURE_BACKOFF_MS } from './backoff.js';
import type { JobDeps, JobObject } from './context.js';
import { FinalizerExpectations } from './finalizer-expectations.js';
import {
  externalController,
  hasTrackingFinalizer,
  isJobFinished,
  JOB_TRACKING_FINALIZER,
} from './jobpods.js';
import { isNotFound, jobTarget, PodControl } from './podcontrol.js';
import { syncJob } from './sync.js';

type PodObject = Pod & ApiObject;

const POD_INDEX = 'job-controller/owner';
const JOB_NS_INDEX = 'job-controller/namespace';

/** Options of the Job controller (tests shorten or virtualise its delays). */
export interface JobControllerOptions {
  /** Timers of the queues (virtual in tests). */
  timers?: Timers;
  /** A Job syncs at most once per this period for pod events and status updates (default 1 s). */
  batchPeriodMs?: number;
  /** Pod failure backoff: first delay and cap (defaults 10 s and 10 min). */
  podFailureBackoffMs?: number;
  maxPodFailureBackoffMs?: number;
  /** Jobs synced at once (default 5, upstream's --concurrent-job-syncs). */
  concurrency?: number;
}

function podIndexValues(pod: PodObject): string[] {
  const ref = controllerOf(pod);
  if (!ref) return [`orphan:${pod.metadata.namespace ?? ''}`];
  return ref.kind === 'Job' ? [`uid:${ref.uid}`] : [];
}

/** Adds an index unless a previous run of the controller (restarted) already did. */
function ensureIndex<T extends ApiObject>(inf: Informer<T>, name: string, fn: (o: T) => string[]): void {
  try {
    inf.addIndex(name, fn);
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('already exists'))) throw err;
  }
}

function sameRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function compiled(job: JobObject): CompiledSelector | undefined {
  const sel = compileLabelSelector(job.spec?.selector);
  return typeof sel === 'string' ? undefined : sel;
}

/** The `job` controller of `k8ts server`. */
export class JobController implements Controller {
  readonly name = 'job';

  constructor(private readonly opts: JobControllerOptions = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.logger('job-controller');
    const jobs = ctx.informers.informer<JobObject>(JOBS);
    const pods = ctx.informers.informer<PodObject>(PODS);
    ensureIndex(pods, POD_INDEX, podIndexValues);
    ensureIndex(jobs, JOB_NS_INDEX, (j) => [j.metadata.namespace ?? '']);
    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;
    const run = new JobRun(ctx, log, jobs, pods, this.opts);
    await run.start(signal);
  }
}

/** One run of the controller: its queues, expectations and handlers. */
class JobRun {
  private readonly timers: Timers;
  private readonly batchMs: number;
  private readonly queue: WorkQueue;
  private readonly orphans: WorkQueue;
  private readonly deps: JobDeps;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly log: Logger,
    private readonly jobs: Informer<JobObject>,
    private readonly pods: Informer<PodObject>,
    opts: JobControllerOptions,
  ) {
    this.timers = opts.timers ?? realTimers;
    this.batchMs = opts.batchPeriodMs ?? 1000;
    const queueOpts = { timers: this.timers, baseDelayMs: 1000, maxDelayMs: 60_000 };
    this.queue = new WorkQueue((k) => this.sync(k), log, {
      ...queueOpts,
      concurrency: opts.concurrency ?? 5,
    });
    this.orphans = new WorkQueue((k) => this.syncOrphan(k), log, { ...queueOpts, concurrency: 2 });
    const recorder = ctx.recorder('job-controller');
    this.deps = {
      client: ctx.client,
      recorder,
      log,
      pods: new PodControl(ctx.client, recorder),
      now: () => ctx.clock.now(),
      expectations: new Expectations(ctx.clock),
      finalizers: new FinalizerExpectations(),
      backoff: new BackoffStore(),
      podFailureBackoffMs: opts.podFailureBackoffMs ?? POD_FAILURE_BACKOFF_MS,
      maxPodFailureBackoffMs: opts.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, Math.max(ms, this.batchMs)),
    };
  }

  async start(signal: AbortSignal): Promise<void> {
    const offJobs = this.jobs.addHandlers({
      add: (j) => this.queue.add(objectKey(j)),
      update: (o, j) => this.updateJob(o, j),
      delete: (j) => {
        this.queue.add(objectKey(j));
        this.cleanupPodFinalizers(j);
      },
    });
    const offPods = this.pods.addHandlers({
      add: (p) => this.addPod(p),
      update: (o, p) => this.updatePod(o, p),
      delete: (p) => this.deletePod(p, true),
    });
    await untilAborted(signal);
    offJobs();
    offPods();
    this.queue.stop();
    this.orphans.stop();
  }

  private enqueueBatched(key: string): void {
    if (this.batchMs > 0) this.queue.addAfter(key, this.batchMs);
    else this.queue.add(key);
  }

  /** The Job a controller reference names, if it is in the cache with that uid. */
  private resolve(namespace: string, ref: OwnerReference): JobObject | undefined {
    if (ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(`${namespace}/${ref.name}`);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  /** Jobs of the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private podJobs(pod: PodObject): JobObject[] {
    return this.jobs.byIndex(JOB_NS_INDEX, pod.metadata.namespace ?? '').filter((j) => {
      const sel = compiled(j);
      return sel !== undefined && selectorMatches(sel, pod.metadata.labels);
    });
  }

  private updateJob(old: JobObject, cur: JobObject): void {
    const key = objectKey(cur);
    if (cur.metadata.generation === old.metadata.generation) this.enqueueBatched(key);
    else this.queue.add(key);
    // A finished Job keeps no finalizers on its pods: a backstop for any left behind.
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const start = cur.status?.startTime ? Date.parse(cur.status.startTime) : NaN;
    const ads = cur.spec?.activeDeadlineSeconds;
    if (Number.isFinite(start) && typeof ads === 'number' && ads !== old.spec?.activeDeadlineSeconds) {
      const passed = this.ctx.clock.now().getTime() - start;
      this.queue.addAfter(key, ads * 1000 - passed);
    }
  }

  private cleanupPodFinalizers(job: JobObject): void {
    for (const p of this.pods.byIndex(POD_INDEX, `uid:${job.metadata.uid ?? ''}`))
      if (hasTrackingFinalizer(p)) this.orphans.add(objectKey(p));
  }

  private addPod(pod: PodObject): void {
    if (pod.metadata.deletionTimestamp) {
      // Already being deleted (seen after a restart): not a creation to observe.
      this.deletePod(pod, false);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const job = this.resolve(pod.metadata.namespace ?? '', ref);
      if (!job) return;
      this.deps.expectations.creationObserved(objectKey(job));
      this.enqueueBatched(objectKey(job));
      return;
    }
    if (hasTrackingFinalizer(pod)) this.orphans.add(objectKey(pod));
    for (const job of this.podJobs(pod)) this.enqueueBatched(objectKey(job));
  }

  private updatePod(old: PodObject, cur: PodObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur, false);
      return;
    }
    const removed = !hasTrackingFinalizer(cur);
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = !sameRef(curRef, oldRef);
    const uid = cur.metadata.uid ?? '';
    if (refChanged && oldRef) {
      const job = this.resolve(old.metadata.namespace ?? '', oldRef);
      if (job) {
        if (removed) this.deps.finalizers.observed(objectKey(job), uid);
        this.enqueueBatched(objectKey(job));
      }
    }
    if (curRef) {
      const job = this.resolve(cur.metadata.namespace ?? '', curRef);
      if (!job) return;
      if (removed) this.deps.finalizers.observed(objectKey(job), uid);
      this.enqueueBatched(objectKey(job));
      return;
    }
    if (hasTrackingFinalizer(cur)) this.orphans.add(objectKey(cur));
    const labelsChanged =
      JSON.stringify(cur.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const job of this.podJobs(cur)) this.enqueueBatched(objectKey(job));
  }

  /** A pod deleted (`final`) or marked for deletion. */
  private deletePod(pod: PodObject, final: boolean): void {
    const ref = controllerOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    const job = ref ? this.resolve(pod.metadata.namespace ?? '', ref) : undefined;
    if (!job || isJobFinished(job)) {
      if (hasFinalizer) this.orphans.add(objectKey(pod));
      return;
    }
    const key = objectKey(job);
    this.deps.expectations.deletionObserved(key, pod.metadata.uid ?? '');
    if (final || !hasFinalizer) this.deps.finalizers.observed(key, pod.metadata.uid ?? '');
    this.enqueueBatched(key);
  }

  private async sync(key: string): Promise<void> {
    const d = this.deps;
    const shared = this.jobs.get(key);
    if (!shared) {
      d.expectations.delete(key);
      d.finalizers.delete(key);
      d.backoff.remove(key);
      return;
    }
    if (externalController(shared)) return;
    if (isJobFinished(shared)) {
      d.backoff.remove(key);
      return;
    }
    const mode = shared.spec?.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      void d.recorder.record(
        jobTarget(shared),
        'Warning',
        'UnknownCompletionMode',
        'Skipped Job sync because completion mode is unknown',
      );
      return;
    }
    if (!shared.spec?.selector) {
      // The API server always sets one; without it every pod would be released and replaced.
      this.log.warn({ job: key }, 'job has no selector; not syncing it');
      return;
    }
    // Read the expectations before the pods, so a pod arriving in between defers to the next sync.
    const satisfied = d.expectations.satisfied(key);
    const job = structuredClone(shared);
    const pods = await this.claimPods(job);
    await syncJob(d, key, job, pods, satisfied);
  }

  /** The Job's pods: those it controls and still selects, plus matching orphans it adopts. */
  private async claimPods(job: JobObject): Promise<Pod[]> {
    const sel = compileLabelSelector(job.spec?.selector);
    if (typeof sel === 'string') throw new Error(`couldn't convert Job selector: ${sel}`);
    const uid = job.metadata.uid ?? '';
    const ns = job.metadata.namespace ?? '';
    const podClient = this.ctx.client.resource<PodObject>(PODS, ns);
    const out: Pod[] = [];
    for (const p of this.pods.byIndex(POD_INDEX, `uid:${uid}`)) {
      if (controllerOf(p)?.uid !== uid) continue;
      if (selectorMatches(sel, p.metadata.labels)) {
        out.push(p);
        continue;
      }
      if (job.metadata.deletionTimestamp) continue;
      // Still ours but no longer selected: release it.
      const refs = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      try {
        await podClient.patch(p.metadata.name ?? '', 'merge', {
          metadata: {
            ownerReferences: refs.length > 0 ? refs : null,
            resourceVersion: p.metadata.resourceVersion,
          },
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    let canAdopt: boolean | undefined;
    for (const p of this.pods.byIndex(POD_INDEX, `orphan:${ns}`)) {
      if (job.metadata.deletionTimestamp || p.metadata.deletionTimestamp) continue;
      if (!selectorMatches(sel, p.metadata.labels)) continue;
      canAdopt ??= await this.canAdopt(job);
      if (!canAdopt) break;
      const finalizers = [...(p.metadata.finalizers ?? [])];
      if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
      try {
        const adopted = await podClient.patch(p.metadata.name ?? '', 'merge', {
          metadata: {
            ownerReferences: [
              ...(p.metadata.ownerReferences ?? []),
              controllerRef({ apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata }),
            ],
            finalizers,
            resourceVersion: p.metadata.resourceVersion,
          },
        });
        out.push(adopted);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  /** Adoption needs the live Job (same uid, not being deleted), not a possibly stale cache entry. */
  private async canAdopt(job: JobObject): Promise<boolean> {
    try {
      const fresh = await this.ctx.client
        .resource<JobObject>(JOBS, job.metadata.namespace)
        .get(job.metadata.name ?? '');
      return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Removes the tracking finalizer from a pod whose Job is gone, finished, or not its controller. */
  private async syncOrphan(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolve(pod.metadata.namespace ?? '', ref);
      if (job && externalController(job)) return;
      if (job && !isJobFinished(job)) return;
    }
    try {
      await this.deps.pods.removeTrackingFinalizer(pod);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/**
 * Test bench for the batch controllers: an in-memory API ({@link ApiFake}, a FakeClient that also
 * names objects from `generateName`, honours finalizers and `deletionTimestamp`, keeps pods on a
 * node until their "kubelet" ends them, and validates Job status writes as the server does), virtual
 * time shared by the controllers' clock and queue timers, and helpers to read events.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { apiErrors } from '../../../api/errors.js';
import { isObject, type KubeObject } from '../../../api/meta.js';
import { defaultCronJob, defaultJob } from '../../../api/batch/defaults.js';
import { validateJobStatusUpdate } from '../../../api/batch/validation/job.js';
import { generateJobSelector } from '../../../registry/strategies/batch/jobs.js';
import type { Timers } from '../../../client/backoff.js';
import { EventRecorder } from '../../../client/events.js';
import { EVENTS, JOBS, PODS } from '../../../client/resources.js';
import { ManualTimers } from '../../../client/testing/manual-timers.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import {
  objectKey,
  type ApiObject,
  type DeleteOptions,
  type ResourceClient,
  type ResourceRef,
} from '../../../client/types.js';
import { logger } from '../../../util/log.js';
import { rfc3339, type Clock } from '../../../util/time.js';
import { ClientInformerFactory } from '../../framework/informers.js';
import type { Controller, ControllerContext } from '../../framework/types.js';

const log = logger.child({ component: 'test' });
log.level = 'silent';

/** Virtual time: a clock and timers that move only when the test advances them. */
export class VirtualTime implements Timers {
  private readonly manual = new ManualTimers();
  readonly clock: Clock;

  constructor(readonly startMs = Date.parse('2026-03-01T10:00:00Z')) {
    this.clock = { now: () => new Date(this.startMs + this.manual.now()) };
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.manual.setTimeout(fn, ms);
  }
  clearTimeout(handle: unknown): void {
    this.manual.clearTimeout(handle);
  }
  now(): number {
    return this.manual.now();
  }
  /** Delays of the timers waiting to fire. */
  waiting(): number[] {
    return this.manual.waiting();
  }
  advance(ms: number): void {
    this.manual.advance(ms);
  }
  /** Moves to the wall-clock instant `iso` (never backwards). */
  advanceTo(iso: string): void {
    const target = Date.parse(iso) - this.startMs - this.manual.now();
    if (target > 0) this.manual.advance(target);
  }
}

/** One recorded DELETE. */
export interface DeleteCall {
  resource: string;
  key: string;
  opts: DeleteOptions | undefined;
}

function terminalPhase(obj: ApiObject): boolean {
  const phase = (obj['status'] as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The in-memory API of the batch controller tests. */
export class ApiFake extends FakeClient {
  readonly deletes: DeleteCall[] = [];
  /** Called before each create; throwing fails it (e.g. a quota refusing pods). */
  beforeCreate: ((ref: ResourceRef, obj: KubeObject) => void) | undefined;

  constructor(private readonly clock: Clock) {
    super();
  }

  /** A deleted object goes once it has no finalizers (and a pod on a node once it is terminal). */
  private settle(ref: ResourceRef, obj: ApiObject): ApiObject {
    if (!obj.metadata.deletionTimestamp || (obj.metadata.finalizers ?? []).length > 0) return obj;
    const node = (obj['spec'] as { nodeName?: string } | undefined)?.nodeName;
    if (ref.resource === 'pods' && node && !terminalPhase(obj)) return obj;
    this.remove(ref, objectKey(obj));
    return obj;
  }

  private current(ref: ResourceRef, key: string): ApiObject | undefined {
    return this.stored(ref).find((o) => objectKey(o) === key);
  }

  override resource<T extends ApiObject = ApiObject>(
    ref: ResourceRef,
    namespace?: string,
  ): ResourceClient<T> {
    const inner = super.resource<T>(ref, namespace);
    const keyOf = (name: string): string => (ref.namespaced && namespace ? `${namespace}/${name}` : name);
    return {
      get: (name, opts) => inner.get(name, opts),
      list: (opts) => inner.list(opts),
      watch: (opts) => inner.watch(opts),
      createSubresource: (name, sub, body) => inner.createSubresource(name, sub, body),
      create: async (obj, opts) => {
        this.beforeCreate?.(ref, obj);
        const copy = structuredClone(obj);
        copy.metadata ??= {};
        if (!copy.metadata.name && copy.metadata.generateName)
          copy.metadata.name = copy.metadata.generateName + randomBytes(4).toString('hex').slice(0, 5);
        copy.metadata.creationTimestamp = rfc3339(this.clock.now());
        copy.metadata.generation ??= 1;
        copy.metadata.uid ??= randomUUID();
        if (ref.resource === 'jobs') {
          // As the Job strategy does: defaults, then the generated selector and labels.
          defaultJob(copy);
          if ((copy['spec'] as { manualSelector?: boolean } | undefined)?.manualSelector !== true)
            generateJobSelector(copy);
        }
        return inner.create(copy, opts);
      },
      update: async (obj, opts) => this.settle(ref, await inner.update(obj, opts)) as T,
      updateStatus: async (obj, opts) => {
        if (ref.resource === 'jobs') {
          const old = this.current(ref, keyOf(obj.metadata?.name ?? ''));
          if (old) {
            const errs = validateJobStatusUpdate(obj, old);
            if (errs.length > 0) throw apiErrors.invalid('batch', 'Job', obj.metadata?.name ?? '', errs);
          }
        }
        return this.settle(ref, await inner.updateStatus(obj, opts)) as T;
      },
      patch: async (name, type, body, opts) => {
        const cur = this.current(ref, keyOf(name));
        if (!cur) throw apiErrors.notFound({ group: ref.group, resource: ref.resource }, name);
        let merged = body;
        if (isObject(body) && isObject(body['metadata'])) {
          const meta = { ...body['metadata'] };
          const rv = meta['resourceVersion'];
          if (typeof rv === 'string' && rv !== cur.metadata.resourceVersion)
            throw apiErrors.staleUpdate({ group: ref.group, resource: ref.resource }, name);
          delete meta['resourceVersion'];
          const drop = meta['$deleteFromPrimitiveList/finalizers'];
          if (type === 'strategic' && Array.isArray(drop)) {
            delete meta['$deleteFromPrimitiveList/finalizers'];
            const left = (cur.metadata.finalizers ?? []).filter((f) => !drop.includes(f));
            meta['finalizers'] = left.length > 0 ? left : null;
          }
          merged = { ...body, metadata: meta };
        }
        return this.settle(
          ref,
          await inner.patch(name, type === 'strategic' ? 'merge' : type, merged, opts),
        ) as T;
      },
      delete: async (name, opts) => {
        this.deletes.push({ resource: ref.resource, key: keyOf(name), opts });
        const cur = this.current(ref, keyOf(name));
        if (!cur) return inner.delete(name, opts);
        const node = (cur['spec'] as { nodeName?: string } | undefined)?.nodeName;
        const lingers =
          (cur.metadata.finalizers ?? []).length > 0 ||
          (ref.resource === 'pods' && node && !terminalPhase(cur));
        if (!lingers) return inner.delete(name, opts);
        if (cur.metadata.deletionTimestamp) return cur;
        cur.metadata.deletionTimestamp = rfc3339(this.clock.now());
        cur.metadata.deletionGracePeriodSeconds =
          opts?.gracePeriodSeconds ?? (ref.resource === 'pods' ? 30 : 0);
        return this.put(ref, cur) as T;
      },
    };
  }

  /** Pods (copies), optionally of one Job. */
  podList(jobName?: string): (Pod & ApiObject)[] {
    const pods = this.stored(PODS) as (Pod & ApiObject)[];
    return jobName === undefined
      ? pods
      : pods.filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === 'Job' && r.name === jobName));
  }

  /** The stored Job `ns/name`. */
  job(key: string): (Job & ApiObject) | undefined {
    return this.stored(JOBS).find((j) => objectKey(j) === key) as (Job & ApiObject) | undefined;
  }

  /** As the kubelet would: merges `status` into the pod's status (phase, container states…). */
  setPodStatus(pod: Pod & ApiObject, status: PodStatus): Pod & ApiObject {
    const cur = this.stored(PODS).find((p) => objectKey(p) === objectKey(pod)) as
      (Pod & ApiObject) | undefined;
    if (!cur) throw new Error(`no pod ${objectKey(pod)}`);
    (cur as { status?: PodStatus }).status = { ...(cur.status ?? {}), ...status };
    const stored = this.put(PODS, cur) as Pod & ApiObject;
    return this.settle(PODS, stored) as Pod & ApiObject;
  }

  /** Reason and message of the events recorded about `name`, oldest first. */
  eventsFor(name: string): string[] {
    return this.stored(EVENTS)
      .filter((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === name)
      .map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
  }
}

/** A Job as the API server stores it: defaulted, with its generated selector and labels. */
export function newJob(
  name: string,
  spec: Partial<NonNullable<Job['spec']>> = {},
  namespace = 'default',
): Job & ApiObject {
  const uid = randomUUID();
  const labels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  const job: Job & ApiObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, uid, labels: { ...labels } },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      ...spec,
      template: {
        ...(spec.template ?? {}),
        metadata: {
          ...(spec.template?.metadata ?? {}),
          labels: { ...(spec.template?.metadata?.labels ?? {}), ...labels },
        },
        spec: spec.template?.spec ?? {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'busybox' }],
        },
      },
    },
  };
  defaultJob(job as KubeObject);
  return job;
}

export { defaultCronJob };

/** A running set of controllers over an {@link ApiFake} in virtual time. */
export interface Bench {
  api: ApiFake;
  time: VirtualTime;
  ctx: ControllerContext;
  stop(): Promise<void>;
}

/** Starts `controllers` (each gets the bench's context) and waits until their caches synced. */
export async function startBench(
  make: (time: VirtualTime) => Controller[],
  time = new VirtualTime(),
): Promise<Bench> {
  const api = new ApiFake(time.clock);
  const abort = new AbortController();
  const informers = new ClientInformerFactory(api, log);
  const ctx: ControllerContext = {
    client: api,
    informers,
    clock: time.clock,
    options: {
      nodeMonitorGracePeriodMs: 20_000,
      defaultNotReadyTolerationSeconds: 300,
      defaultUnreachableTolerationSeconds: 300,
      terminatedPodGcThreshold: 12_500,
    },
    logger: () => log,
    recorder: (component) => new EventRecorder(api, '', log, time.clock, component),
  };
  informers.start(abort.signal);
  const runs = make(time).map((c) => c.run(ctx, abort.signal));
  await informers.waitForSync(abort.signal);
  return {
    api,
    time,
    ctx,
    stop: async () => {
      abort.abort();
      await Promise.all(runs);
      api.close();
    },
  };
}

export type { KubeObject };

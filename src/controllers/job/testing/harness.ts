/**
 * Test bench for the batch controllers: an in-memory API ({@link ApiFake}, a FakeClient that also
 * names objects from `generateName`, honours finalizers and `deletionTimestamp`, keeps pods on a
 * node until their "kubelet" ends them, and validates Job status writes as the server does) on the
 * shared controller harness, whose virtual time drives both the clock and the queue timers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { apiErrors } from '../../../api/errors.js';
import { isObject, type KubeObject } from '../../../api/meta.js';
import { defaultCronJob, defaultJob } from '../../../api/batch/defaults.js';
import { validateJobStatusUpdate } from '../../../api/batch/validation/job.js';
import { generateJobSelector } from '../../../registry/strategies/batch/jobs.js';
import { JOBS, PODS } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import {
  objectKey,
  type ApiObject,
  type DeleteOptions,
  type ResourceClient,
  type ResourceRef,
} from '../../../client/types.js';
import { rfc3339, type Clock } from '../../../util/time.js';
import {
  ControllerHarness,
  eventLines,
  stopAfterEach,
  VirtualTime,
} from '../../framework/testing/harness.js';
import type { Controller } from '../../framework/types.js';

/** Where the batch controllers' virtual time starts. */
export const BATCH_T0 = '2026-03-01T10:00:00Z';

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
    return eventLines(this, { about: name });
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

/** Batch controllers running over an {@link ApiFake} on the shared {@link ControllerHarness}. */
export class Bench extends ControllerHarness<ApiFake> {
  constructor(time: VirtualTime) {
    super({ time, fake: (clock) => new ApiFake(clock) });
  }

  /** The in-memory API. */
  get api(): ApiFake {
    return this.fake;
  }
}

/** Starts `controllers` (each gets the bench's context and time) and waits until their caches synced. */
export async function startBench(
  make: (time: VirtualTime) => Controller[],
  time = new VirtualTime(BATCH_T0),
): Promise<Bench> {
  const bench = new Bench(time);
  await bench.start(...make(time));
  return bench;
}

/**
 * Returns `start(time?)`: starts the controllers `make` builds on a fresh {@link Bench} (as
 * {@link startBench}) and stops it after the test. Call it at the top of a test file.
 */
export function benchStarter(
  make: (time: VirtualTime) => Controller[],
): (time?: VirtualTime) => Promise<Bench> {
  const track = stopAfterEach();
  return async (time) => track(await startBench(make, time));
}

export type { KubeObject };

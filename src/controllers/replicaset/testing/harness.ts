/**
 * A test harness for the workload controllers: a {@link FakeClient} that behaves a little more like
 * the API server (generated names, creationTimestamp, generation bumped on spec changes, status kept
 * apart from the spec), manual timers with a clock on them, shared informers, and a simulated kubelet
 * that makes pods Running and Ready after a delay of virtual time.
 */
import { setMaxListeners } from 'node:events';
import { pino } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../../api/validation/equality.js';
import { EventRecorder } from '../../../client/events.js';
import { EVENTS, PODS } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import { ManualTimers } from '../../../client/testing/manual-timers.js';
import type {
  ApiObject,
  DeleteOptions,
  ListOptions,
  ObjectList,
  PatchType,
  ResourceClient,
  ResourceRef,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '../../../client/types.js';
import { apiErrors } from '../../../api/errors.js';
import { isObject, type KubeObject } from '../../../api/meta.js';
import { rfc3339, type Clock } from '../../../util/time.js';
import { ClientInformerFactory } from '../../framework/informers.js';
import type { Controller, ControllerContext } from '../../framework/types.js';

/** Where virtual time starts. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

const silent = pino({ enabled: false });

let nameSeq = 0;

/** A {@link FakeClient} with the server behaviour the workload controllers rely on. */
export class ServerLikeFakeClient extends FakeClient {
  /** Called before each create (as admission): throw to refuse it. */
  admit: ((ref: ResourceRef, obj: ApiObject) => void) | undefined;

  constructor(readonly clock: Clock) {
    super();
  }

  override resource<T extends ApiObject = ApiObject>(
    ref: ResourceRef,
    namespace?: string,
  ): ResourceClient<T> {
    return new ServerLikeResource<T>(super.resource<T>(ref, namespace), this, ref);
  }

  /** The stored object `ns/name` of `ref`, if any. */
  find(ref: ResourceRef, key: string): ApiObject | undefined {
    return this.stored(ref).find((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}` === key);
  }
}

/**
 * Writes wait for a macrotask, as real I/O does: a controller that writes in a loop then shows up as
 * a {@link settle} that never settles instead of starving the event loop with microtasks.
 */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

class ServerLikeResource<T extends ApiObject> implements ResourceClient<T> {
  constructor(
    private readonly inner: ResourceClient<T>,
    private readonly fake: ServerLikeFakeClient,
    private readonly ref: ResourceRef,
  ) {}

  get(name: string, opts?: { resourceVersion?: string }): Promise<T> {
    return this.inner.get(name, opts);
  }
  list(opts?: ListOptions): Promise<ObjectList<T>> {
    return this.inner.list(opts);
  }
  async create(obj: T, opts?: WriteOptions): Promise<T> {
    await macrotask();
    this.fake.admit?.(this.ref, obj);
    const copy = structuredClone(obj);
    const meta = copy.metadata;
    if (!meta.name && meta.generateName)
      meta.name = `${meta.generateName}${(++nameSeq).toString(36).padStart(5, 'x')}`;
    meta.creationTimestamp = rfc3339(this.fake.clock.now());
    meta.generation = 1;
    return this.inner.create(copy, opts);
  }
  async update(obj: T, opts?: WriteOptions): Promise<T> {
    await macrotask();
    const cur = await this.inner.get(obj.metadata.name ?? '');
    const next = structuredClone(obj);
    if ('status' in cur) (next as KubeObject)['status'] = cur['status'];
    else delete (next as KubeObject)['status'];
    next.metadata.creationTimestamp = cur.metadata.creationTimestamp;
    next.metadata.generation =
      (cur.metadata.generation ?? 1) + (semanticEqual(cur['spec'], next['spec']) ? 0 : 1);
    return this.inner.update(next, opts);
  }
  async updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    await macrotask();
    const cur = await this.inner.get(obj.metadata.name ?? '');
    const next = structuredClone(obj);
    (next as KubeObject)['spec'] = cur['spec'];
    next.metadata.generation = cur.metadata.generation;
    next.metadata.creationTimestamp = cur.metadata.creationTimestamp;
    return this.inner.updateStatus(next, opts);
  }
  async patch(
    name: string,
    type: PatchType,
    body: unknown,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T> {
    await macrotask();
    const cur = await this.inner.get(name);
    // metadata.resourceVersion and uid in a patch are preconditions, as on the server.
    const meta = isObject(body) && isObject(body['metadata']) ? body['metadata'] : {};
    if (
      typeof meta['resourceVersion'] === 'string' &&
      meta['resourceVersion'] !== cur.metadata.resourceVersion
    )
      throw apiErrors.staleUpdate({ group: this.ref.group, resource: this.ref.resource }, name);
    if (typeof meta['uid'] === 'string' && meta['uid'] !== cur.metadata.uid)
      throw apiErrors.staleUpdate({ group: this.ref.group, resource: this.ref.resource }, name);
    const out = await this.inner.patch(name, type, body, opts);
    if (!semanticEqual(cur['spec'], out['spec'])) {
      const bumped = structuredClone(out);
      bumped.metadata.generation = (cur.metadata.generation ?? 1) + 1;
      return this.inner.update(bumped);
    }
    return out;
  }
  async delete(name: string, opts?: DeleteOptions): Promise<T | KubeObject> {
    await macrotask();
    return this.inner.delete(name, opts);
  }
  createSubresource(name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    return this.inner.createSubresource(name, subresource, body);
  }
  watch(opts?: WatchOptions): AsyncIterable<WatchEvent<T>> {
    return this.inner.watch(opts);
  }
}

/** Lets promise chains and async iterators run until the fake stops changing (bounded). */
export async function settle(fake: FakeClient, quietTurns = 30): Promise<void> {
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < 20_000; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (fake.rv === last) {
      if (++quiet >= quietTurns) return;
    } else {
      quiet = 0;
      last = fake.rv;
    }
  }
  throw new Error('the fake client never settled: something writes in a loop');
}

/** The harness. */
export interface Harness {
  fake: ServerLikeFakeClient;
  timers: ManualTimers;
  clock: Clock;
  ctx: ControllerContext;
  /** Starts controllers (informers first); they stop at the end of the test ({@link Harness.stop}). */
  start(...controllers: Controller[]): Promise<void>;
  /** Moves virtual time forward by `ms` in steps, settling after each (timers fire on the way). */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Lets everything run until quiet. */
  settle(): Promise<void>;
  /** Events recorded (`Reason: message`), oldest first. */
  events(): string[];
  stop(): void;
}

/** Builds a harness on a fresh fake client. */
export function harness(): Harness {
  const timers = new ManualTimers();
  const clock: Clock = { now: () => new Date(T0 + timers.now()) };
  const fake = new ServerLikeFakeClient(clock);
  const informers = new ClientInformerFactory(fake, silent);
  const abort = new AbortController();
  setMaxListeners(100, abort.signal); // every informer and controller listens to it
  const ctx: ControllerContext = {
    client: fake,
    informers,
    clock,
    options: {
      nodeMonitorGracePeriodMs: 40_000,
      defaultNotReadyTolerationSeconds: 300,
      defaultUnreachableTolerationSeconds: 300,
      terminatedPodGcThreshold: 12_500,
    },
    logger: () => silent,
    recorder: (component) => new EventRecorder(fake, '', silent, clock, component),
  };
  const running: Promise<void>[] = [];
  const h: Harness = {
    fake,
    timers,
    clock,
    ctx,
    async start(...controllers) {
      for (const c of controllers) running.push(c.run(ctx, abort.signal));
      informers.start(abort.signal);
      await informers.waitForSync(abort.signal);
      await h.settle();
    },
    async advance(ms, stepMs = 1000) {
      for (let done = 0; done < ms; done += stepMs) {
        timers.advance(Math.min(stepMs, ms - done));
        await h.settle();
      }
    },
    settle: () => settle(fake),
    events: () =>
      fake
        .stored(EVENTS)
        .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
        .map((e) => `${String(e['reason'])}: ${String(e['message'])}`),
    stop: () => abort.abort(),
  };
  return h;
}

/** Marks a stored pod Running (and Ready unless `ready` is false) at the harness's time. */
export async function setPodReady(h: Harness, pod: ApiObject, ready = true): Promise<void> {
  const client = h.fake.resource<Pod & ApiObject>(PODS, pod.metadata.namespace);
  const cur = await client.get(pod.metadata.name ?? '');
  const now = rfc3339(h.clock.now());
  await client.updateStatus({
    ...cur,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    },
  });
}

/**
 * A simulated kubelet: every new pod goes Running and Ready `readyAfterMs` of virtual time after it
 * appears (unless `accept(pod)` says no). Returns a function that stops it.
 */
export function fakeKubelet(
  h: Harness,
  opts: { readyAfterMs?: number; accept?: (pod: ApiObject) => boolean } = {},
): () => void {
  const informer = h.ctx.informers.informer(PODS);
  const seen = new Set<string>();
  let stopped = false;
  const unregister = informer.addHandlers({
    add: (pod) => {
      const uid = pod.metadata.uid ?? '';
      if (seen.has(uid) || pod.metadata.deletionTimestamp) return;
      seen.add(uid);
      if (opts.accept && !opts.accept(pod)) return;
      const go = (): void => {
        if (stopped) return;
        setPodReady(h, pod).catch(() => undefined); // the pod may be gone by then
      };
      if (opts.readyAfterMs) h.timers.setTimeout(go, opts.readyAfterMs);
      else go();
    },
  });
  return () => {
    stopped = true;
    unregister();
  };
}

/** The pods stored (copies). */
export function storedPods(h: Harness): (Pod & ApiObject)[] {
  return h.fake.stored(PODS) as (Pod & ApiObject)[];
}

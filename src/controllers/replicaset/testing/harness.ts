/**
 * A test harness for the workload controllers: a {@link FakeClient} that behaves a little more like
 * the API server (generated names, creationTimestamp, generation bumped on spec changes, status kept
 * apart from the spec) on the shared controller harness, and a simulated kubelet that makes pods
 * Running and Ready after a delay of virtual time.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../../api/validation/equality.js';
import { PODS } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
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
import { ControllerHarness } from '../../framework/testing/harness.js';
import type { Controller } from '../../framework/types.js';

/** Where virtual time starts. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

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
 * a settle that never settles instead of starving the event loop with microtasks.
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

/**
 * The workload controllers' bench: the shared {@link ControllerHarness} over a
 * {@link ServerLikeFakeClient}, settling until the fake is quiet, events in the order of their last
 * write.
 */
export class Harness extends ControllerHarness<ServerLikeFakeClient> {
  constructor() {
    super({ time: T0, fake: (clock) => new ServerLikeFakeClient(clock) });
  }

  /** Starts controllers (informers first) and lets them run until quiet. */
  override async start(...controllers: Controller[]): Promise<void> {
    await super.start(...controllers);
    await this.settle();
  }

  /** Events recorded (`Reason: message`), by last write. */
  override events(): string[] {
    return super.events({ byLastWrite: true });
  }
}

/** Builds a harness on a fresh fake client. */
export function harness(): Harness {
  return new Harness();
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

/**
 * A test bench for the StatefulSet and DaemonSet controllers: a FakeClient that behaves a little
 * more like the API server (pods start Pending, objects get a creationTimestamp, workloads a
 * generation), informers over it, an injected clock, and helpers to play the kubelet's part
 * (setting pod phases and readiness) and to wait until the caches have caught up.
 */
import { EventRecorder } from '../../../client/events.js';
import { EVENTS } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import { objectKey, type ApiObject, type ResourceRef } from '../../../client/types.js';
import { isObject, type KubeObject } from '../../../api/meta.js';
import { logger } from '../../../util/log.js';
import { rfc3339 } from '../../../util/time.js';
import { ClientInformerFactory } from '../../framework/informers.js';
import type { ControllerContext } from '../../framework/types.js';

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function specOf(o: KubeObject | undefined): unknown {
  return o?.['spec'];
}

function templateOf(o: KubeObject | undefined): unknown {
  const spec = specOf(o);
  return isObject(spec) ? spec['template'] : undefined;
}

/**
 * A FakeClient with the bits of server behaviour the workload controllers depend on: generateName,
 * creationTimestamp, pods starting Pending, generation and the DaemonSet template generation.
 */
export class ServerishFakeClient extends FakeClient {
  private generated = 0;

  constructor(private readonly now: () => Date) {
    super();
  }

  override put(ref: ResourceRef, obj: KubeObject): ApiObject {
    const o = structuredClone(obj) as ApiObject;
    o.metadata ??= {};
    const old = this.stored(ref).find((x) => objectKey(x) === objectKey(o));
    if (!o.metadata.name && o.metadata.generateName)
      o.metadata.name = `${o.metadata.generateName}${(this.generated++).toString(36).padStart(5, 'x')}`;
    o.metadata.creationTimestamp ??= old?.metadata.creationTimestamp ?? rfc3339(this.now());
    if (ref.resource === 'pods') {
      const status = isObject(o['status']) ? o['status'] : {};
      if (!status['phase']) o['status'] = { ...status, phase: 'Pending' };
    }
    if (ref.resource === 'statefulsets' || ref.resource === 'daemonsets') {
      const oldGen = old?.metadata.generation ?? 0;
      const specChanged = !old || JSON.stringify(specOf(old)) !== JSON.stringify(specOf(o));
      o.metadata.generation = specChanged ? oldGen + 1 : oldGen;
      if (ref.resource === 'daemonsets') {
        const oldTg = Number(old?.metadata.annotations?.[TEMPLATE_GENERATION] ?? 0);
        const tplChanged = !old || JSON.stringify(templateOf(old)) !== JSON.stringify(templateOf(o));
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          [TEMPLATE_GENERATION]: String(tplChanged ? oldTg + 1 : oldTg),
        };
      }
    }
    return super.put(ref, o);
  }
}

/** A started informer factory over a {@link ServerishFakeClient}, with a clock the test moves. */
export class Harness {
  private t: number;
  readonly fake: ServerishFakeClient;
  readonly informers: ClientInformerFactory;
  readonly ctx: ControllerContext;
  private readonly abort = new AbortController();

  constructor(
    private readonly refs: ResourceRef[],
    start = '2026-11-29T08:00:00Z',
  ) {
    this.t = Date.parse(start);
    const clock = { now: () => new Date(this.t) };
    const log = logger.child({ component: 'test' });
    log.level = 'silent';
    this.fake = new ServerishFakeClient(clock.now);
    this.informers = new ClientInformerFactory(this.fake, log);
    const fake = this.fake;
    this.ctx = {
      client: fake,
      informers: this.informers,
      clock,
      options: {
        nodeMonitorGracePeriodMs: 40_000,
        defaultNotReadyTolerationSeconds: 300,
        defaultUnreachableTolerationSeconds: 300,
        terminatedPodGcThreshold: 12500,
      },
      logger: () => log,
      recorder: (component) => new EventRecorder(fake, '', log, clock, component),
    };
  }

  /** The clock's time. */
  now(): Date {
    return new Date(this.t);
  }

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.t += ms;
  }

  /** Starts the informers (create the controller first, so its informers exist) and waits for them. */
  async start(): Promise<void> {
    this.informers.start(this.abort.signal);
    await this.informers.waitForSync(this.abort.signal);
  }

  stop(): void {
    this.abort.abort();
    this.fake.close();
  }

  /** Waits until every informer holds exactly what the fake stores (and pending writes are done). */
  async settle(): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (this.caughtUp()) {
        await new Promise((r) => setImmediate(r));
        if (this.caughtUp()) return;
      }
      if (Date.now() > deadline) throw new Error('informers did not catch up with the fake client');
    }
  }

  private caughtUp(): boolean {
    return this.refs.every((ref) => {
      const want = new Map(this.fake.stored(ref).map((o) => [objectKey(o), o.metadata.resourceVersion]));
      const have = this.informers.informer(ref).list();
      return (
        have.length === want.size && have.every((o) => want.get(objectKey(o)) === o.metadata.resourceVersion)
      );
    });
  }

  /** Stores an object as a user would (kind and apiVersion from the ref). */
  create<T extends KubeObject>(ref: ResourceRef, obj: T): ApiObject {
    return this.fake.put(ref, obj);
  }

  /** The stored object `ns/name` (or `name`) of `ref`. */
  get<T extends ApiObject = ApiObject>(ref: ResourceRef, key: string): T | undefined {
    return this.fake.stored(ref).find((o) => objectKey(o) === key) as T | undefined;
  }

  /** Stored objects of `ref`, sorted by name. */
  list<T extends ApiObject = ApiObject>(ref: ResourceRef): T[] {
    return (this.fake.stored(ref) as T[]).sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', 'en', { numeric: true }),
    );
  }

  /** Changes a stored object. */
  mutate<T extends ApiObject = ApiObject>(ref: ResourceRef, key: string, fn: (o: T) => void): T {
    const o = this.get<T>(ref, key);
    if (!o) throw new Error(`${ref.resource} ${key} not found`);
    fn(o);
    return this.fake.put(ref, o) as T;
  }

  /** Removes a stored object (as a finished deletion). */
  remove(ref: ResourceRef, key: string): void {
    this.fake.remove(ref, key);
  }

  /** `reason: message` of every recorded event, oldest first. */
  events(): string[] {
    return this.fake
      .stored(EVENTS)
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
  }
}

/**
 * The test bench every controller unit test runs on: an in-memory {@link FakeClient}, shared
 * informers over it, one virtual time for the controllers' clock and timers (it moves only when the
 * test moves it), events recorded into the fake, and helpers to create and read objects, run
 * controllers until the fake is quiet, and read the events they recorded.
 *
 * Per-controller benches (server-like fakes, builders of their objects, a kubelet's part) are built
 * on {@link ControllerHarness}: pass your own fake, a client wrapper, option overrides or another
 * way to settle.
 */
import { setMaxListeners } from 'node:events';
import { pino } from 'pino';
import { afterEach, vi } from 'vitest';
import type { KubeObject } from '../../../api/meta.js';
import { EventRecorder } from '../../../client/events.js';
import { EVENTS } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import { ManualTimers } from '../../../client/testing/manual-timers.js';
import { objectKey, type ApiObject, type Client, type ResourceRef } from '../../../client/types.js';
import { rfc3339, type Clock } from '../../../util/time.js';
import { ClientInformerFactory } from '../informers.js';
import { runControllers } from '../manager.js';
import type { Controller, ControllerContext, ControllerOptions } from '../types.js';

/** A logger that writes nothing. */
export const silentLog = pino({ enabled: false });

/** The controller options of `k8ts server` by default (upstream's defaults). */
export const DEFAULT_TEST_OPTIONS: ControllerOptions = {
  nodeMonitorGracePeriodMs: 40_000,
  defaultNotReadyTolerationSeconds: 300,
  defaultUnreachableTolerationSeconds: 300,
  terminatedPodGcThreshold: 12_500,
};

/** {@link ManualTimers} with a wall clock on them: `clock.now()` is `startMs` plus the time advanced. */
export class VirtualTime extends ManualTimers {
  readonly startMs: number;
  readonly clock: Clock;

  constructor(start: string | number = '2026-01-01T00:00:00Z') {
    super();
    this.startMs = typeof start === 'number' ? start : Date.parse(start);
    this.clock = { now: () => new Date(this.startMs + this.now()) };
  }

  /** Moves to the wall-clock instant `iso`, firing due timers (never backwards). */
  advanceTo(iso: string): void {
    const target = Date.parse(iso) - this.startMs - this.now();
    if (target > 0) this.advance(target);
  }
}

/** Lets `rounds` macrotask turns pass (promise chains, informer deliveries). */
export async function turns(rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits `ms` of real time (to assert that nothing happens meanwhile). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Lets everything run until `fake` has not changed for `quietTurns` macrotask turns. Throws when it
 * never gets quiet: something writes in a loop.
 */
export async function settleQuiet(fake: FakeClient, quietTurns = 30): Promise<void> {
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

/** Polls `probe` (real time, every 10 ms) until `ok` says yes, for 5 s at most; returns what it saw. */
export async function eventually<T>(what: string, probe: () => T, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  let last = probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: last saw ${JSON.stringify(last)}`);
    await sleep(10);
    last = probe();
  }
  return last;
}

/** Retries `assertion` (every 5 ms of real time, for 5 s at most) until it stops throwing. */
export function until(assertion: () => void): Promise<void> {
  return vi.waitFor(assertion, { timeout: 5000, interval: 5 });
}

/** One call on a resource client, as {@link interceptClient} hands it over. */
export interface ClientCall {
  ref: ResourceRef;
  namespace: string | undefined;
  /** The method: `create`, `update`, `get`, `watch`… */
  method: string;
  args: unknown[];
}

/**
 * `client` with every method call on its resource clients routed through `around`, which may change
 * the arguments, fail the call, or pass it on with `next(...args)`. `raw` and `close` go straight
 * through.
 */
export function interceptClient(
  client: Client,
  around: (call: ClientCall, next: (...args: unknown[]) => unknown) => unknown,
): Client {
  return {
    resource: <T extends ApiObject>(ref: ResourceRef, namespace?: string) => {
      const inner = client.resource<T>(ref, namespace);
      return new Proxy(inner, {
        get: (target, prop, receiver) => {
          const v: unknown = Reflect.get(target, prop, receiver);
          if (typeof v !== 'function') return v;
          const fn = v as (...a: unknown[]) => unknown;
          return (...args: unknown[]) =>
            around({ ref, namespace, method: String(prop), args }, (...a) => fn.apply(target, a));
        },
      });
    },
    raw: (...args) => client.raw(...args),
    close: () => client.close(),
  };
}

/** Returns a function that registers a bench to be stopped after the current test. */
export function stopAfterEach(): <B extends { stop(): unknown }>(bench: B) => B {
  const benches: { stop(): unknown }[] = [];
  afterEach(async () => {
    for (const b of benches.splice(0)) await b.stop();
  });
  return (bench) => {
    benches.push(bench);
    return bench;
  };
}

/** How a {@link ControllerHarness} is built; every field has a default. */
export interface HarnessOptions<F extends FakeClient> {
  /** The fake API the test reads and writes, or how to make it on the bench's clock (a plain fake). */
  fake?: F | ((clock: Clock) => F);
  /** The client the controllers get, made over the fake (the fake itself). */
  client?: (fake: F) => Client;
  /** Virtual time, or where it starts (2026-01-01T00:00:00Z). */
  time?: VirtualTime | string | number;
  /** Overrides of {@link DEFAULT_TEST_OPTIONS}. */
  options?: Partial<ControllerOptions>;
  /** What {@link ControllerHarness.settle} waits for ({@link settleQuiet} on the fake). */
  settle?: (fake: F) => Promise<void>;
  /** The default step of {@link ControllerHarness.advance} (1 s). */
  stepMs?: number;
}

/** How {@link ControllerHarness.advance} moves time. */
export interface AdvanceOptions {
  /** The size of one step (the bench's default step). */
  stepMs?: number;
  /** Called before every step. */
  each?: () => void;
}

/** Which events {@link ControllerHarness.events} reads, and in what order. */
export interface EventQuery {
  /** Only events about the object of this name. */
  about?: string;
  /** Order by the last write (resourceVersion) instead of by first recording. */
  byLastWrite?: boolean;
}

/** A controller context over a fake API in virtual time, with the controllers it runs. */
export class ControllerHarness<F extends FakeClient = FakeClient> {
  readonly fake: F;
  /** What the controllers talk to (the fake, or a wrapper over it). */
  readonly client: Client;
  readonly time: VirtualTime;
  readonly informers: ClientInformerFactory;
  readonly ctx: ControllerContext;
  readonly abort = new AbortController();
  private readonly running: Promise<void>[] = [];
  private readonly settleWith: (fake: F) => Promise<void>;
  private readonly stepMs: number;

  constructor(opts: HarnessOptions<F> = {}) {
    this.time = opts.time instanceof VirtualTime ? opts.time : new VirtualTime(opts.time);
    const clock = this.time.clock;
    const fake = typeof opts.fake === 'function' ? opts.fake(clock) : opts.fake;
    this.fake = fake ?? (new FakeClient() as F);
    this.client = opts.client ? opts.client(this.fake) : this.fake;
    this.settleWith = opts.settle ?? ((f) => settleQuiet(f));
    this.stepMs = opts.stepMs ?? 1000;
    // Every informer and controller listens on the one signal, as in the server.
    setMaxListeners(100, this.abort.signal);
    this.informers = new ClientInformerFactory(this.client, silentLog);
    const recordInto = this.fake;
    this.ctx = {
      client: this.client,
      informers: this.informers,
      clock,
      options: { ...DEFAULT_TEST_OPTIONS, ...opts.options },
      logger: () => silentLog,
      recorder: (component) => new EventRecorder(recordInto, '', silentLog, clock, component),
    };
  }

  /** The virtual timers (give them to controllers that take `timers`). */
  get timers(): VirtualTime {
    return this.time;
  }

  /** The controllers' clock. */
  get clock(): Clock {
    return this.time.clock;
  }

  /** The clock's time. */
  now(): Date {
    return this.time.clock.now();
  }

  /** The clock's time, as RFC 3339. */
  nowString(): string {
    return rfc3339(this.now());
  }

  /**
   * Runs `controllers` on the bench's context (a rejection is the test's failure), starts the
   * informers (the ones asked for so far and later) and waits until they have synced. With no
   * controllers it only starts the informers.
   */
  async start(...controllers: Controller[]): Promise<void> {
    this.informers.start(this.abort.signal);
    for (const c of controllers) this.running.push(c.run(this.ctx, this.abort.signal));
    await this.informers.waitForSync(this.abort.signal);
  }

  /** Runs `controllers` under the controller manager (restarted with backoff on failure), as the server does. */
  runManaged(controllers: Controller[]): void {
    this.running.push(runControllers(controllers, this.ctx, this.abort.signal, silentLog));
  }

  /** Stops the controllers and informers; resolves when every controller has returned. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.running.splice(0));
    this.fake.close();
  }

  /** Lets everything run until quiet (as the bench was told to settle). */
  settle(): Promise<void> {
    return this.settleWith(this.fake);
  }

  /**
   * Moves virtual time on by `ms` in steps (timers fire on the way), settling after each step and
   * calling `each` before it (a kubelet's heartbeat, say).
   */
  async advance(ms: number, opts: AdvanceOptions = {}): Promise<void> {
    const stepMs = opts.stepMs ?? this.stepMs;
    for (let done = 0; done < ms; done += stepMs) {
      opts.each?.();
      this.time.advance(Math.min(stepMs, ms - done));
      await this.settle();
    }
  }

  /** Stores an object as a user would (apiVersion and kind from `ref` when it has none). */
  create(ref: ResourceRef, obj: KubeObject): ApiObject {
    return this.fake.put(ref, obj);
  }

  /** The stored object `ns/name` (or `name`) of `ref`. */
  get<T extends ApiObject = ApiObject>(ref: ResourceRef, key: string): T | undefined {
    return this.fake.stored(ref).find((o) => objectKey(o) === key) as T | undefined;
  }

  /** Stored objects of `ref`, sorted by name (numbers in names compare as numbers). */
  list<T extends ApiObject = ApiObject>(ref: ResourceRef): T[] {
    return (this.fake.stored(ref) as T[]).sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', 'en', { numeric: true }),
    );
  }

  /** Changes a stored object in place and stores it again. */
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

  /** `reason: message` of the recorded events, in the order they were first recorded. */
  events(query: EventQuery = {}): string[] {
    return eventLines(this.fake, query);
  }
}

/** `reason: message` of the events stored in `fake` (see {@link EventQuery}). */
export function eventLines(fake: FakeClient, query: EventQuery = {}): string[] {
  let events = fake.stored(EVENTS);
  if (query.about !== undefined)
    events = events.filter(
      (e) => (e['involvedObject'] as { name?: string } | undefined)?.name === query.about,
    );
  if (query.byLastWrite)
    events = events.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  return events.map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
}

/**
 * A controller test bench: a FakeClient, shared informers over it, and one virtual time for the
 * controllers' clock and timers, advanced by the test.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { setMaxListeners } from 'node:events';
import { pino } from 'pino';
import { EventRecorder } from '../../../client/events.js';
import { EVENTS, LEASES, NODES, PODS } from '../../../client/resources.js';
import { FakeClient } from '../../../client/testing/fake-client.js';
import { ManualTimers } from '../../../client/testing/manual-timers.js';
import type { ApiObject } from '../../../client/types.js';
import { rfc3339, rfc3339Micro } from '../../../util/time.js';
import { ClientInformerFactory } from '../../framework/informers.js';
import type { Controller, ControllerContext, ControllerOptions } from '../../framework/types.js';

export const T0 = Date.parse('2026-11-29T10:00:00Z');
const log = pino({ enabled: false });

export type TestNode = Node & ApiObject;
export type TestPod = Pod & ApiObject;

/** Lets promise chains and informer deliveries run. */
export async function settle(rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class Bench {
  readonly fake = new FakeClient();
  readonly timers = new ManualTimers();
  readonly clock = { now: (): Date => new Date(T0 + this.timers.now()) };
  readonly abort = new AbortController();
  readonly ctx: ControllerContext;

  constructor(options: Partial<ControllerOptions> = {}) {
    // Every informer and controller listens on the one signal, as in the server.
    setMaxListeners(100, this.abort.signal);
    this.ctx = {
      client: this.fake,
      informers: new ClientInformerFactory(this.fake, log),
      clock: this.clock,
      options: {
        nodeMonitorGracePeriodMs: 15_000,
        defaultNotReadyTolerationSeconds: 10,
        defaultUnreachableTolerationSeconds: 10,
        terminatedPodGcThreshold: 12_500,
        ...options,
      },
      logger: () => log,
      recorder: (component) => new EventRecorder(this.fake, '', log, this.clock, component),
    };
  }

  /** Starts controllers as the manager does (informers first). */
  async start(...controllers: Controller[]): Promise<void> {
    this.ctx.informers.start(this.abort.signal);
    for (const c of controllers) void c.run(this.ctx, this.abort.signal);
    await this.ctx.informers.waitForSync(this.abort.signal);
    await settle();
  }

  stop(): void {
    this.abort.abort();
  }

  now(): string {
    return rfc3339(this.clock.now());
  }

  /** Moves virtual time on in steps, calling `each` before every step. */
  async advance(ms: number, each: () => void = () => undefined, stepMs = 500): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      each();
      this.timers.advance(Math.min(stepMs, ms - done));
      await settle();
    }
  }

  /** A Ready node (conditions as a kubelet posts them, heartbeat now) and its Lease. */
  addNode(name: string, extra: { labels?: Record<string, string>; ready?: string } = {}): void {
    const now = this.now();
    const c = (type: string, status: string): Record<string, string> => ({
      type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
      reason: 'KubeletSays',
      message: '',
    });
    this.fake.put(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: extra.labels ?? {}, creationTimestamp: now },
      spec: {},
      status: {
        conditions: [
          c('MemoryPressure', 'False'),
          c('DiskPressure', 'False'),
          c('PIDPressure', 'False'),
          c('Ready', extra.ready ?? 'True'),
        ],
      },
    });
    this.renew(name);
  }

  /** Posts the node's conditions as its kubelet would: Ready = `ready`, heartbeat now. */
  postStatus(name: string, ready = 'True', extra: Record<string, string> = {}): void {
    const n = this.node(name);
    if (!n) throw new Error(`no node ${name}`);
    const now = this.now();
    const conditions = (n.status?.conditions ?? []).map((c) => {
      const status = c.type === 'Ready' ? ready : (extra[c.type] ?? 'False');
      return {
        ...c,
        status,
        reason: 'KubeletSays',
        message: '',
        lastHeartbeatTime: now,
        lastTransitionTime: c.status === status ? c.lastTransitionTime : now,
      };
    });
    this.fake.put(NODES, { ...n, status: { ...n.status, conditions } });
  }

  /** Renews a node's Lease now. */
  renew(name: string): void {
    this.fake.put(LEASES, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, renewTime: rfc3339Micro(this.clock.now()) },
    });
  }

  /** A Running, Ready pod bound to `node`. */
  addPod(
    name: string,
    node: string,
    spec: Partial<NonNullable<Pod['spec']>> = {},
    status: Pod['status'] = {},
  ): void {
    this.fake.put(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: this.now() },
      spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }], ...spec },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        ...status,
      },
    });
  }

  node(name: string): TestNode | undefined {
    return this.fake.stored(NODES).find((n) => n.metadata.name === name) as TestNode | undefined;
  }

  pod(name: string): TestPod | undefined {
    return this.fake.stored(PODS).find((p) => p.metadata.name === name) as TestPod | undefined;
  }

  /** `reason: message` of every Event recorded. */
  events(): string[] {
    return this.fake.stored(EVENTS).map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
  }
}

/**
 * The bench of the node controllers (node lifecycle, taint eviction, pod GC, ingress status): the
 * shared {@link ControllerHarness} with the node-monitor options of these tests, plus a kubelet's
 * part (nodes, their conditions and Leases, pods bound to them).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { LEASES, NODES, PODS } from '../../../client/resources.js';
import type { ApiObject } from '../../../client/types.js';
import { rfc3339Micro } from '../../../util/time.js';
import { ControllerHarness, turns } from '../../framework/testing/harness.js';
import type { Controller, ControllerOptions } from '../../framework/types.js';

export const T0 = Date.parse('2026-11-29T10:00:00Z');

export type TestNode = Node & ApiObject;
export type TestPod = Pod & ApiObject;

/** Node controllers over a plain FakeClient; time moves in 500 ms steps, settling 40 turns after each. */
export class Bench extends ControllerHarness {
  constructor(options: Partial<ControllerOptions> = {}) {
    super({
      time: T0,
      options: {
        nodeMonitorGracePeriodMs: 15_000,
        defaultNotReadyTolerationSeconds: 10,
        defaultUnreachableTolerationSeconds: 10,
        ...options,
      },
      settle: () => turns(40),
      stepMs: 500,
    });
  }

  /** Starts controllers (informers first), then lets them run. */
  override async start(...controllers: Controller[]): Promise<void> {
    await super.start(...controllers);
    await this.settle();
  }

  /** A Ready node (conditions as a kubelet posts them, heartbeat now) and its Lease. */
  addNode(name: string, extra: { labels?: Record<string, string>; ready?: string } = {}): void {
    const now = this.nowString();
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
    const now = this.nowString();
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
      metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: this.nowString() },
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
}

/**
 * The node lifecycle controller. It watches each node's heartbeats — its Lease in kube-node-lease
 * and the Ready condition's lastHeartbeatTime — timed by its own clock when it sees them change (so
 * clock skew between machines does not matter, and a restarted controller gives every node a full
 * grace period). A node silent for `nodeMonitorGracePeriodMs` gets all four kubelet conditions set to
 * Unknown ("Kubelet stopped posting node status."; a node that never posted a Ready condition gets 60 s,
 * upstream's startup grace, and "Kubelet never posted node status."). Then, from the Ready condition:
 *
 * - NoExecute taint node.kubernetes.io/unreachable (Ready=Unknown and silent for the grace period)
 *   or not-ready (Ready=False), which the taint eviction controller acts on; removed once the node
 *   is Ready again;
 * - NoSchedule taints from conditions (not-ready, unreachable, memory/disk/pid pressure, network
 *   unavailable) and from spec.unschedulable;
 * - the node's pods get Ready=False.
 *
 * When no node at all is Ready, the control plane is more likely the one cut off than every node at
 * once: like upstream's "master disruption mode", no NoExecute taints are set (existing ones are
 * removed) until some node is Ready again, and then every node gets a fresh grace period. Unlike
 * upstream, tainting is not rate limited per zone: a dead node's pods move on at once.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { realTimers, sleep, type Timers } from '../../client/backoff.js';
import type { EventRecorder } from '../../client/events.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import { objectKey, type ApiObject, type Informer } from '../../client/types.js';
import type { Logger } from '../../util/log.js';
import { rfc3339 } from '../../util/time.js';
import type { Controller, ControllerContext } from '../framework/types.js';
import { WorkQueue } from '../queue.js';
import { ensurePodNodeIndex, podsOnNode, type PodObject } from './pod-index.js';
import {
  CONDITION_TAINTS,
  CONTROLLER_NOEXECUTE_KEYS,
  CONTROLLER_NOSCHEDULE_KEYS,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  nodeCondition,
} from './taints.js';

export type NodeObject = Node & ApiObject;
type LeaseObject = Lease & ApiObject;

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Nodes with this label do not count when deciding whether every node is down (upstream's). */
const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';
/** The kubelet's conditions that go Unknown when it stops posting (NetworkUnavailable is not its). */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** Grace of a node that never posted a Ready condition (upstream's node-startup-grace-period). */
export const NODE_STARTUP_GRACE_MS = 60_000;

/** Knobs tests turn. */
export interface NodeLifecycleTuning {
  /** How often heartbeats are checked (default 1 s). */
  monitorPeriodMs?: number;
  /** Grace of nodes that never posted Ready (default {@link NODE_STARTUP_GRACE_MS}). */
  startupGraceMs?: number;
  timers?: Timers;
}

interface Health {
  /** When this controller last saw a heartbeat (ms, its clock). */
  probeAt: number;
  heartbeat: string;
  renewTime: string;
  /** The Ready status seen at the last sync ('' before the first). */
  ready: string;
}

function readyOf(node: Node | undefined): string {
  return nodeCondition(node, 'Ready')?.status ?? '';
}

function taintId(t: Taint): string {
  return `${t.key}:${t.effect}`;
}

/**
 * The node's taints as the controller wants them: the NoExecute taint `noExecute` (if any), the
 * NoSchedule taints from its conditions and spec.unschedulable (kept with their timeAdded when already
 * there), and everyone else's taints untouched.
 */
export function desiredTaints(node: Node, noExecute: string | undefined, now: string): Taint[] {
  const want = new Map<string, Taint>();
  if (noExecute) want.set(`${noExecute}:NoExecute`, { key: noExecute, effect: 'NoExecute' });
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) want.set(`${key}:NoSchedule`, { key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable)
    want.set(`${TAINT_UNSCHEDULABLE}:NoSchedule`, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const out: Taint[] = [];
  for (const t of node.spec?.taints ?? []) {
    const owned =
      (t.effect === 'NoExecute' && CONTROLLER_NOEXECUTE_KEYS.has(t.key)) ||
      (t.effect === 'NoSchedule' && CONTROLLER_NOSCHEDULE_KEYS.has(t.key));
    if (!owned) out.push(t);
    else if (want.has(taintId(t))) {
      out.push(t);
      want.delete(taintId(t));
    }
  }
  for (const t of want.values()) out.push({ ...t, timeAdded: now });
  return out;
}

function sameTaints(a: readonly Taint[] | undefined, b: readonly Taint[]): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b);
}

/** The conditions with the kubelet's four set to Unknown; undefined when nothing changes. */
export function unknownConditions(node: Node, now: string): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private readonly health = new Map<string, Health>();
  private disrupted = false;

  constructor(private readonly tuning: NodeLifecycleTuning = {}) {}

  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.logger('node-lifecycle-controller');
    const recorder = ctx.recorder('node-controller');
    const nodes = ctx.informers.informer<NodeObject>(NODES);
    const leases = ctx.informers.informer<LeaseObject>(LEASES);
    const pods = ctx.informers.informer<PodObject>(PODS);
    ensurePodNodeIndex(pods);
    const now = (): number => ctx.clock.now().getTime();
    const queue = new WorkQueue((name) => this.sync(ctx, nodes, pods, recorder, log, name), log, {
      concurrency: 4,
    });
    let synced = false;
    const registered = (n: NodeObject): void => {
      const name = n.metadata.name ?? '';
      void recorder.record(
        nodeRef(n),
        'Normal',
        'RegisteredNode',
        `Node ${name} event: Registered Node ${name} in Controller`,
      );
    };
    const seeNode = (n: NodeObject): void => {
      const name = n.metadata.name ?? '';
      const h = this.entry(name, now());
      const beat = nodeCondition(n, 'Ready')?.lastHeartbeatTime ?? '';
      if (beat !== h.heartbeat) {
        h.heartbeat = beat;
        h.probeAt = now();
      }
      queue.add(name);
    };
    const seeLease = (l: LeaseObject): void => {
      if (l.metadata.namespace !== NODE_LEASE_NAMESPACE) return;
      const name = l.metadata.name ?? '';
      const h = this.entry(name, now());
      const renew = l.spec?.renewTime ?? '';
      if (renew !== h.renewTime) {
        h.renewTime = renew;
        h.probeAt = now();
      }
    };
    const seePod = (p: PodObject): void => {
      const nodeName = p.spec?.nodeName;
      if (!nodeName || p.metadata.deletionTimestamp) return;
      if (readyOf(nodes.get(nodeName)) === 'True') return;
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) queue.add(nodeName);
    };
    nodes.addHandlers({
      add: (n) => {
        if (synced) registered(n);
        seeNode(n);
      },
      update: (_old, n) => seeNode(n),
      delete: (n) => {
        const name = n.metadata.name ?? '';
        this.health.delete(name);
        void recorder.record(
          nodeRef(n),
          'Normal',
          'RemovingNode',
          `Node ${name} event: Removing Node ${name} from Controller`,
        );
      },
    });
    leases.addHandlers({ add: seeLease, update: (_old, l) => seeLease(l) });
    pods.addHandlers({ add: seePod, update: (_old, p) => seePod(p) });

    try {
      await ctx.informers.waitForSync(signal);
    } catch (err) {
      queue.stop();
      if (signal.aborted) return;
      throw err;
    }
    for (const n of nodes.list()) registered(n);
    synced = true;
    const grace = ctx.options.nodeMonitorGracePeriodMs;
    const timers = this.tuning.timers ?? realTimers;
    while (!signal.aborted) {
      this.monitor(nodes, queue, now(), grace, log);
      await sleep(this.tuning.monitorPeriodMs ?? 1000, timers, signal);
    }
    queue.stop();
  }

  /**
   * True when no node counts as up: Ready and heard from within the grace period (a node about to
   * be marked Unknown counts as down already, so nodes that die together are judged together).
   */
  private clusterDisrupted(all: readonly NodeObject[], now: number, grace: number): boolean {
    let counted = 0;
    for (const n of all) {
      if (EXCLUDE_DISRUPTION_LABEL in (n.metadata.labels ?? {})) continue;
      counted++;
      const h = this.health.get(n.metadata.name ?? '');
      if (readyOf(n) === 'True' && (!h || now - h.probeAt <= grace)) return false;
    }
    return counted > 0;
  }

  /** The grace period of `node`: longer while its kubelet has never posted a Ready condition. */
  private graceOf(node: Node, grace: number): number {
    if (nodeCondition(node, 'Ready')) return grace;
    return Math.max(grace, this.tuning.startupGraceMs ?? NODE_STARTUP_GRACE_MS);
  }

  private entry(name: string, now: number): Health {
    let h = this.health.get(name);
    if (!h) this.health.set(name, (h = { probeAt: now, heartbeat: '', renewTime: '', ready: '' }));
    return h;
  }

  /** One pass over every node: queue those whose heartbeats stopped; track cluster-wide disruption. */
  private monitor(
    nodes: Informer<NodeObject>,
    queue: WorkQueue,
    now: number,
    grace: number,
    log: Logger,
  ): void {
    const all = nodes.list();
    const disrupted = this.clusterDisrupted(all, now, grace);
    if (disrupted !== this.disrupted) {
      this.disrupted = disrupted;
      if (disrupted) {
        log.info('no node is Ready: entering disruption mode (no NoExecute taints, no evictions)');
      } else {
        log.info('some node is Ready again: leaving disruption mode; every node gets a new grace period');
        for (const h of this.health.values()) h.probeAt = now;
      }
      for (const n of all) queue.add(n.metadata.name ?? '');
    }
    for (const n of all) {
      const name = n.metadata.name ?? '';
      const h = this.entry(name, now);
      if (now - h.probeAt <= this.graceOf(n, grace)) continue;
      const stale = KUBELET_CONDITIONS.some((t) => nodeCondition(n, t)?.status !== 'Unknown');
      const untainted =
        !disrupted &&
        !(n.spec?.taints ?? []).some((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute');
      if (stale || untainted) queue.add(name);
    }
  }

  private async sync(
    ctx: ControllerContext,
    nodes: Informer<NodeObject>,
    pods: Informer<PodObject>,
    recorder: EventRecorder,
    log: Logger,
    name: string,
  ): Promise<void> {
    let node = nodes.get(name);
    if (!node) return;
    const nowMs = ctx.clock.now().getTime();
    const now = rfc3339(new Date(nowMs));
    const h = this.entry(name, nowMs);
    const client = ctx.client.resource<NodeObject>(NODES);

    if (nowMs - h.probeAt > this.graceOf(node, ctx.options.nodeMonitorGracePeriodMs)) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        log.info(
          { node: name, silentForMs: nowMs - h.probeAt },
          'node stopped posting status: marking it Unknown',
        );
        node = await client.updateStatus({
          ...structuredClone(node),
          status: { ...node.status, conditions },
        });
      }
    }

    const ready = readyOf(node);
    if (h.ready === 'True' && ready !== 'True') {
      void recorder.record(
        { kind: 'Node', apiVersion: 'v1', name, uid: name },
        'Normal',
        'NodeNotReady',
        `Node ${name} status is now: NodeNotReady`,
      );
    }
    h.ready = ready;

    // NoExecute: not-ready when the kubelet says so; unreachable once it has been silent for the
    // grace period (by this controller's clock); none while no node at all is up.
    const grace = ctx.options.nodeMonitorGracePeriodMs;
    let noExecute: string | undefined;
    if (!this.clusterDisrupted(nodes.list(), nowMs, grace)) {
      if (ready === 'False') noExecute = TAINT_NOT_READY;
      else if (ready === 'Unknown' && nowMs - h.probeAt > grace) noExecute = TAINT_UNREACHABLE;
    }
    const taints = desiredTaints(node, noExecute, now);
    if (!sameTaints(node.spec?.taints, taints)) {
      const next = structuredClone(node);
      next.spec = { ...next.spec, taints };
      if (taints.length === 0) delete next.spec.taints;
      await client.update(next);
    }

    if (ready !== 'True' && ready !== '')
      await this.markPodsNotReady(ctx, podsOnNode(pods, name), name, now, recorder);
  }

  private async markPodsNotReady(
    ctx: ControllerContext,
    pods: PodObject[],
    nodeName: string,
    now: string,
    recorder: EventRecorder,
  ): Promise<void> {
    const errors: unknown[] = [];
    for (const p of pods) {
      if (p.spec?.nodeName !== nodeName) continue;
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') continue;
      const copy = structuredClone(p);
      const conditions = (copy.status?.conditions ?? []).map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c,
      );
      const next: PodObject = { ...copy, status: { ...copy.status, conditions } };
      try {
        await ctx.client.resource<PodObject>(PODS, p.metadata.namespace).updateStatus(next);
        void recorder.record(
          {
            kind: 'Pod',
            apiVersion: 'v1',
            namespace: p.metadata.namespace,
            name: p.metadata.name ?? '',
            uid: p.metadata.uid,
          },
          'Warning',
          'NodeNotReady',
          'Node is not ready',
        );
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) continue;
        errors.push(err);
      }
    }
    if (errors.length)
      throw new Error(`could not mark ${errors.length} pod(s) of node ${nodeName} not ready`, {
        cause: errors[0],
      });
  }
}

function nodeRef(n: NodeObject): { kind: string; apiVersion: string; name: string; uid?: string } {
  return { kind: 'Node', apiVersion: 'v1', name: objectKey(n), uid: n.metadata.uid };
}

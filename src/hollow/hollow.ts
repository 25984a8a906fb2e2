/**
 * Hollow nodes, like KWOK or kubemark: N simulated nodes in one process, talking to the API server
 * through an ordinary client. Each registers a Node, renews its Lease in kube-node-lease and posts
 * its status as a kubelet would (spread over the interval, bounded concurrency), and the pods bound
 * to it go Running with simulated IPs and no containers. Stopping stops the heartbeats; the Nodes
 * stay registered, as a dead kubelet's do, and the node lifecycle controller takes it from there.
 *
 * A Node object deleted while the process runs is retired: it gets no more heartbeats (a kubelet
 * registers only when it starts).
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { realTimers, type Timers } from '../client/backoff.js';
import { createInformer } from '../client/informer.js';
import { LEASES, NODES } from '../client/resources.js';
import type { Client, Informer } from '../client/types.js';
import type { Logger } from '../util/log.js';
import { rfc3339, rfc3339Micro, systemClock, type Clock } from '../util/time.js';
import { fallbackPodCidr, IpPool } from './ips.js';
import {
  hollowConditions,
  hollowNode,
  hollowNodeIP,
  hollowNodeLabels,
  hollowNodeName,
  readyStatus,
  type NodeObject,
} from './node.js';
import { LEASE_DURATION_SECONDS, type HollowOptions } from './options.js';
import { HollowPods, type NodeDirectory } from './pods.js';
import { Limiter, Spreader } from './spread.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';

interface NodeState {
  index: number;
  name: string;
  ip: string;
  uid: string;
  /** Ready transition time this process reports. */
  readySince: string;
  registered: boolean;
  /** Deleted while we ran: no more heartbeats. */
  retired: boolean;
  pool: IpPool | undefined;
}

/** Collaborators of {@link HollowNodes} (tests inject clocks and timers). */
export interface HollowDeps {
  client: Client;
  log: Logger;
  clock?: Clock;
  timers?: Timers;
}

/** The fields of a Node of ours that the process reads; other nodes are cached as names only. */
function slimNode(node: NodeObject, ours: boolean): NodeObject {
  const m = node.metadata;
  const meta = { name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  if (!ours) return { apiVersion: node.apiVersion, kind: node.kind, metadata: meta };
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    apiVersion: node.apiVersion,
    kind: node.kind,
    metadata: meta,
    spec: node.spec?.podCIDR ? { podCIDR: node.spec.podCIDR } : {},
    status: ready ? { conditions: [{ type: 'Ready', status: ready.status }] } : {},
  };
}

export class HollowNodes implements NodeDirectory {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly states: NodeState[];
  private readonly byName = new Map<string, NodeState>();
  /** Requests of registration and Lease renewals. */
  private readonly limiter: Limiter;
  /** Status posts, apart: a slow server must not hold Lease renewals up behind them. */
  private readonly statusLimiter: Limiter;
  private readonly leases: Spreader;
  private readonly statuses: Spreader;
  private readonly abort = new AbortController();
  readonly nodeInformer: Informer<NodeObject>;
  readonly pods: HollowPods;
  /** Requests made, for logs and tests. */
  readonly counts = { leaseRenewals: 0, statusPosts: 0 };

  constructor(
    private readonly opts: HollowOptions,
    private readonly deps: HollowDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.timers = deps.timers ?? realTimers;
    this.log = deps.log;
    const since = rfc3339(this.clock.now());
    this.states = Array.from({ length: opts.count }, (_, index) => ({
      index,
      name: hollowNodeName(opts.namePrefix, index),
      ip: hollowNodeIP(opts.namePrefix, index),
      uid: '',
      readySince: since,
      registered: false,
      retired: false,
      pool: undefined,
    }));
    for (const s of this.states) this.byName.set(s.name, s);
    this.limiter = new Limiter(Math.max(1, opts.concurrency));
    this.statusLimiter = new Limiter(Math.max(1, Math.ceil(opts.concurrency / 4)));
    this.leases = new Spreader({
      count: opts.count,
      intervalMs: opts.leaseRenewMs,
      run: (i) => this.renewLease(i),
      limiter: this.limiter,
      log: this.log,
      what: 'lease renewal',
      timers: this.timers,
    });
    this.statuses = new Spreader({
      count: opts.count,
      intervalMs: opts.statusReportMs,
      run: (i) => this.postStatus(i),
      limiter: this.statusLimiter,
      log: this.log,
      what: 'node status update',
      timers: this.timers,
    });
    this.nodeInformer = createInformer<NodeObject>(deps.client, NODES, {
      logger: this.log.child({ resource: 'nodes' }),
      transform: (n) => slimNode(n, this.byName.has(n.metadata.name ?? '')),
    });
    this.nodeInformer.addHandlers({
      add: (n) => this.observe(n),
      update: (_o, n) => this.observe(n),
      delete: (n) => this.retire(n),
    });
    this.pods = new HollowPods({
      client: deps.client,
      nodes: this,
      clock: this.clock,
      log: this.log,
      concurrency: Math.max(1, opts.concurrency),
    });
  }

  /** The names of the simulated nodes. */
  get names(): string[] {
    return this.states.map((s) => s.name);
  }

  /**
   * Registers every node (bounded concurrency), renews their Leases once, then starts the
   * heartbeats and the pod simulation. Rejects when a node cannot be registered.
   */
  async start(): Promise<void> {
    const signal = this.abort.signal;
    await Promise.all(this.states.map((s) => this.limiter.run(() => this.register(s))));
    await Promise.all(this.states.map((s) => this.limiter.run(() => this.renewLease(s.index))));
    this.nodeInformer.start(signal);
    this.pods.start(signal);
    await Promise.all([this.nodeInformer.waitForSync(signal), this.pods.informer.waitForSync(signal)]);
    this.leases.start();
    this.statuses.start();
  }

  /** Stops heartbeats and pod work; the Nodes stay registered. */
  stop(): void {
    this.leases.stop();
    this.statuses.stop();
    this.pods.stop();
    this.abort.abort();
  }

  // NodeDirectory ---------------------------------------------------------------------------------

  owns(nodeName: string): boolean {
    return this.byName.has(nodeName);
  }

  hostIP(nodeName: string): string | undefined {
    const s = this.byName.get(nodeName);
    return s && !s.retired ? s.ip : undefined;
  }

  async allocateIP(nodeName: string): Promise<string | undefined> {
    const s = this.byName.get(nodeName);
    if (!s) return undefined;
    if (!s.pool) {
      // The node IPAM controller assigns podCIDR soon after registration; ask once if the watch
      // has not brought it yet, else use a simulated range.
      let cidr: string | undefined;
      try {
        cidr = (await this.deps.client.resource<NodeObject>(NODES).get(s.name)).spec?.podCIDR;
      } catch (err) {
        this.log.debug({ err, node: s.name }, 'could not read the node for its podCIDR');
      }
      s.pool ??= new IpPool(cidr ?? fallbackPodCidr(s.name));
    }
    return s.pool.allocate();
  }

  takeIP(nodeName: string, ip: string): void {
    const s = this.byName.get(nodeName);
    if (!s) return;
    s.pool ??= new IpPool(fallbackPodCidr(s.name));
    if (s.pool.contains(ip)) s.pool.take(ip);
  }

  releaseIP(nodeName: string, ip: string): void {
    this.byName.get(nodeName)?.pool?.release(ip);
  }

  // Nodes -----------------------------------------------------------------------------------------

  private async register(s: NodeState): Promise<void> {
    const nodes = this.deps.client.resource<NodeObject>(NODES);
    const now = rfc3339(this.clock.now());
    s.readySince = now;
    try {
      const created = await nodes.create(hollowNode(this.opts, s.index, now));
      this.noteNode(s, created);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      // Registered by an earlier run: take it over, refreshing labels, and report Ready.
      const patched = await nodes.patch(s.name, 'merge', {
        metadata: { labels: hollowNodeLabels(this.opts, s.index) },
      });
      this.noteNode(s, patched);
      await this.postStatus(s.index);
    }
    s.registered = true;
  }

  private noteNode(s: NodeState, node: Node): void {
    s.uid = node.metadata?.uid ?? s.uid;
    const cidr = node.spec?.podCIDR;
    if (cidr && !s.pool) s.pool = new IpPool(cidr);
  }

  /** A Node event: learn the podCIDR; report at once when the server no longer sees us Ready. */
  private observe(n: NodeObject): void {
    const s = this.byName.get(n.metadata.name ?? '');
    if (!s || s.retired) return;
    this.noteNode(s, n);
    if (s.registered && !this.abort.signal.aborted && readyStatus(n) !== 'True') {
      s.readySince = rfc3339(this.clock.now());
      this.statuses.runNow(s.index);
    }
  }

  private retire(n: NodeObject): void {
    const s = this.byName.get(n.metadata.name ?? '');
    if (!s || this.abort.signal.aborted) return;
    s.retired = true;
    this.log.info({ node: s.name }, 'node deleted: no more heartbeats for it');
  }

  private async postStatus(index: number): Promise<void> {
    const s = this.states[index];
    if (!s || s.retired) return;
    const now = rfc3339(this.clock.now());
    try {
      const node = await this.deps.client
        .resource<NodeObject>(NODES)
        .patch(
          s.name,
          'strategic',
          { status: { conditions: hollowConditions(now, s.readySince) } },
          { subresource: 'status' },
        );
      this.counts.statusPosts++;
      this.noteNode(s, node);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) {
        s.retired = true;
        return;
      }
      throw err;
    }
  }

  private async renewLease(index: number): Promise<void> {
    const s = this.states[index];
    if (!s || s.retired) return;
    const leases = this.deps.client.resource(LEASES, NODE_LEASE_NAMESPACE);
    const spec = {
      holderIdentity: s.name,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: rfc3339Micro(this.clock.now()),
    };
    try {
      await leases.patch(s.name, 'merge', { spec });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      try {
        await leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: s.name,
            namespace: NODE_LEASE_NAMESPACE,
            ...(s.uid
              ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: s.name, uid: s.uid }] }
              : {}),
          },
          spec,
        });
      } catch (createErr) {
        if (!(createErr instanceof ApiError && createErr.code === 409)) throw createErr;
      }
    }
    this.counts.leaseRenewals++;
  }
}

/**
 * Registers the Node, keeps its status current and renews its Lease in kube-node-lease (the
 * heartbeat the node lifecycle controller watches). Status is written when something changed and at
 * least every `statusReportMs`; the Lease every `leaseRenewMs`.
 */
import type { NodeStatus } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../../api/errors.js';
import type { ApiObject, Client } from '../../../client/types.js';
import { LEASES, NODES } from '../../../client/resources.js';
import type { Logger } from '../../../util/log.js';
import { rfc3339, rfc3339Micro, systemClock, type Clock } from '../../../util/time.js';
import type { MachineInfo } from './machine.js';
import {
  newNode,
  nodeLabels,
  nodeStatus,
  SERVICE_PROXY_LABEL,
  type NodeHealth,
  type NodeIdentity,
} from './node-status.js';

export const LEASE_DURATION_SECONDS = 40;

export interface NodeManagerOptions {
  client: Client;
  identity: NodeIdentity;
  machine: MachineInfo;
  /** Readings for the conditions, taken before every status write. */
  health(): NodeHealth;
  /** Images present on the node, for status.images (ImageLocality). */
  images?(): Promise<NodeStatus['images']>;
  log: Logger;
  clock?: Clock;
  leaseRenewMs?: number;
  statusCheckMs?: number;
  statusReportMs?: number;
}

type NodeObject = ApiObject & { spec?: { podCIDR?: string; podCIDRs?: string[] }; status?: NodeStatus };

/** Drops the heartbeat times so two statuses compare equal when only the heartbeat moved. */
function withoutHeartbeats(s: NodeStatus): string {
  return JSON.stringify({
    ...s,
    conditions: s.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })),
  });
}

export class NodeManager {
  private readonly clock: Clock;
  private node: NodeObject | undefined;
  private lastReport = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly podCidrWaiters: ((cidr: string) => void)[] = [];

  constructor(private readonly opts: NodeManagerOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  get name(): string {
    return this.opts.identity.name;
  }

  /** The Node as last read or written. */
  current(): NodeObject | undefined {
    return this.node;
  }

  /** Creates the Node (or adopts an existing one, refreshing its labels) and writes a first status. */
  async register(): Promise<void> {
    const nodes = this.opts.client.resource<NodeObject>(NODES);
    try {
      this.node = await nodes.create(newNode(this.opts.identity, this.opts.machine));
      this.opts.log.info({ node: this.name }, 'node registered');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      // A node started again with `--disable proxy` loses the service proxy label (null removes it).
      const labels: Record<string, string | null> = {
        [SERVICE_PROXY_LABEL]: null,
        ...nodeLabels(this.opts.identity, this.opts.machine),
      };
      this.node = await nodes.patch(this.name, 'merge', { metadata: { labels } });
      this.opts.log.info({ node: this.name }, 'node already registered: adopted');
    }
    await this.updateStatus(true);
    await this.renewLease();
  }

  /** Starts the heartbeat loops. */
  start(): void {
    const loop = (ms: number, fn: () => Promise<void>, what: string): void => {
      const tick = (): void => {
        if (this.stopped) return;
        fn()
          .catch((err: unknown) => this.opts.log.warn({ err, node: this.name }, `${what} failed`))
          .finally(() => {
            if (!this.stopped) this.timers.push(setTimeout(tick, ms).unref());
          });
      };
      this.timers.push(setTimeout(tick, ms).unref());
    };
    // 5 s (upstream: 10 s): the node lifecycle controller's 15 s grace period allows three misses.
    loop(this.opts.leaseRenewMs ?? 5_000, () => this.renewLease(), 'lease renewal');
    loop(this.opts.statusCheckMs ?? 10_000, () => this.updateStatus(false), 'node status update');
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** Resolves with spec.podCIDR once the server has allocated it. */
  async waitForPodCidr(signal?: AbortSignal): Promise<string> {
    const nodes = this.opts.client.resource<NodeObject>(NODES);
    for (;;) {
      const have = this.node?.spec?.podCIDR;
      if (have) return have;
      if (signal?.aborted) throw new Error('stopped while waiting for a pod CIDR');
      for await (const ev of nodes.watch({
        fieldSelector: `metadata.name=${this.name}`,
        timeoutSeconds: 30,
        signal,
      })) {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
          this.node = ev.object;
          if (ev.object.spec?.podCIDR) break;
        }
      }
      if (!this.node?.spec?.podCIDR) this.node = await nodes.get(this.name);
    }
  }

  /** Writes the status when it changed or the report interval has passed (or when forced). */
  async updateStatus(force: boolean): Promise<void> {
    const nodes = this.opts.client.resource<NodeObject>(NODES);
    const now = this.clock.now();
    const images = this.opts.images ? await this.opts.images() : undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = this.node ?? (await nodes.get(this.name));
      const next = nodeStatus(
        this.opts.identity,
        this.opts.machine,
        this.opts.health(),
        current.status,
        rfc3339(now),
        images ?? current.status?.images ?? [],
      );
      const due = now.getTime() - this.lastReport >= (this.opts.statusReportMs ?? 60_000);
      if (!force && !due && current.status && withoutHeartbeats(next) === withoutHeartbeats(current.status))
        return;
      try {
        this.node = await nodes.updateStatus({ ...current, status: next });
        this.lastReport = now.getTime();
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 409) {
          this.node = await nodes.get(this.name);
          continue;
        }
        if (err instanceof ApiError && err.code === 404) {
          // Someone deleted the Node: register again.
          this.node = undefined;
          await this.register();
          return;
        }
        throw err;
      }
    }
  }

  /** Creates or renews the node's Lease. */
  async renewLease(): Promise<void> {
    const leases = this.opts.client.resource(LEASES, 'kube-node-lease');
    const renewTime = rfc3339Micro(this.clock.now());
    const uid = this.node?.metadata.uid;
    try {
      await leases.patch(this.name, 'merge', {
        spec: { holderIdentity: this.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      await leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: this.name,
          namespace: 'kube-node-lease',
          ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid }] } : {}),
        },
        spec: { holderIdentity: this.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
      });
    }
  }
}

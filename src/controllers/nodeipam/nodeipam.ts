/**
 * Node IPAM: gives every Node a pod range (`spec.podCIDR`, `spec.podCIDRs`) carved out of the
 * cluster CIDR, the lowest free one first. Ranges of deleted nodes become free again because the
 * allocator recomputes what is used from the nodes that exist.
 */
import { ApiError } from '../../api/errors.js';
import type { StoredObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import type { ResourceCache } from '../../registry/cache/resource-cache.js';
import type { Store } from '../../registry/store.js';
import type { Clock } from '../../util/time.js';
import type { Logger } from '../../util/log.js';
import { subscribe } from '../subscribe.js';
import { WorkQueue } from '../queue.js';
import { RangeAllocator } from './ranges.js';

const USER = {
  username: 'system:serviceaccount:kube-system:node-controller',
  groups: ['system:serviceaccounts', 'system:authenticated'],
};

interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
}

export class NodeIpamController {
  private readonly queue: WorkQueue;
  private readonly ranges: RangeAllocator;
  private stopWatch: () => void = () => undefined;
  private nodes: { store: Store; cache: ResourceCache } | undefined;

  constructor(
    private readonly served: ServedResources,
    clusterCidr: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    nodeMaskSize = 24,
  ) {
    this.ranges = new RangeAllocator(clusterCidr, nodeMaskSize);
    this.queue = new WorkQueue((name) => this.sync(name), log, { concurrency: 1 });
  }

  start(): void {
    const entry = this.served
      .stored()
      .find((s) => s.served.type.group === '' && s.served.type.plural === 'nodes');
    if (!entry) throw new Error('nodes are not served');
    this.nodes = { store: entry.store, cache: entry.cache };
    this.stopWatch = subscribe(entry.cache, (ev) => {
      const spec = (ev.object.object['spec'] ?? {}) as NodeSpec;
      if (ev.type === 'DELETED') {
        if (spec.podCIDR) this.ranges.release(spec.podCIDR);
        return;
      }
      if (spec.podCIDR) this.ranges.occupy(spec.podCIDR);
      else this.queue.add(ev.object.name);
    });
  }

  stop(): void {
    this.stopWatch();
    this.queue.stop();
  }

  private async sync(name: string): Promise<void> {
    const nodes = this.nodes;
    const node = nodes?.cache.get(`${nodes.cache.prefix}${name}`);
    if (!nodes || !node) return;
    if (((node.object['spec'] ?? {}) as NodeSpec).podCIDR) return;
    const cidr = this.ranges.allocate();
    if (!cidr) {
      this.log.error({ node: name, clusterCidr: this.ranges.describe() }, 'no pod CIDR left for node');
      return;
    }
    try {
      const updated = await nodes.store.mutate(
        name,
        { user: USER, namespace: '', now: () => this.clock.now() },
        { dryRun: false, subresource: '' },
        (obj: StoredObject) => {
          const spec = (obj['spec'] ?? {}) as NodeSpec;
          if (spec.podCIDR) return obj;
          obj['spec'] = { ...spec, podCIDR: cidr, podCIDRs: [cidr] };
          return obj;
        },
      );
      const got = ((updated['spec'] ?? {}) as NodeSpec).podCIDR;
      if (got !== cidr) this.ranges.release(cidr);
      else this.log.info({ node: name, podCIDR: cidr }, 'pod CIDR allocated');
    } catch (err) {
      this.ranges.release(cidr);
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}

/**
 * ClusterRole aggregation: a ClusterRole with an aggregationRule holds the union of the rules of
 * the ClusterRoles its selectors match (how admin, edit and view pick up rules from other roles).
 * Runs after every ClusterRole change.
 */
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ServedResources } from '../../apiserver/served.js';
import { aggregateClusterRoles } from '../../auth/rbac/aggregate.js';
import type { ClusterRole } from '../../auth/rbac/types.js';
import type { Clock } from '../../util/time.js';
import type { Logger } from '../../util/log.js';
import { subscribe } from '../subscribe.js';
import { WorkQueue } from '../queue.js';

const USER = {
  username: 'system:serviceaccount:kube-system:clusterrole-aggregation-controller',
  groups: ['system:masters'],
};
const KEY = 'aggregate';

export class ClusterRoleAggregator {
  private readonly queue: WorkQueue;
  private stopWatch: () => void = () => undefined;

  constructor(
    private readonly served: ServedResources,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue(() => this.sync(), log, { concurrency: 1 });
  }

  start(): void {
    const cache = this.served.cache('rbac.authorization.k8s.io', 'clusterroles');
    if (!cache) throw new Error('clusterroles are not cached');
    this.stopWatch = subscribe(cache, () => this.queue.add(KEY));
  }

  stop(): void {
    this.stopWatch();
    this.queue.stop();
  }

  private async sync(): Promise<void> {
    const s = this.served.get('rbac.authorization.k8s.io', 'v1', 'clusterroles');
    const cache = this.served.cache('rbac.authorization.k8s.io', 'clusterroles');
    if (!s?.store || !cache) return;
    const roles = [...cache.values()].map((c) => c.object as unknown as ClusterRole);
    for (const updated of aggregateClusterRoles(roles)) {
      const name = updated.metadata?.name ?? '';
      try {
        await s.store.mutate(
          name,
          { user: USER, namespace: '', now: () => this.clock.now() },
          { dryRun: false, subresource: '' },
          (obj) => {
            (obj as KubeObject)['rules'] = updated.rules ?? [];
            return obj;
          },
        );
        this.log.debug({ clusterrole: name }, 'aggregated rules updated');
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
}

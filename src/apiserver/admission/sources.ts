/**
 * What admission plugins read (and, for quota, write) inside the API server: the watch caches of the
 * served resources, and the stores for the few writes admission makes itself.
 */
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { StrategyContext } from '../../registry/strategy.js';
import type { Clock } from '../../util/time.js';
import type { ServedResources } from '../served.js';
import type { QuotaStore } from './resourcequota/plugin.js';

const SYSTEM_USER = { username: 'system:apiserver', groups: ['system:masters'] };
/** How long a consistent read waits for the caches before reading them anyway. */
const FRESH_TIMEOUT_MS = 3000;

/** Lists cached objects of a stored resource. */
export type CachedLister = (group: string, resource: string, namespace: string) => KubeObject[];

/** Cached objects of a stored resource (`('', 'limitranges')`), in a namespace or ('') all. */
export function cachedLister(served: ServedResources): CachedLister {
  return (group, resource, namespace) => {
    const cache = served.cache(group, resource);
    if (!cache) return [];
    return [...cache.values(namespace)].map((c) => c.object);
  };
}

/** ResourceQuotas for the quota plugin: the cache, consistent reads, conditional status writes. */
export function servedQuotaStore(served: ServedResources, clock: Clock): QuotaStore {
  const list = cachedLister(served);
  return {
    cached: (ns) => list('', 'resourcequotas', ns),
    fresh: async (ns) => {
      await served.caches.waitFresh(FRESH_TIMEOUT_MS);
      return list('', 'resourcequotas', ns);
    },
    writeUsed: async (quota, used) => {
      const store = served.get('', 'v1', 'resourcequotas')?.store;
      if (!store) throw new Error('resourcequotas are not served');
      const ns = quota.metadata?.namespace ?? '';
      const ctx: StrategyContext = { user: SYSTEM_USER, namespace: ns, now: () => clock.now() };
      const next = structuredClone(quota) as StoredObject;
      const status = (next['status'] ?? {}) as Record<string, unknown>;
      next['status'] = { ...status, used };
      const { object } = await store.update(quota.metadata?.name ?? '', next, ctx, {
        dryRun: false,
        subresource: 'status',
      });
      return object;
    },
  };
}

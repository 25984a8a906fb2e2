/**
 * RBAC over the registry: the authorizer reads Roles and bindings from the watch cache; the bootstrap
 * policy is written through the stores as the API server itself.
 */
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { ServedResources } from '../apiserver/served.js';
import type { BootstrapPolicyStore } from '../auth/rbac/reconcile.js';
import type { ClusterRole, ClusterRoleBinding, RbacSource, Role, RoleBinding } from '../auth/rbac/types.js';
import type { ResourceCache } from '../registry/cache/resource-cache.js';
import { objectKey } from '../registry/keys.js';
import type { StrategyContext } from '../registry/strategy.js';
import type { Clock } from '../util/time.js';

const GROUP = 'rbac.authorization.k8s.io';

function cacheOf(served: ServedResources, resource: string): ResourceCache {
  const c = served.cache(GROUP, resource);
  if (!c) throw new Error(`${resource}.${GROUP} is not cached`);
  return c;
}

/** Memoises a list per cache revision, so authorization does not copy the cache on every request. */
function memoList<T>(cache: ResourceCache, namespace: string | undefined): () => readonly T[] {
  let at = -1;
  let items: T[] = [];
  return () => {
    if (at !== cache.lastChange) {
      items = [...cache.values(namespace ?? '')].map((c) => c.object as unknown as T);
      at = cache.lastChange;
    }
    return items;
  };
}

export function registryRbacSource(served: ServedResources): RbacSource {
  const roles = cacheOf(served, 'roles');
  const clusterRoles = cacheOf(served, 'clusterroles');
  const roleBindings = cacheOf(served, 'rolebindings');
  const clusterRoleBindings = cacheOf(served, 'clusterrolebindings');
  const allClusterRoles = memoList<ClusterRole>(clusterRoles, undefined);
  const allClusterRoleBindings = memoList<ClusterRoleBinding>(clusterRoleBindings, undefined);
  const bindingsByNs = new Map<string, { at: number; items: RoleBinding[] }>();
  return {
    getRole: (ns, name) =>
      roles.get(objectKey(roles.prefix, ns, name))?.object as unknown as Role | undefined,
    getClusterRole: (name) =>
      clusterRoles.get(objectKey(clusterRoles.prefix, '', name))?.object as unknown as
        ClusterRole | undefined,
    listRoleBindings: (ns) => {
      const hit = bindingsByNs.get(ns);
      if (hit && hit.at === roleBindings.lastChange) return hit.items;
      const items = [...roleBindings.values(ns)].map((c) => c.object as unknown as RoleBinding);
      bindingsByNs.set(ns, { at: roleBindings.lastChange, items });
      return items;
    },
    listClusterRoleBindings: allClusterRoleBindings,
    listClusterRoles: allClusterRoles,
  };
}

const SYSTEM_USER = { username: 'system:apiserver', groups: ['system:masters'] };

export function registryPolicyStore(served: ServedResources, clock: Clock): BootstrapPolicyStore {
  const ctx: StrategyContext = { user: SYSTEM_USER, namespace: '', now: () => clock.now() };
  const res = (plural: string) => {
    const s = served.get(GROUP, 'v1', plural);
    if (!s?.store) throw new Error(`${plural}.${GROUP} is not served`);
    return s;
  };
  const get = async <T>(plural: string, name: string): Promise<T | undefined> => {
    try {
      return (await res(plural).store!.get('', name, '')).object as unknown as T;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  };
  const create = async (plural: string, obj: KubeObject): Promise<void> => {
    const s = res(plural);
    const o = structuredClone(obj);
    s.strategy.defaults?.(o);
    await s.store!.create(o, ctx, { dryRun: false });
  };
  const update = async (plural: string, obj: KubeObject): Promise<void> => {
    const s = res(plural);
    const o = structuredClone(obj);
    s.strategy.defaults?.(o);
    await s.store!.update(obj.metadata?.name ?? '', o, ctx, { dryRun: false, subresource: '' });
  };
  return {
    getClusterRole: (name) => get<ClusterRole>('clusterroles', name),
    createClusterRole: (role) => create('clusterroles', role as unknown as KubeObject),
    updateClusterRole: (role) => update('clusterroles', role as unknown as KubeObject),
    getClusterRoleBinding: (name) => get<ClusterRoleBinding>('clusterrolebindings', name),
    createClusterRoleBinding: (b) => create('clusterrolebindings', b as unknown as KubeObject),
    updateClusterRoleBinding: (b) => update('clusterrolebindings', b as unknown as KubeObject),
    deleteClusterRoleBinding: async (name) => {
      await res('clusterrolebindings').store!.delete(name, ctx, { dryRun: false });
    },
  };
}

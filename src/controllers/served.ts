/** How in-process controllers reach one core/v1 resource: its store, watch cache and strategy. */
import type { ServedResources } from '../apiserver/served.js';
import type { ResourceCache } from '../registry/cache/resource-cache.js';
import type { Store } from '../registry/store.js';
import type { Strategy } from '../registry/strategy.js';

export interface CoreResource {
  store: Store;
  cache: ResourceCache;
  strategy: Strategy;
}

/** The core/v1 resource `plural`; throws when it is not served. */
export function coreResource(served: ServedResources, plural: string): CoreResource {
  const s = served.get('', 'v1', plural);
  const cache = served.cache('', plural);
  if (!s?.store || !cache) throw new Error(`${plural} are not served`);
  return { store: s.store, cache, strategy: s.strategy };
}

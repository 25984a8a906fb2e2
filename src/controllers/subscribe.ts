/**
 * In-process subscriptions to the watch cache for controllers running inside the server: every
 * current object first, then each change. A cache reset (relist) resubscribes from the new state.
 */
import type { ResourceCache } from '../registry/cache/resource-cache.js';
import type { CacheEvent } from '../registry/cache/types.js';

/** Calls `onEvent` for every current object (as ADDED) and every later change, until stopped. */
export function subscribe(cache: ResourceCache, onEvent: (ev: CacheEvent) => void): () => void {
  let stopped = false;
  let unsubscribe: () => void = () => undefined;
  const start = (): void => {
    if (stopped) return;
    unsubscribe = cache.watch({
      afterRevision: cache.revision,
      initialEvents: true,
      sink: {
        deliver(ev) {
          onEvent(ev);
          return true;
        },
        close() {
          // The cache was reset (relist): start over from its new contents.
          queueMicrotask(start);
        },
      },
    });
  };
  start();
  return () => {
    stopped = true;
    unsubscribe();
  };
}

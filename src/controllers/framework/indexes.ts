/**
 * Informer indexes the workload controllers share. Informers are shared, so the same index may be
 * asked for by several controllers: {@link ensureIndex} adds it once.
 */
import type { ApiObject, Informer } from '../../client/types.js';
import { controllerOf } from './pods.js';

/**
 * Index of objects by their controller's uid; objects without a controller are indexed under
 * {@link orphanKey} of their namespace. A controller finds what it owns, plus the orphans it may
 * adopt, without scanning its namespace.
 */
export const BY_CONTROLLER = 'controller-uid-or-orphan';

/** The {@link BY_CONTROLLER} value of the objects in `namespace` that have no controller. */
export function orphanKey(namespace: string): string {
  return `orphan/${namespace}`;
}

/** Index of objects by namespace. */
export const BY_NAMESPACE = 'namespace';

/** Adds {@link BY_NAMESPACE} to `informer`. */
export function indexByNamespace<T extends ApiObject>(informer: Informer<T>): void {
  ensureIndex(informer, BY_NAMESPACE, (obj) => [obj.metadata.namespace ?? '']);
}

/** Adds an index unless an index of that name exists (a shared informer may already have it). */
export function ensureIndex<T extends ApiObject>(
  informer: Informer<T>,
  name: string,
  fn: (obj: T) => string[],
): void {
  try {
    informer.addIndex(name, fn);
  } catch (err) {
    if (!(err instanceof Error && /already exists/.test(err.message))) throw err;
  }
}

/** Adds {@link BY_CONTROLLER} to `informer`. */
export function indexByController<T extends ApiObject>(informer: Informer<T>): void {
  ensureIndex(informer, BY_CONTROLLER, (obj) => {
    const ref = controllerOf(obj);
    return [ref ? ref.uid : orphanKey(obj.metadata.namespace ?? '')];
  });
}

/** The objects controlled by `uid` and the orphans of `namespace` (from the {@link BY_CONTROLLER} index). */
export function ownedAndOrphans<T extends ApiObject>(
  informer: Informer<T>,
  uid: string,
  namespace: string,
): T[] {
  return [...informer.byIndex(BY_CONTROLLER, uid), ...informer.byIndex(BY_CONTROLLER, orphanKey(namespace))];
}

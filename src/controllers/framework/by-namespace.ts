/**
 * Per-namespace lookups on a shared informer: one `namespace` index, added by whichever controller
 * asks first and shared by the others.
 */
import type { ApiObject, Informer } from '../../client/types.js';

/** The index name every controller uses for "objects of this namespace". */
export const NAMESPACE_INDEX = 'namespace';

/**
 * A function listing the informer's objects of one namespace. Adds the shared index when missing;
 * an informer that refuses new indexes is filtered on each call instead.
 */
export function byNamespace<T extends ApiObject>(inf: Informer<T>): (namespace: string) => T[] {
  try {
    inf.addIndex(NAMESPACE_INDEX, (o) => [o.metadata.namespace ?? '']);
  } catch {
    // Another controller added it already (or this informer takes no more indexes).
    try {
      inf.byIndex(NAMESPACE_INDEX, '');
    } catch {
      return (ns) => inf.list().filter((o) => (o.metadata.namespace ?? '') === ns);
    }
  }
  return (ns) => inf.byIndex(NAMESPACE_INDEX, ns);
}

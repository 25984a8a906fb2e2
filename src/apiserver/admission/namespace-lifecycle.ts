/**
 * NamespaceLifecycle, as upstream: objects may only be created in namespaces that exist and are not
 * terminating, and the system namespaces cannot be deleted.
 */
import { apiErrors, ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

/** Namespaces that may never be deleted. */
export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/** Looks a namespace up (the cache, then the store on a miss). */
export type NamespaceLookup = (name: string) => Promise<KubeObject | undefined>;

/** Kinds that may be created in a terminating namespace (upstream lets these through). */
const ALLOWED_WHILE_TERMINATING = new Set([
  'events',
  'subjectaccessreviews',
  'localsubjectaccessreviews',
  'tokenreviews',
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
]);

export function namespaceLifecycle(lookup: NamespaceLookup): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a: AdmissionAttributes): Promise<void> {
      const gr = { group: a.resource.group, resource: a.resource.plural };
      if (
        a.operation === 'DELETE' &&
        a.resource.plural === 'namespaces' &&
        a.resource.group === '' &&
        a.subresource === ''
      ) {
        if (IMMORTAL_NAMESPACES.has(a.name)) {
          throw apiErrors.forbidden(gr, a.name, 'this namespace may not be deleted');
        }
        return;
      }
      if (a.operation !== 'CREATE' || !a.resource.namespaced || !a.namespace) return;
      if (a.subresource !== '' && a.subresource !== 'binding' && a.subresource !== 'eviction') return;
      const ns = await lookup(a.namespace);
      if (!ns) throw apiErrors.notFound({ group: '', resource: 'namespaces' }, a.namespace);
      const phase = (ns['status'] as { phase?: string } | undefined)?.phase;
      if (
        (phase === 'Terminating' || ns.metadata?.deletionTimestamp) &&
        !ALLOWED_WHILE_TERMINATING.has(a.resource.plural)
      ) {
        const name = a.object?.metadata?.name ?? a.object?.metadata?.generateName ?? a.name;
        throw new ApiError(
          403,
          'Forbidden',
          `${a.resource.group ? `${a.resource.plural}.${a.resource.group}` : a.resource.plural} ${JSON.stringify(name)} is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
          {
            name,
            group: a.resource.group,
            kind: a.resource.plural,
            causes: [
              {
                reason: 'NamespaceTerminating',
                message: `namespace ${a.namespace} is being terminated`,
                field: 'metadata.namespace',
              },
            ],
          },
        );
      }
    },
  };
}

/**
 * Claiming dependents, as upstream's controller-ref manager does: a controller owns the objects whose
 * controller reference names it; it adopts orphans its selector matches (adding its controller
 * reference) and releases owned objects its selector no longer matches (removing the reference).
 * Writes are merge patches of `metadata.ownerReferences` with the object's uid and resourceVersion as
 * preconditions, so a concurrent change fails with a conflict (the caller requeues) instead of being
 * overwritten.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.js';
import type { ApiObject, ResourceClient } from '../../client/types.js';
import { controllerOf, controllerRef, type OwnerInfo } from './pods.js';

/** What {@link claimObjects} needs to know about the claiming controller. */
export interface Claimer<T extends ApiObject> {
  /** The controller (its uid, name, namespace, kind, deletionTimestamp). */
  owner: OwnerInfo & { metadata: { deletionTimestamp?: string } };
  /** The dependents' collection in the owner's namespace. */
  client: ResourceClient<T>;
  /** True when the object belongs to the controller by its selector (and any other filter). */
  matches(obj: T): boolean;
  /**
   * Checked once before the first adoption: rejects when the owner is gone or being deleted (read
   * live, not from a cache, as upstream's RecheckDeletionTimestamp).
   */
  canAdopt(): Promise<void>;
}

function refsPatch(obj: ApiObject, refs: OwnerReference[]): Record<string, unknown> {
  return {
    metadata: {
      ownerReferences: refs.length ? refs : null,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    },
  };
}

function notFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/**
 * The objects of `candidates` the controller owns after adopting and releasing (cached objects are
 * never mutated; adopted ones are returned as patched). Rejects with the first error after trying
 * every object, like upstream's aggregate.
 */
export async function claimObjects<T extends ApiObject>(
  c: Claimer<T>,
  candidates: readonly T[],
): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  const ownerUid = c.owner.metadata.uid ?? '';
  const ownerDeleting = Boolean(c.owner.metadata.deletionTimestamp);
  let adoptable: Promise<void> | undefined;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue; // someone else's
      if (c.matches(obj)) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
        await c.client.patch(obj.metadata.name ?? '', 'merge', refsPatch(obj, rest));
      } catch (err) {
        if (!notFound(err)) errors.push(err);
      }
      continue;
    }
    if (ownerDeleting || !c.matches(obj) || obj.metadata.deletionTimestamp) continue;
    if (c.owner.metadata.namespace && obj.metadata.namespace !== c.owner.metadata.namespace) continue;
    try {
      adoptable ??= c.canAdopt();
      await adoptable;
      const refs = [...(obj.metadata.ownerReferences ?? []), controllerRef(c.owner)];
      claimed.push(await c.client.patch(obj.metadata.name ?? '', 'merge', refsPatch(obj, refs)));
    } catch (err) {
      if (!notFound(err)) errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

/**
 * A {@link Claimer.canAdopt} that reads the owner live: it must still exist with the same uid and not
 * be being deleted (upstream's messages).
 */
export function recheckOwner(
  get: () => Promise<ApiObject>,
  owner: { metadata: { namespace?: string; name?: string; uid?: string } },
): () => Promise<void> {
  return async () => {
    const fresh = await get();
    const { namespace, name, uid } = owner.metadata;
    if (fresh.metadata.uid !== uid)
      throw new Error(`original ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp)
      throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

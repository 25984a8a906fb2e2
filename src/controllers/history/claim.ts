/**
 * Claiming the objects a controller manages (upstream's ControllerRefManager): objects it controls
 * whose labels still match its selector are kept; controlled ones that no longer match are released
 * (the controller reference removed); matching orphans are adopted (a controller reference added),
 * after one fresh read confirms the controller itself is not being deleted.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.js';
import type { LabelSelector } from '../../api/selectors/labels.js';
import type { ApiObject, Client, ResourceRef } from '../../client/types.js';
import { controllerOf } from '../framework/pods.js';

/** What {@link claimObjects} needs. */
export interface ClaimParams<T extends ApiObject> {
  client: Client;
  /** The collection the claimed objects belong to. */
  ref: ResourceRef;
  /** The controlling object (its uid, namespace and deletionTimestamp are read). */
  owner: ApiObject;
  /** The reference adopted objects get. */
  ownerRef: OwnerReference;
  selector: LabelSelector;
  /** An extra condition an object must meet to be claimed (StatefulSets: the name prefix). */
  filter?: (obj: T) => boolean;
  /** Rejects when a fresh read shows the owner gone, replaced or being deleted (called once, before adopting). */
  recheckOwner(): Promise<void>;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/**
 * The objects among `objs` that `owner` controls after adopting and releasing as needed. Errors of
 * single adoptions or releases do not stop the others; the first is thrown at the end (the caller
 * retries later).
 */
export async function claimObjects<T extends ApiObject>(objs: readonly T[], p: ClaimParams<T>): Promise<T[]> {
  const uid = p.owner.metadata.uid;
  const ownerDeleting = Boolean(p.owner.metadata.deletionTimestamp);
  const matches = (o: T): boolean => p.selector.matches(o.metadata.labels) && (p.filter?.(o) ?? true);
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let recheck: Promise<void> | undefined;
  for (const obj of objs) {
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches(obj)) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await release(p, obj);
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
      continue;
    }
    if (ownerDeleting || !matches(obj) || obj.metadata.deletionTimestamp) continue;
    if (p.owner.metadata.namespace && p.owner.metadata.namespace !== obj.metadata.namespace) continue;
    try {
      recheck ??= p.recheckOwner();
      await recheck;
      await adopt(p, obj);
      claimed.push(obj);
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** Adds the controller reference (a strategic merge patch keyed by uid, guarded by the object's uid). */
async function adopt<T extends ApiObject>(p: ClaimParams<T>, obj: T): Promise<void> {
  await p.client.resource(p.ref, obj.metadata.namespace).patch(obj.metadata.name ?? '', 'strategic', {
    metadata: { ownerReferences: [p.ownerRef], uid: obj.metadata.uid },
  });
}

/** Removes the owner's reference. */
async function release<T extends ApiObject>(p: ClaimParams<T>, obj: T): Promise<void> {
  await p.client.resource(p.ref, obj.metadata.namespace).patch(obj.metadata.name ?? '', 'strategic', {
    metadata: {
      ownerReferences: [{ $patch: 'delete', uid: p.owner.metadata.uid }],
      uid: obj.metadata.uid,
    },
  });
}

/**
 * A `recheckOwner` for {@link claimObjects}: reads `owner` fresh from the API and rejects when it is
 * gone, was replaced by another object of the same name, or is being deleted.
 */
export function ownerRecheck(client: Client, ref: ResourceRef, owner: ApiObject): () => Promise<void> {
  return async () => {
    const { namespace, name, uid } = owner.metadata;
    const fresh = await client.resource(ref, namespace).get(name ?? '');
    if (fresh.metadata.uid !== uid)
      throw new Error(
        `original ${ref.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`,
      );
    if (fresh.metadata.deletionTimestamp)
      throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

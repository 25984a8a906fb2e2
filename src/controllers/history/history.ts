/**
 * Writing ControllerRevisions: create one (finding a free name when another revision already holds
 * its hash), renumber one (a rollback to an older template makes that revision the newest), and
 * delete one. Conflicts are retried against a fresh read.
 */
import { ApiError } from '../../api/errors.js';
import type { Client } from '../../client/types.js';
import { CONTROLLERREVISIONS } from '../../client/resources.js';
import {
  equalRevision,
  hashRevisionData,
  REVISION_HASH_LABEL,
  revisionName,
  type Revision,
} from './revision.js';

/** Attempts of an update that keeps meeting conflicts. */
const CONFLICT_RETRIES = 5;

/** How many names a create tries before giving up (each collision bumps the count). */
const MAX_COLLISIONS = 100;

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

/** The result of {@link RevisionHistory.create}: the stored revision and the collision count used. */
export interface CreatedRevision {
  revision: Revision;
  collisionCount: number;
}

/** ControllerRevision writes for one controller. */
export class RevisionHistory {
  constructor(private readonly client: Client) {}

  private api(namespace: string | undefined) {
    return this.client.resource<Revision>(CONTROLLERREVISIONS, namespace);
  }

  /**
   * Stores `rev` (built by `newRevision`) for the owner named `ownerName`. When the name is taken by a
   * revision with the same data, that one is returned; when it is taken by different data (a hash
   * collision), the collision count goes up and a new name is tried.
   */
  async create(ownerName: string, rev: Revision, collisionCount: number): Promise<CreatedRevision> {
    const api = this.api(rev.metadata.namespace);
    let count = collisionCount;
    for (let attempt = 0; attempt < MAX_COLLISIONS; attempt++) {
      const hash = hashRevisionData(rev.data, count);
      const candidate = structuredClone(rev);
      candidate.metadata.name = revisionName(ownerName, hash);
      candidate.metadata.labels = { ...(candidate.metadata.labels ?? {}), [REVISION_HASH_LABEL]: hash };
      try {
        return { revision: await api.create(candidate), collisionCount: count };
      } catch (err) {
        if (!isCode(err, 409)) throw err;
        const existing = await api.get(candidate.metadata.name);
        if (equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
        count++;
      }
    }
    throw new Error(`no free name for a revision of ${ownerName} after ${MAX_COLLISIONS} hash collisions`);
  }

  /** Sets the number of `rev` to `revision` (retrying conflicts on a fresh copy). */
  async renumber(rev: Revision, revision: number): Promise<Revision> {
    const api = this.api(rev.metadata.namespace);
    let cur = structuredClone(rev);
    for (let attempt = 0; ; attempt++) {
      if (cur.revision === revision) return cur;
      cur.revision = revision;
      try {
        return await api.update(cur);
      } catch (err) {
        if (!isCode(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
        cur = await api.get(rev.metadata.name ?? '');
      }
    }
  }

  /** Deletes `rev`; one already gone is not an error. */
  async delete(rev: Revision): Promise<void> {
    try {
      await this.api(rev.metadata.namespace).delete(rev.metadata.name ?? '');
    } catch (err) {
      if (!isCode(err, 404)) throw err;
    }
  }
}

/**
 * A DaemonSet's revisions: one per template, named `<ds>-<hash of the template>`, labelled with
 * controller-revision-hash (the label its pods carry), numbered so the current template's revision
 * is the newest; old ones beyond spec.revisionHistoryLimit that no pod uses are deleted.
 */
import { ApiError } from '../../api/errors.js';
import { CONTROLLERREVISIONS, DAEMONSETS, PODS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { controllerRef } from '../framework/pods.js';
import { canonicalJSON, fnv32a, hashString } from '../history/json.js';
import {
  normalizeTemplate,
  POD_REVISION_LABEL,
  revisionName,
  sortRevisions,
  templatePatch,
  type Revision,
} from '../history/revision.js';
import type { Ds, DsPod } from './eligibility.js';

/** The hash of a DaemonSet's template (and collision count): the value of controller-revision-hash. */
export function templateHash(ds: Ds, collisionCount = ds.status?.collisionCount): string {
  const probe = collisionCount === undefined ? '' : String(collisionCount);
  return hashString(fnv32a(canonicalJSON(normalizeTemplate(ds.spec?.template)) + probe));
}

/** True when the revision holds the DaemonSet's current template. */
export function revisionMatches(ds: Ds, rev: Revision): boolean {
  return canonicalJSON(templatePatch(ds.spec?.template)) === canonicalJSON(rev.data);
}

/** The current revision and the others. */
export interface DsHistory {
  current: Revision;
  old: Revision[];
}

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

/** Revision writes and bookkeeping for DaemonSets. */
export class DaemonSetHistory {
  constructor(private readonly client: Client) {}

  /**
   * Splits the DaemonSet's revisions into the current one (created, de-duplicated or renumbered as
   * needed) and the old ones. `owned` are the revisions the DaemonSet controls; `pods` its pods.
   */
  async construct(ds: Ds, owned: readonly Revision[], pods: readonly DsPod[]): Promise<DsHistory> {
    const currents: Revision[] = [];
    const old: Revision[] = [];
    for (let rev of owned) {
      if (rev.metadata.labels?.[POD_REVISION_LABEL] === undefined) {
        const copy = structuredClone(rev);
        copy.metadata.labels = {
          ...(copy.metadata.labels ?? {}),
          [POD_REVISION_LABEL]: copy.metadata.name ?? '',
        };
        rev = await this.client.resource<Revision>(CONTROLLERREVISIONS, ds.metadata.namespace).update(copy);
      }
      (revisionMatches(ds, rev) ? currents : old).push(rev);
    }
    const next = old.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
    let current: Revision;
    if (currents.length === 0) {
      current = await this.snapshot(ds, next);
    } else {
      current = await this.dedup(ds, currents, pods);
      if ((current.revision ?? 0) < next) {
        const copy = structuredClone(current);
        copy.revision = next;
        current = await this.client
          .resource<Revision>(CONTROLLERREVISIONS, ds.metadata.namespace)
          .update(copy);
      }
    }
    return { current, old };
  }

  /** Stores a revision of the current template; on a name taken by other data, bumps the collision count. */
  private async snapshot(ds: Ds, revision: number): Promise<Revision> {
    const hash = templateHash(ds);
    const name = revisionName(ds.metadata.name ?? '', hash);
    const api = this.client.resource<Revision>(CONTROLLERREVISIONS, ds.metadata.namespace);
    const rev: Revision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [POD_REVISION_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [controllerRef({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata })],
      },
      data: templatePatch(ds.spec?.template) as Revision['data'],
      revision,
    };
    try {
      return await api.create(rev);
    } catch (err) {
      if (!isCode(err, 409)) throw err;
      const existing = await api.get(name);
      if (revisionMatches(ds, existing)) return existing;
      const dsApi = this.client.resource<Ds>(DAEMONSETS, ds.metadata.namespace);
      const fresh = await dsApi.get(ds.metadata.name ?? '');
      if (fresh.status?.collisionCount !== ds.status?.collisionCount)
        throw new Error(
          `found a stale collision count (${ds.status?.collisionCount ?? 'nil'}, expected ${fresh.status?.collisionCount ?? 'nil'}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`,
        );
      Object.assign(fresh, {
        status: { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 },
      });
      await dsApi.updateStatus(fresh);
      throw err;
    }
  }

  /** Keeps the newest of several revisions holding the current template, relabelling pods of the others. */
  private async dedup(ds: Ds, currents: Revision[], pods: readonly DsPod[]): Promise<Revision> {
    const sorted = sortRevisions(currents);
    const keep = sorted[sorted.length - 1] as Revision;
    const keepHash = keep.metadata.labels?.[POD_REVISION_LABEL] ?? '';
    for (const dup of sorted.slice(0, -1)) {
      const dupHash = dup.metadata.labels?.[POD_REVISION_LABEL];
      for (const pod of pods) {
        if (dupHash === undefined || pod.metadata.labels?.[POD_REVISION_LABEL] !== dupHash) continue;
        await this.client.resource(PODS, pod.metadata.namespace).patch(pod.metadata.name ?? '', 'strategic', {
          metadata: { labels: { [POD_REVISION_LABEL]: keepHash } },
        });
      }
      try {
        await this.client
          .resource(CONTROLLERREVISIONS, ds.metadata.namespace)
          .delete(dup.metadata.name ?? '');
      } catch (err) {
        if (!isCode(err, 404)) throw err;
      }
    }
    return keep;
  }

  /** Deletes the oldest old revisions beyond spec.revisionHistoryLimit that no pod was made from. */
  async cleanup(ds: Ds, old: readonly Revision[], pods: readonly DsPod[]): Promise<void> {
    let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return;
    const live = new Set<string>();
    for (const p of pods) {
      const h = p.metadata.labels?.[POD_REVISION_LABEL];
      if (h) live.add(h);
    }
    for (const rev of sortRevisions(old)) {
      if (toKill <= 0) break;
      if (live.has(rev.metadata.labels?.[POD_REVISION_LABEL] ?? '')) continue;
      try {
        await this.client
          .resource(CONTROLLERREVISIONS, ds.metadata.namespace)
          .delete(rev.metadata.name ?? '');
      } catch (err) {
        if (!isCode(err, 404)) throw err;
      }
      toKill--;
    }
  }
}

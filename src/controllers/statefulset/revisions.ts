/**
 * A StatefulSet's revisions: the update revision (its current template, created or renumbered when
 * needed), the current revision (status.currentRevision), applying a revision to the set, and
 * trimming old revisions to spec.revisionHistoryLimit.
 */
import type { RevisionHistory } from '../history/history.js';
import {
  equalRevision,
  findEqualRevisions,
  newRevision,
  nextRevision,
  templateOfRevision,
  templatePatch,
  type Revision,
} from '../history/revision.js';
import { podRevision, type Sts, type StsPod } from './identity.js';

/** The revisions a sync works with. */
export interface SetRevisions {
  current: Revision;
  update: Revision;
  collisionCount: number;
}

/** The revision that would capture the set's template now (not stored). */
export function revisionOfSet(set: Sts, revision: number, collisionCount: number): Revision {
  return newRevision(
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata },
    set.spec?.template?.metadata?.labels,
    templatePatch(set.spec?.template),
    revision,
    collisionCount,
    set.metadata.annotations,
  );
}

/**
 * Finds or makes the update revision: the newest revision when it already holds the template; an
 * older one with the same template renumbered to the newest (a rollback); otherwise a new one.
 * `revisions` are sorted by number.
 */
export async function setRevisions(
  history: RevisionHistory,
  set: Sts,
  revisions: readonly Revision[],
): Promise<SetRevisions> {
  let collisionCount = set.status?.collisionCount ?? 0;
  const candidate = revisionOfSet(set, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, candidate);
  const last = revisions[revisions.length - 1];
  const lastEqual = equal[equal.length - 1];
  let update: Revision;
  if (last && lastEqual && equalRevision(last, lastEqual)) {
    update = last;
  } else if (lastEqual) {
    update = await history.renumber(lastEqual, candidate.revision ?? 0);
  } else {
    const created = await history.create(set.metadata.name ?? '', candidate, collisionCount);
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** A copy of `set` with the template `rev` restores. */
export function applyRevision(set: Sts, rev: Revision): Sts {
  const template = templateOfRevision(rev);
  if (!template) throw new Error(`ControllerRevision ${rev.metadata.name} holds no pod template`);
  const copy = structuredClone(set);
  copy.spec = { ...(copy.spec ?? { selector: {}, serviceName: '' }), template };
  return copy;
}

/**
 * The revisions beyond spec.revisionHistoryLimit that nothing uses (not current, not update, no
 * pod made from them), oldest first. `revisions` are sorted by number.
 */
export function revisionsToTrim(
  set: Sts,
  pods: readonly StsPod[],
  revisions: readonly Revision[],
  current: Revision | undefined,
  update: Revision | undefined,
): Revision[] {
  const live = new Set<string>();
  if (current?.metadata.name) live.add(current.metadata.name);
  if (update?.metadata.name) live.add(update.metadata.name);
  for (const p of pods) live.add(podRevision(p));
  const old = revisions.filter((r) => !live.has(r.metadata.name ?? ''));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  return old.length <= limit ? [] : old.slice(0, old.length - limit);
}

/**
 * ControllerRevisions as StatefulSets and DaemonSets keep them: one immutable snapshot of the pod
 * template per revision, stored as the strategic merge patch that puts the template back
 * (`{"spec":{"template":{…,"$patch":"replace"}}}`, keys sorted as Go writes them, because kubectl
 * compares these bytes with its own encoding of the live template) — exactly what
 * `kubectl rollout undo` sends back to the workload — named `<owner>-<hash of the data>`, numbered 1, 2, 3…
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { isObject } from '../../api/meta.js';
import type { ApiObject } from '../../client/types.js';
import { controllerRef, type OwnerInfo } from '../framework/pods.js';
import { canonicalJSON, fnv32, hashString, sortKeysDeep } from './json.js';

/** A ControllerRevision as the client returns it. */
export type Revision = ControllerRevision & ApiObject;

/** The label on a StatefulSet's revisions holding the hash of their data. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/**
 * The label on pods naming the revision they were made from (a StatefulSet writes the revision's
 * name, a DaemonSet its hash); DaemonSet revisions carry it too.
 */
export const POD_REVISION_LABEL = 'controller-revision-hash';

/** Longest owner name kept in a revision name, so `<prefix>-<hash>` stays within 253 characters. */
const MAX_PREFIX = 223;

/** `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_PREFIX)}-${hash}`;
}

/** The hash of revision data, perturbed by the collision count when one is given. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  const probe = collisionCount === undefined ? '' : String(collisionCount);
  return hashString(fnv32(canonicalJSON(data) + probe));
}

/**
 * The template as Go's encoder writes a decoded one: a template's `metadata.creationTimestamp` is
 * always written (as null) and so is each container's `resources` (as `{}`). The API server stores
 * templates that way already; this makes revisions of objects that never passed it identical.
 */
export function normalizeTemplate(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {}) as PodTemplateSpec & { metadata?: Record<string, unknown> };
  const meta = (t.metadata ?? {}) as Record<string, unknown>;
  if (!('creationTimestamp' in meta)) meta['creationTimestamp'] = null;
  t.metadata = meta;
  for (const list of [t.spec?.containers, t.spec?.initContainers]) {
    for (const c of list ?? []) c.resources ??= {};
  }
  return t;
}

/** The revision data of a template: the patch that replaces a workload's template with it. */
export function templatePatch(template: PodTemplateSpec | undefined): Record<string, unknown> {
  return sortKeysDeep({ spec: { template: { ...normalizeTemplate(template), $patch: 'replace' } } });
}

/** The pod template a revision restores, or undefined when its data holds none. */
export function templateOfRevision(rev: { data?: unknown }): PodTemplateSpec | undefined {
  const data = rev.data;
  if (!isObject(data) || !isObject(data['spec'])) return undefined;
  const t = data['spec']['template'];
  if (!isObject(t)) return undefined;
  const copy = structuredClone(t);
  delete copy['$patch'];
  return copy as PodTemplateSpec;
}

/**
 * A new revision of `owner` (not yet stored): the template's labels plus the hash label, a
 * controller reference to the owner, `data` and number `revision`. The name comes from the hash of
 * the data and the collision count.
 */
export function newRevision(
  owner: OwnerInfo,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number,
  annotations?: Record<string, string>,
): Revision {
  const hash = hashRevisionData(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(owner.metadata.name ?? '', hash),
      namespace: owner.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    data: data as Revision['data'],
    revision,
  };
}

function created(r: Revision): number {
  const t = r.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Revisions by number, then creation time, then name (a sorted copy). */
export function sortRevisions<T extends Revision>(revisions: readonly T[]): T[] {
  return [...revisions].sort(
    (a, b) =>
      (a.revision ?? 0) - (b.revision ?? 0) ||
      created(a) - created(b) ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** True when two revisions hold the same data. */
export function equalRevision(a: { data?: unknown }, b: { data?: unknown }): boolean {
  return canonicalJSON(a.data) === canonicalJSON(b.data);
}

/** The revisions whose data equals `needle`'s, in the given order. */
export function findEqualRevisions<T extends Revision>(
  revisions: readonly T[],
  needle: { data?: unknown },
): T[] {
  const want = canonicalJSON(needle.data);
  return revisions.filter((r) => canonicalJSON(r.data) === want);
}

/** The number after the highest of `revisions` (1 when there are none). */
export function nextRevision(revisions: readonly Revision[]): number {
  let max = 0;
  for (const r of revisions) max = Math.max(max, r.revision ?? 0);
  return max + 1;
}

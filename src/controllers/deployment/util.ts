/**
 * Deployment helpers with upstream's semantics: revision annotations, the pod-template-hash, surge
 * and unavailability limits (int or percent with upstream's rounding), replica counts over
 * ReplicaSets and the orders ReplicaSets are considered in.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../client/types.js';

/** A Deployment as cached. */
export type DeploymentObject = Deployment & ApiObject;
/** A ReplicaSet as cached. */
export type ReplicaSetObject = ReplicaSet & ApiObject;

/** The label (and selector term) that ties a ReplicaSet and its pods to one template. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** Longest revision-history annotation kept (upstream: 2000 characters). */
export const MAX_REVISION_HISTORY_CHARS = 2000;
/** progressDeadlineSeconds meaning "no deadline" (math.MaxInt32). */
export const NO_PROGRESS_DEADLINE = 2147483647;

/** Deployment annotations never copied to its ReplicaSets (and kept by `kubectl rollout undo`). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** spec.replicas of a ReplicaSet or Deployment (the API defaults it to 1). */
export function replicasOf(obj: { spec?: { replicas?: number } } | undefined): number {
  return obj?.spec?.replicas ?? 1;
}

/** The revision of a ReplicaSet (0 when missing; undefined when not a number). */
export function revisionOf(rs: ApiObject): number | undefined {
  const v = rs.metadata.annotations?.[REVISION];
  if (v === undefined || v === '') return 0;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The highest revision among `rss`. */
export function maxRevision(rss: readonly ApiObject[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs) ?? 0);
  return max;
}

// --- surge and unavailability ---------------------------------------------------------------

/**
 * An int-or-percent scaled against `total`: percentages round up or down; an invalid value is an
 * error (validation refuses them, so the controller treats it as 0).
 */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** maxSurge and maxUnavailable as numbers for `desired` pods; both 0 becomes unavailable 1. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicasOf(d));
  } catch {
    return { surge: 0, unavailable: 0 };
  }
}

/** Pods a rolling update may run above `replicas` (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** Pods a rolling update may have unavailable (0 for Recreate or no replicas; at most `replicas`). */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

// --- counts -----------------------------------------------------------------------------------

type MaybeRs = ReplicaSetObject | undefined;

/** Sum of spec.replicas. */
export function specReplicas(rss: readonly MaybeRs[]): number {
  return rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
}

/** Sum of status.replicas. */
export function actualReplicas(rss: readonly MaybeRs[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function readyReplicas(rss: readonly MaybeRs[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicas(rss: readonly MaybeRs[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** ReplicaSets with spec.replicas above 0. */
export function activeReplicaSets(rss: readonly MaybeRs[]): ReplicaSetObject[] {
  return rss.filter((rs): rs is ReplicaSetObject => rs !== undefined && replicasOf(rs) > 0);
}

// --- orders ---------------------------------------------------------------------------------

function created(rs: ApiObject): number {
  const t = rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Older first; equal times by name. */
export function byCreation(a: ApiObject, b: ApiObject): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Larger first; equal sizes newer first (the order for scaling up). */
export function bySizeNewer(a: ReplicaSetObject, b: ReplicaSetObject): number {
  const d = replicasOf(b) - replicasOf(a);
  return d !== 0 ? d : byCreation(b, a);
}

/** Larger first; equal sizes older first (the order for scaling down). */
export function bySizeOlder(a: ReplicaSetObject, b: ReplicaSetObject): number {
  const d = replicasOf(b) - replicasOf(a);
  return d !== 0 ? d : byCreation(a, b);
}

/** Lower revision first; equal or unparsable revisions by creation. */
export function byRevision(a: ReplicaSetObject, b: ReplicaSetObject): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreation(a, b);
  return ra - rb;
}

// --- templates --------------------------------------------------------------------------------

/**
 * A template with zero values dropped (absent, null, false, 0, '', empty lists and maps), so two
 * templates that mean the same compare equal whatever way a client or the server spelled them.
 */
function pruned(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(pruned);
    return items.length ? items : undefined;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = pruned((v as Record<string, unknown>)[k]);
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === null || v === false || v === 0 || v === '') return undefined;
  return v;
}

/**
 * Equal once zero values are dropped (Go's omitempty view of a value): what a status comparison
 * needs, since a server may or may not store zero counts.
 */
export function prunedEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(pruned(a)) === JSON.stringify(pruned(b));
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return pruned(copy);
}

/** Equal templates, ignoring the pod-template-hash label (upstream's EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The pod-template-hash of a template: FNV-1a (32 bit) of its canonical form and the collision
 * count, written in the alphabet upstream uses for names (no vowels, no look-alike digits).
 */
export function templateHash(t: PodTemplateSpec | undefined, collisionCount: number | undefined): string {
  let h = 0x811c9dc5;
  const feed = (byte: number): void => {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const byte of Buffer.from(JSON.stringify(withoutHash(t)) ?? '', 'utf8')) feed(byte);
  if (collisionCount !== undefined) {
    const c = collisionCount >>> 0;
    for (let i = 0; i < 4; i++) feed((c >>> (8 * i)) & 0xff);
  }
  let out = '';
  for (const ch of String(h >>> 0)) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length] ?? '';
  return out;
}

/** The newest ReplicaSet whose template equals the Deployment's (oldest first when several do). */
export function findNewReplicaSet(
  d: Deployment,
  rss: readonly ReplicaSetObject[],
): ReplicaSetObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

// --- annotations --------------------------------------------------------------------------------

function intAnnotation(rs: ApiObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export function desiredReplicasAnnotation(rs: ApiObject): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS);
}

export function maxReplicasAnnotation(rs: ApiObject): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS);
}

/** Sets desired-replicas and max-replicas on `rs` (mutated); true when they changed. */
export function setReplicasAnnotations(rs: ApiObject, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DESIRED_REPLICAS] !== String(desired)) {
    ann[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (ann[MAX_REPLICAS] !== String(max)) {
    ann[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

/** Copies the Deployment's annotations (but the rollout bookkeeping ones) to `rs`; true when any changed. */
export function copyAnnotations(d: ApiObject, rs: ApiObject): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k)) continue;
    const ann = (rs.metadata.annotations ??= {});
    if (ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * Brings the annotations of the new ReplicaSet up to date (mutating `rs`): the Deployment's own, the
 * revision `newRevision` (the previous one moves into revision-history, trimmed to
 * {@link MAX_REVISION_HISTORY_CHARS}), and for a ReplicaSet being created the replica annotations.
 */
export function setNewReplicaSetAnnotations(
  d: DeploymentObject,
  rs: ReplicaSetObject,
  newRevision: number,
  exists: boolean,
): boolean {
  let changed = copyAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const oldText = ann[REVISION] ?? '';
  if (oldText !== '' && !/^\d+$/.test(oldText)) return false; // unparsable: leave it
  const old = oldText === '' ? 0 : Number(oldText);
  if (old < newRevision) {
    ann[REVISION] = String(newRevision);
    changed = true;
  }
  if (oldText !== '' && old < newRevision) {
    const history = ann[REVISION_HISTORY] ?? '';
    if (history === '') ann[REVISION_HISTORY] = oldText;
    else {
      const parts = history.split(',');
      let total = history.length + oldText.length + 1;
      let start = 0;
      while (total > MAX_REVISION_HISTORY_CHARS && start < parts.length) {
        total -= (parts[start] ?? '').length + 1;
        start++;
      }
      if (total <= MAX_REVISION_HISTORY_CHARS)
        ann[REVISION_HISTORY] = [...parts.slice(start), oldText].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

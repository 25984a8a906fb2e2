/**
 * Bootstrap policy reconciliation at server start, as upstream: missing default ClusterRoles and
 * ClusterRoleBindings are created; existing ones are updated additively (missing rules, aggregation
 * selectors, subjects, labels and annotations are added; nothing is removed) unless they carry
 * rbac.authorization.kubernetes.io/autoupdate=false. A binding whose roleRef differs is replaced
 * (roleRef is immutable).
 */
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap.js';
import { covers } from './rules.js';
import type { ClusterRole, ClusterRoleBinding, Subject } from './types.js';

/** Storage operations reconciliation needs; the server implements them over its registry. */
export interface BootstrapPolicyStore {
  getClusterRole(name: string): Promise<ClusterRole | undefined>;
  createClusterRole(role: ClusterRole): Promise<void>;
  /** Updates with the resourceVersion of the object from getClusterRole (optimistic lock). */
  updateClusterRole(role: ClusterRole): Promise<void>;
  getClusterRoleBinding(name: string): Promise<ClusterRoleBinding | undefined>;
  createClusterRoleBinding(binding: ClusterRoleBinding): Promise<void>;
  updateClusterRoleBinding(binding: ClusterRoleBinding): Promise<void>;
  deleteClusterRoleBinding(name: string): Promise<void>;
}

export interface ReconcileReport {
  created: string[];
  updated: string[];
  /** Differed from the default but carry autoupdate=false. */
  skipped: string[];
}

function protectedFromUpdate(meta: { annotations?: Record<string, string> } | undefined): boolean {
  return meta?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';
}

function mergeMap(
  existing: Record<string, string> | undefined,
  expected: Record<string, string> | undefined,
): { merged: Record<string, string>; changed: boolean } {
  const merged = { ...existing };
  let changed = false;
  for (const [k, v] of Object.entries(expected ?? {})) {
    if (!(k in merged)) {
      merged[k] = v;
      changed = true;
    }
  }
  return { merged, changed };
}

/** The reconciled role, or undefined when `existing` already holds everything `expected` has. */
export function reconcileClusterRole(existing: ClusterRole, expected: ClusterRole): ClusterRole | undefined {
  const out: ClusterRole = structuredClone(existing);
  out.metadata = out.metadata ?? {};
  let changed = false;
  const labels = mergeMap(existing.metadata?.labels, expected.metadata?.labels);
  const annotations = mergeMap(existing.metadata?.annotations, expected.metadata?.annotations);
  if (labels.changed) out.metadata.labels = labels.merged;
  if (annotations.changed) out.metadata.annotations = annotations.merged;
  changed ||= labels.changed || annotations.changed;

  if (expected.aggregationRule) {
    // Aggregated roles: the controller owns their rules; reconcile only the selectors.
    const have = existing.aggregationRule?.clusterRoleSelectors ?? [];
    const key = (s: unknown): string => JSON.stringify(s);
    const missing = (expected.aggregationRule.clusterRoleSelectors ?? []).filter(
      (s) => !have.some((h) => key(h) === key(s)),
    );
    if (missing.length > 0) {
      out.aggregationRule = { clusterRoleSelectors: [...have, ...missing] };
      changed = true;
    }
  } else {
    // Add, whole, each expected rule the existing rules do not cover.
    const add = (expected.rules ?? []).filter((r) => !covers(existing.rules ?? [], [r]).covered);
    if (add.length > 0) {
      out.rules = [...(existing.rules ?? []), ...add.map((r) => structuredClone(r))];
      changed = true;
    }
  }
  return changed ? out : undefined;
}

function subjectKey(s: Subject): string {
  return JSON.stringify([s.kind, s.apiGroup ?? '', s.name, s.namespace ?? '']);
}

/** The reconciled binding: missing subjects, labels and annotations added; undefined when nothing is missing. */
export function reconcileClusterRoleBinding(
  existing: ClusterRoleBinding,
  expected: ClusterRoleBinding,
): ClusterRoleBinding | undefined {
  const out: ClusterRoleBinding = structuredClone(existing);
  out.metadata = out.metadata ?? {};
  const labels = mergeMap(existing.metadata?.labels, expected.metadata?.labels);
  const annotations = mergeMap(existing.metadata?.annotations, expected.metadata?.annotations);
  if (labels.changed) out.metadata.labels = labels.merged;
  if (annotations.changed) out.metadata.annotations = annotations.merged;
  const have = new Set((existing.subjects ?? []).map(subjectKey));
  const missing = (expected.subjects ?? []).filter((s) => !have.has(subjectKey(s)));
  if (missing.length > 0) out.subjects = [...(existing.subjects ?? []), ...missing];
  return labels.changed || annotations.changed || missing.length > 0 ? out : undefined;
}

function sameRoleRef(a: ClusterRoleBinding, b: ClusterRoleBinding): boolean {
  return (
    a.roleRef.kind === b.roleRef.kind &&
    a.roleRef.name === b.roleRef.name &&
    a.roleRef.apiGroup === b.roleRef.apiGroup
  );
}

/**
 * Brings the default policy into storage. Call once at server start, after storage is ready and
 * before serving requests; then run aggregation (aggregateClusterRoles) so admin/edit/view get rules.
 */
export async function reconcileBootstrapPolicy(
  store: BootstrapPolicyStore,
  policy: { clusterRoles?: ClusterRole[]; clusterRoleBindings?: ClusterRoleBinding[] } = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = { created: [], updated: [], skipped: [] };
  for (const expected of policy.clusterRoles ?? bootstrapClusterRoles()) {
    const name = expected.metadata?.name ?? '';
    const existing = await store.getClusterRole(name);
    if (!existing) {
      await store.createClusterRole(expected);
      report.created.push(`clusterrole/${name}`);
      continue;
    }
    const reconciled = reconcileClusterRole(existing, expected);
    if (!reconciled) continue;
    if (protectedFromUpdate(existing.metadata)) {
      report.skipped.push(`clusterrole/${name}`);
      continue;
    }
    await store.updateClusterRole(reconciled);
    report.updated.push(`clusterrole/${name}`);
  }
  for (const expected of policy.clusterRoleBindings ?? bootstrapClusterRoleBindings()) {
    const name = expected.metadata?.name ?? '';
    const existing = await store.getClusterRoleBinding(name);
    if (!existing) {
      await store.createClusterRoleBinding(expected);
      report.created.push(`clusterrolebinding/${name}`);
      continue;
    }
    if (protectedFromUpdate(existing.metadata)) {
      if (!sameRoleRef(existing, expected) || reconcileClusterRoleBinding(existing, expected)) {
        report.skipped.push(`clusterrolebinding/${name}`);
      }
      continue;
    }
    if (!sameRoleRef(existing, expected)) {
      // roleRef is immutable: replace the binding, keeping its extra subjects.
      const replacement = structuredClone(expected);
      const subjects = [...(existing.subjects ?? [])];
      for (const s of expected.subjects ?? []) {
        if (!subjects.some((h) => subjectKey(h) === subjectKey(s))) subjects.push(s);
      }
      replacement.subjects = subjects;
      await store.deleteClusterRoleBinding(name);
      await store.createClusterRoleBinding(replacement);
      report.updated.push(`clusterrolebinding/${name}`);
      continue;
    }
    const reconciled = reconcileClusterRoleBinding(existing, expected);
    if (!reconciled) continue;
    await store.updateClusterRoleBinding(reconciled);
    report.updated.push(`clusterrolebinding/${name}`);
  }
  return report;
}

/**
 * List and watch options as the API takes them (metav1.ListOptions), already parsed.
 */
import type { FieldSelector } from '../api/selectors/fields.js';
import type { LabelSelector } from '../api/selectors/labels.js';

export interface ListOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  /** '' (most recent, consistent), '0' (any), or a revision. */
  resourceVersion: string;
  resourceVersionMatch: '' | 'NotOlderThan' | 'Exact';
  limit: number;
  continueToken: string;
}

export interface WatchOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  resourceVersion: string;
  resourceVersionMatch: '' | 'NotOlderThan' | 'Exact';
  sendInitialEvents: boolean | undefined;
  allowWatchBookmarks: boolean;
}

/** metav1.DeleteOptions, the parts the store acts on. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  dryRun: boolean;
}

/** The continue token: where the next page starts and at which revision (upstream's format). */
export interface ContinueToken {
  rv: number;
  /** Key relative to the list prefix, inclusive. */
  start: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

/** Parses a continue token; undefined when it is not one of ours. */
export function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const raw: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const r = raw as Record<string, unknown>;
    if (r['v'] !== 'meta.k8s.io/v1' || typeof r['rv'] !== 'number' || typeof r['start'] !== 'string')
      return undefined;
    if (r['start'].includes('..') || r['start'].startsWith('/')) return undefined;
    return { rv: r['rv'], start: r['start'] };
  } catch {
    return undefined;
  }
}

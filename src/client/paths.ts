/**
 * Request paths and query strings of the REST API: `/api/v1/namespaces/ns/pods/name/status?…` from a
 * {@link ResourceRef}, a namespace, a name, a subresource and typed options.
 */
import type {
  DeleteOptions,
  ListOptions,
  PatchType,
  ResourceRef,
  WatchOptions,
  WriteOptions,
} from './types.js';

/** `/api/v1` for the core group, `/apis/{group}/{version}` otherwise. */
export function groupVersionPath(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
}

/** The parts of one resource path. */
export interface PathParts {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The path of a collection, an object or a subresource. The namespace segment is written only for
 * namespaced kinds; without a namespace a namespaced collection means all namespaces.
 */
export function resourcePath(ref: ResourceRef, parts: PathParts = {}): string {
  let p = groupVersionPath(ref);
  if (ref.namespaced && parts.namespace) p += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  p += `/${ref.resource}`;
  if (parts.name !== undefined) {
    if (parts.name === '') throw new Error(`a ${ref.kind} name is required`);
    p += `/${encodeURIComponent(parts.name)}`;
    if (parts.subresource) p += `/${parts.subresource}`;
  } else if (parts.subresource) {
    throw new Error(`subresource ${parts.subresource} needs an object name`);
  }
  return p;
}

/** Appends a query string built from `params` (undefined values left out) to `path`. */
export function withQuery(
  path: string,
  params: Record<string, string | number | boolean | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.append(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Query parameters of a LIST. */
export function listQuery(opts: ListOptions = {}): Record<string, string | number | undefined> {
  return {
    labelSelector: opts.labelSelector || undefined,
    fieldSelector: opts.fieldSelector || undefined,
    limit: opts.limit && opts.limit > 0 ? opts.limit : undefined,
    continue: opts.continue || undefined,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
  };
}

/** Query parameters of a WATCH (`watch=true` plus the LIST ones that apply). */
export function watchQuery(opts: WatchOptions = {}): Record<string, string | number | boolean | undefined> {
  return {
    watch: true,
    labelSelector: opts.labelSelector || undefined,
    fieldSelector: opts.fieldSelector || undefined,
    resourceVersion: opts.resourceVersion || undefined,
    resourceVersionMatch: opts.resourceVersionMatch,
    allowWatchBookmarks: opts.allowWatchBookmarks ? true : undefined,
    timeoutSeconds:
      opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? opts.timeoutSeconds : undefined,
  };
}

/** Query parameters of a create, update or patch. */
export function writeQuery(opts: WriteOptions = {}): Record<string, string | undefined> {
  return {
    dryRun: opts.dryRun ? 'All' : undefined,
    fieldManager: opts.fieldManager || undefined,
    fieldValidation: opts.fieldValidation,
  };
}

/** A metav1.DeleteOptions body. */
export function deleteBody(opts: DeleteOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = opts.gracePeriodSeconds;
  if (opts.propagationPolicy) body['propagationPolicy'] = opts.propagationPolicy;
  if (opts.preconditions) body['preconditions'] = opts.preconditions;
  if (opts.dryRun) body['dryRun'] = ['All'];
  return body;
}

/** Content-Type of each patch type. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

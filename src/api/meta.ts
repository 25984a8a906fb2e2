/**
 * Generic object shapes shared by every kind: what the API machinery needs to know about any object
 * without knowing its kind.
 */
import type { ObjectMeta as KtObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';

export type { OwnerReference };

/** Removes `readonly` (kubernetes-types marks server-set fields read-only; the server sets them). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** metav1.ObjectMeta, writable. */
export type ObjectMeta = Mutable<KtObjectMeta>;

/** Any Kubernetes object as it travels through the server: typed metadata, the rest unknown. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** An object that has passed decoding: metadata is always present. */
export interface StoredObject extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface GroupVersion {
  group: string;
  version: string;
}

export interface GroupVersionKind extends GroupVersion {
  kind: string;
}

export interface GroupResource {
  group: string;
  resource: string;
}

/** "apps/v1" or "v1" for the core group. */
export function apiVersionOf(gv: GroupVersion): string {
  return gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
}

/** Parses "apps/v1" or "v1"; returns undefined for an empty or malformed string. */
export function parseApiVersion(apiVersion: string): GroupVersion | undefined {
  if (apiVersion === '') return undefined;
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] ?? '' };
  if (parts.length === 2 && parts[0] && parts[1]) return { group: parts[0], version: parts[1] };
  return undefined;
}

/** "deployments.apps" or "pods": the form upstream uses in error messages. */
export function groupResourceString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/** Narrows an unknown JSON value to a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

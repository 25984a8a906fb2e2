/**
 * The structural schema of every kind, written once in TypeScript. From it the server derives
 * OpenAPI v2/v3 (for kubectl explain, apply and validation), unknown-field and type checks for
 * `fieldValidation`, and the list/map merge semantics used by strategic merge patch.
 */
import type { GroupVersionKind } from '../meta.js';

/** A value's shape. Named object types are referenced by their OpenAPI definition name. */
export type Schema =
  | StringSchema
  | { kind: 'integer'; format: 'int32' | 'int64' }
  | { kind: 'number'; format: 'double' }
  | { kind: 'boolean' }
  | { kind: 'array'; items: Schema }
  | { kind: 'map'; values: Schema }
  | { kind: 'ref'; name: string }
  /** Any JSON value (runtime.RawExtension, apiextensions JSON). */
  | { kind: 'any' };

export interface StringSchema {
  kind: 'string';
  /** OpenAPI format: `byte` (base64), `date-time`. */
  format?: 'byte' | 'date-time';
  /** The allowed values, when the field is an enum upstream. */
  enum?: readonly string[];
}

/** How strategic merge patch and server-side apply treat a list or map field. */
export interface ListSemantics {
  /** `x-kubernetes-patch-strategy`: `merge`, `replace`, `retainKeys` or `merge,retainKeys`. */
  patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  /** `x-kubernetes-patch-merge-key`: the key that identifies list items for `merge`. */
  patchMergeKey?: string;
  /** `x-kubernetes-list-type`. */
  listType?: 'atomic' | 'set' | 'map';
  /** `x-kubernetes-list-map-keys`, for `listType: map`. */
  listMapKeys?: readonly string[];
  /** `x-kubernetes-map-type` for maps and structs. */
  mapType?: 'atomic' | 'granular';
}

/** One field of an object type. */
export interface Property extends ListSemantics {
  schema: Schema;
  /** One or two sentences in our own words: shown by `kubectl explain`. */
  description: string;
  /** The OpenAPI `default`, where upstream publishes one. */
  default?: unknown;
}

/**
 * A named type, such as `io.k8s.api.core.v1.PodSpec`. Object types have `properties`; a few
 * well-known types are scalars on the wire (Quantity, IntOrString, Time) and have `scalar` instead.
 */
export interface Definition {
  /** The OpenAPI definition name, as upstream names it: `io.k8s.api.apps.v1.Deployment`. */
  name: string;
  description: string;
  properties?: Record<string, Property>;
  /** Field names that must be present. */
  required?: readonly string[];
  /** For top-level kinds (and List kinds): `x-kubernetes-group-version-kind`. */
  gvk?: readonly GroupVersionKind[];
  /** For types that are not objects on the wire. */
  scalar?: ScalarType;
  /** `x-kubernetes-map-type: atomic` on structs replaced as a whole by apply. */
  mapType?: 'atomic' | 'granular';
  /** `x-kubernetes-unions` and similar are not modelled; add fields here when a consumer needs them. */
}

/**
 * Wire shapes of the scalar types: `quantity` is a string such as "100m" or "1Gi"; `int-or-string`
 * accepts 8080 or "http"; `date-time` is an RFC 3339 string; `micro-time` has microseconds.
 */
export type ScalarType = 'quantity' | 'int-or-string' | 'date-time' | 'micro-time' | 'any-object';

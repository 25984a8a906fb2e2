/**
 * A compact way to write {@link Definition}s:
 *
 * ```ts
 * obj(CORE + 'ConfigMap', 'Holds configuration data for pods to consume.', {
 *   apiVersion: p.apiVersion(),
 *   kind: p.kind(),
 *   metadata: p.metadata(),
 *   data: p.map(t.string, 'Configuration data as UTF-8 strings.'),
 *   binaryData: p.map(t.bytes, 'Configuration data as base64-encoded bytes.'),
 *   immutable: p.bool('If true, the data cannot be changed after creation.'),
 * }, { gvk: [{ group: '', version: 'v1', kind: 'ConfigMap' }] });
 * ```
 */
import type { GroupVersionKind } from '../meta.js';
import type { Definition, ListSemantics, Property, Schema, ScalarType } from './types.js';

/** Definition-name prefixes, as upstream's OpenAPI uses them. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const CORE = 'io.k8s.api.core.v1.';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = META + 'Time';
export const MICRO_TIME = META + 'MicroTime';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

/** Schema constructors, for array items and map values. */
export const t = {
  string: { kind: 'string' } as Schema,
  bytes: { kind: 'string', format: 'byte' } as Schema,
  int32: { kind: 'integer', format: 'int32' } as Schema,
  int64: { kind: 'integer', format: 'int64' } as Schema,
  double: { kind: 'number', format: 'double' } as Schema,
  boolean: { kind: 'boolean' } as Schema,
  any: { kind: 'any' } as Schema,
  quantity: { kind: 'ref', name: QUANTITY } as Schema,
  intOrString: { kind: 'ref', name: INT_OR_STRING } as Schema,
  time: { kind: 'ref', name: TIME } as Schema,
  enum: (values: readonly string[]): Schema => ({ kind: 'string', enum: values }),
  ref: (name: string): Schema => ({ kind: 'ref', name }),
  array: (items: Schema): Schema => ({ kind: 'array', items }),
  map: (values: Schema): Schema => ({ kind: 'map', values }),
};

type Opts = ListSemantics & { default?: unknown };

function prop(schema: Schema, description: string, opts?: Opts): Property {
  return { schema, description, ...opts };
}

/** Property constructors: the schema, then a short description in our own words. */
export const p = {
  string: (description: string, opts?: Opts): Property => prop(t.string, description, opts),
  enum: (values: readonly string[], description: string, opts?: Opts): Property =>
    prop(t.enum(values), description, opts),
  bytes: (description: string): Property => prop(t.bytes, description),
  int32: (description: string, opts?: Opts): Property => prop(t.int32, description, opts),
  int64: (description: string, opts?: Opts): Property => prop(t.int64, description, opts),
  double: (description: string): Property => prop(t.double, description),
  bool: (description: string, opts?: Opts): Property => prop(t.boolean, description, opts),
  any: (description: string): Property => prop(t.any, description),
  quantity: (description: string): Property => prop(t.quantity, description),
  intOrString: (description: string): Property => prop(t.intOrString, description),
  time: (description: string): Property => prop(t.time, description),
  microTime: (description: string): Property => prop(t.ref(MICRO_TIME), description),
  ref: (name: string, description: string, opts?: Opts): Property => prop(t.ref(name), description, opts),
  array: (items: Schema, description: string, opts?: Opts): Property =>
    prop(t.array(items), description, opts),
  map: (values: Schema, description: string, opts?: Opts): Property => prop(t.map(values), description, opts),
  /** The `apiVersion` field every kind has. */
  apiVersion: (): Property =>
    prop(t.string, 'The versioned schema of this object, such as "v1" or "apps/v1".'),
  /** The `kind` field every kind has. */
  kind: (): Property => prop(t.string, 'The type of this object, in CamelCase, such as "Pod".'),
  /** The standard `metadata` field of a top-level kind. */
  metadata: (): Property =>
    prop(
      t.ref(META + 'ObjectMeta'),
      'Standard object metadata: name, namespace, labels, annotations and so on.',
    ),
  /** The `metadata` field of a List kind. */
  listMetadata: (): Property =>
    prop(t.ref(META + 'ListMeta'), 'Standard list metadata: resourceVersion and continue token.'),
};

export interface ObjOptions {
  required?: readonly string[];
  gvk?: readonly GroupVersionKind[];
  mapType?: 'atomic' | 'granular';
}

/** An object type. */
export function obj(
  name: string,
  description: string,
  properties: Record<string, Property>,
  opts?: ObjOptions,
): Definition {
  return { name, description, properties, ...opts };
}

/** A type that is a scalar on the wire (Quantity, IntOrString, Time, RawExtension). */
export function scalar(name: string, description: string, type: ScalarType): Definition {
  return { name, description, scalar: type };
}

/**
 * The `FooList` kind for a top-level kind: apiVersion, kind, metadata (ListMeta) and items.
 */
export function list(itemName: string, gvk: GroupVersionKind, description?: string): Definition {
  const kind = gvk.kind;
  const single = kind.endsWith('List') ? kind.slice(0, -4) : kind;
  return obj(
    `${itemName}List`,
    description ?? `A list of ${single} objects.`,
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.listMetadata(),
      items: p.array(t.ref(itemName), `The ${single} objects.`),
    },
    { required: ['items'], gvk: [gvk] },
  );
}

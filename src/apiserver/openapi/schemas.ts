/**
 * Renders the schema DSL (src/api/schema) as OpenAPI schema objects, in the two dialects the
 * server publishes:
 * - `v2` (Swagger 2.0, `#/definitions/…`): a `$ref` may carry a description and extensions beside it;
 * - `v3` (OpenAPI 3.0, `#/components/schemas/…`): a `$ref` with anything beside it is wrapped as
 *   `allOf: [{$ref}]`, and Quantity and IntOrString are `oneOf` their wire types.
 */
import type { Definition, ListSemantics, Property, Schema } from '../../api/schema/types.js';
import type { DefinitionRegistry } from '../../api/schema/registry.js';

export type Dialect = 'v2' | 'v3';

/** A JSON object as it will be serialised. */
export type Json = { [key: string]: unknown };

/** The `$ref` value for a definition name. */
export function refTo(dialect: Dialect, name: string): string {
  return dialect === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

/** The definition name a `$ref` value points at. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function extensions(s: ListSemantics): Json {
  const out: Json = {};
  if (s.listMapKeys) out['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
  if (s.listType) out['x-kubernetes-list-type'] = s.listType;
  if (s.mapType) out['x-kubernetes-map-type'] = s.mapType;
  if (s.patchMergeKey) out['x-kubernetes-patch-merge-key'] = s.patchMergeKey;
  if (s.patchStrategy) out['x-kubernetes-patch-strategy'] = s.patchStrategy;
  return out;
}

/**
 * One value's schema, with `extra` (description, default, extensions) merged in. In v3 a reference
 * with anything beside it is wrapped in `allOf`.
 */
export function renderSchema(dialect: Dialect, s: Schema, extra: Json = {}): Json {
  switch (s.kind) {
    case 'string': {
      const out: Json = { ...extra, type: 'string' };
      if (s.format) out['format'] = s.format;
      if (s.enum) out['enum'] = [...s.enum];
      return out;
    }
    case 'integer':
    case 'number':
      return { ...extra, format: s.format, type: s.kind };
    case 'boolean':
      return { ...extra, type: 'boolean' };
    case 'array':
      return { ...extra, items: renderSchema(dialect, s.items), type: 'array' };
    case 'map':
      return { ...extra, additionalProperties: renderSchema(dialect, s.values), type: 'object' };
    case 'ref': {
      const ref = refTo(dialect, s.name);
      if (Object.keys(extra).length === 0) return { $ref: ref };
      return dialect === 'v2' ? { $ref: ref, ...extra } : { allOf: [{ $ref: ref }], ...extra };
    }
    case 'any':
      return dialect === 'v3' ? { ...extra, 'x-kubernetes-preserve-unknown-fields': true } : { ...extra };
  }
}

/** A property: its schema with description, default and list/map semantics. */
export function renderProperty(dialect: Dialect, p: Property): Json {
  const extra: Json = {};
  if (p.default !== undefined) extra['default'] = p.default;
  if (p.description) extra['description'] = p.description;
  Object.assign(extra, extensions(p));
  return renderSchema(dialect, p.schema, extra);
}

function scalarSchema(dialect: Dialect, d: Definition): Json {
  const description = d.description ? { description: d.description } : {};
  switch (d.scalar) {
    case 'quantity':
      return dialect === 'v2'
        ? { ...description, type: 'string' }
        : { ...description, oneOf: [{ type: 'string' }, { type: 'number' }] };
    case 'int-or-string':
      return dialect === 'v2'
        ? { ...description, format: 'int-or-string', type: 'string' }
        : { ...description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
    case 'date-time':
    case 'micro-time':
      return { ...description, format: 'date-time', type: 'string' };
    case 'any-object':
    default:
      return { ...description, type: 'object' };
  }
}

function sortedKeys<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A named definition. */
export function renderDefinition(dialect: Dialect, d: Definition): Json {
  if (d.scalar) return scalarSchema(dialect, d);
  const out: Json = {};
  if (d.description) out['description'] = d.description;
  const props: Json = {};
  for (const [name, p] of sortedKeys(d.properties ?? {})) props[name] = renderProperty(dialect, p);
  out['properties'] = props;
  if (d.required?.length) out['required'] = [...d.required];
  out['type'] = 'object';
  if (d.gvk?.length)
    out['x-kubernetes-group-version-kind'] = d.gvk.map((g) => ({
      group: g.group,
      kind: g.kind,
      version: g.version,
    }));
  if (d.mapType) out['x-kubernetes-map-type'] = d.mapType;
  return out;
}

/** Names of the definitions a schema refers to directly. */
function refsOf(s: Schema, into: string[]): void {
  if (s.kind === 'ref') into.push(s.name);
  else if (s.kind === 'array') refsOf(s.items, into);
  else if (s.kind === 'map') refsOf(s.values, into);
}

/**
 * The definitions reachable from `roots`, roots included, sorted by name. Throws on a reference to
 * an unknown definition: the registry must be complete.
 */
export function closure(registry: DefinitionRegistry, roots: Iterable<string>): Definition[] {
  const seen = new Map<string, Definition>();
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const d = registry.get(name);
    if (!d) throw new Error(`OpenAPI: definition ${name} is referenced but not registered`);
    seen.set(name, d);
    const refs: string[] = [];
    for (const p of Object.values(d.properties ?? {})) refsOf(p.schema, refs);
    for (const r of refs) if (!seen.has(r)) stack.push(r);
  }
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

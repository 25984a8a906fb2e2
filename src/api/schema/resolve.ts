/**
 * Resolves schemas against a {@link DefinitionRegistry}: what a value at some position is (an object
 * type, a map, a list, a scalar, anything), how its fields merge, and how upstream's Go decoder names
 * its type in error messages. Shared by strategic merge patch and the structural checks.
 */
import type { DefinitionRegistry } from './registry.js';
import type { Definition, Property, ScalarType, Schema } from './types.js';

/** What a schema stands for once references are followed. */
export type Resolved =
  | { kind: 'object'; def: Definition; properties: Record<string, Property> }
  | { kind: 'map'; values: Schema }
  | { kind: 'array'; items: Schema }
  | { kind: 'scalar'; scalar: ScalarType; def: Definition }
  | { kind: 'string'; format?: 'byte' | 'date-time' }
  | { kind: 'integer'; format: 'int32' | 'int64' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'any' };

const ANY: Resolved = { kind: 'any' };

/**
 * Follows a schema to what it stands for. A reference to a definition the registry does not hold
 * resolves to `any`: nothing can be said about it, so nothing is rejected or merged specially.
 */
export function resolveSchema(schema: Schema | undefined, registry: DefinitionRegistry): Resolved {
  if (schema === undefined) return ANY;
  switch (schema.kind) {
    case 'ref': {
      const def = registry.get(schema.name);
      return def === undefined ? ANY : resolveDefinition(def);
    }
    case 'array':
    case 'map': {
      let r = resolvedContainers.get(schema);
      if (r === undefined) {
        r =
          schema.kind === 'array'
            ? { kind: 'array', items: schema.items }
            : { kind: 'map', values: schema.values };
        resolvedContainers.set(schema, r);
      }
      return r;
    }
    case 'string':
      return schema.format === undefined ? STRING : { kind: 'string', format: schema.format };
    case 'integer':
      return schema.format === 'int32' ? INT32 : INT64;
    case 'number':
      return NUMBER;
    case 'boolean':
      return BOOLEAN;
    case 'any':
      return ANY;
  }
}

const STRING: Resolved = { kind: 'string' };
const INT32: Resolved = { kind: 'integer', format: 'int32' };
const INT64: Resolved = { kind: 'integer', format: 'int64' };
const NUMBER: Resolved = { kind: 'number' };
const BOOLEAN: Resolved = { kind: 'boolean' };

const resolvedDefs = new WeakMap<Definition, Resolved>();
const resolvedContainers = new WeakMap<Schema, Resolved>();

/** What a named definition stands for: an object type, a wire scalar, or (for `any-object`) anything. */
export function resolveDefinition(def: Definition): Resolved {
  let r = resolvedDefs.get(def);
  if (r === undefined) {
    if (def.scalar === 'any-object') r = ANY;
    else if (def.scalar !== undefined) r = { kind: 'scalar', scalar: def.scalar, def };
    else if (def.properties !== undefined) r = { kind: 'object', def, properties: def.properties };
    else r = ANY;
    resolvedDefs.set(def, r);
  }
  return r;
}

/** `PodSpec` for `io.k8s.api.core.v1.PodSpec`. */
export function shortName(definitionName: string): string {
  const i = definitionName.lastIndexOf('.');
  return i < 0 ? definitionName : definitionName.slice(i + 1);
}

const goTypeNames = new Map<string, string>();

/** `v1.PodSpec` for `io.k8s.api.core.v1.PodSpec`: the Go package and type, as Go prints them. */
export function goTypeNameOfDefinition(definitionName: string): string {
  // Asked once per checked object (its root type): the definition names are few and fixed.
  let goName = goTypeNames.get(definitionName);
  if (goName === undefined) {
    const parts = definitionName.split('.');
    const name = parts[parts.length - 1] ?? definitionName;
    const pkg = parts[parts.length - 2];
    goName = pkg === undefined ? name : `${pkg}.${name}`;
    goTypeNames.set(definitionName, goName);
  }
  return goName;
}

/** The Go type a value of this schema decodes into, as upstream's decode errors print it. */
export function goTypeName(schema: Schema, registry: DefinitionRegistry): string {
  switch (schema.kind) {
    case 'string':
      return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return schema.format;
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'any':
      return 'interface {}';
    case 'array':
      return `[]${goTypeName(schema.items, registry)}`;
    case 'map':
      return `map[string]${goTypeName(schema.values, registry)}`;
    case 'ref':
      return goTypeNameOfDefinition(schema.name);
  }
}

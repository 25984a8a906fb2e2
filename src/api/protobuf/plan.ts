/**
 * Decoding plans: for each definition, a table indexed by protobuf field number that says which JSON
 * property the field fills, how its value is read and what a zero value does. Plans are compiled once
 * per definition from the schema registry and the field-number tables, then reused for every body.
 */
import type { DefinitionRegistry } from '../schema/registry.js';
import type { Definition, Schema } from '../schema/types.js';
import type { FieldTable } from './fields/index.js';

/** How one value is read from the wire and shown in JSON. */
export type ValueKind =
  | 'string'
  | 'bytes'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'double'
  | 'message'
  | 'quantity'
  | 'intOrString'
  | 'time'
  | 'microTime'
  | 'rawJson';

export interface ValuePlan {
  kind: ValueKind;
  /** For `message`: the definition whose plan decodes it (compiled on first use). */
  definition?: string;
  /** For map values that are lists (`map[string][]string`): the list's item plan; the value is a
   * wrapper message whose field 1 repeats the items. */
  listItem?: ValuePlan;
}

export interface FieldPlan {
  name: string;
  shape: 'single' | 'array' | 'map';
  /** The value, the array item or the map value. */
  value: ValuePlan;
  /** `omit`: zero values are left out; `keep`: kept when on the wire; `null`: `null` when absent. */
  zero: 'omit' | 'keep' | 'null';
  /** Set for an inlined struct: its fields are decoded into the enclosing object. */
  inline?: MessagePlan;
}

export interface MessagePlan {
  /** The definition (or inline table) name, for error messages. */
  name: string;
  /** Indexed by field number. */
  fields: (FieldPlan | undefined)[];
  /** Properties (own and inlined) that are `null` when absent. */
  nullWhenAbsent: string[];
}

/** Compiles and caches plans for one registry and one set of field tables. */
export class PlanCache {
  private readonly plans = new Map<string, MessagePlan>();

  constructor(
    readonly registry: DefinitionRegistry,
    readonly table: FieldTable,
  ) {}

  /** The plan of a definition by name. */
  plan(definition: string): MessagePlan {
    let plan = this.plans.get(definition);
    if (!plan) {
      const def = this.registry.get(definition);
      if (!def) throw new Error(`protobuf: no definition ${definition}`);
      plan = this.compile(definition, def);
      this.plans.set(definition, plan);
    }
    return plan;
  }

  /** Builds the plan of table entry `tableName`, whose properties belong to definition `def`. */
  private compile(tableName: string, def: Definition): MessagePlan {
    const entries = this.table[tableName];
    if (!entries) throw new Error(`protobuf: no field numbers for ${tableName}`);
    const plan: MessagePlan = { name: tableName, fields: [], nullWhenAbsent: [] };
    for (const [name, spec] of Object.entries(entries)) {
      if (typeof spec === 'object' && 'typeMeta' in spec) continue;
      if (typeof spec === 'object' && 'inline' in spec) {
        const inner = this.compile(spec.inline, def);
        plan.fields[spec.no] = {
          name,
          shape: 'single',
          value: { kind: 'message' },
          zero: 'omit',
          inline: inner,
        };
        plan.nullWhenAbsent.push(...inner.nullWhenAbsent);
        continue;
      }
      const prop = def.properties?.[name];
      if (!prop) throw new Error(`protobuf: ${tableName} numbers field ${name}, which ${def.name} lacks`);
      const no = typeof spec === 'number' ? spec : spec.no;
      const zero = typeof spec === 'number' ? 'omit' : spec.zero;
      plan.fields[no] = this.field(name, prop.schema, zero, `${def.name}.${name}`);
      if (zero === 'null') plan.nullWhenAbsent.push(name);
    }
    return plan;
  }

  private field(name: string, schema: Schema, zero: FieldPlan['zero'], where: string): FieldPlan {
    if (schema.kind === 'array')
      return { name, shape: 'array', value: this.value(schema.items, where), zero };
    if (schema.kind === 'map') {
      if (schema.values.kind === 'array')
        return {
          name,
          shape: 'map',
          value: { kind: 'message', listItem: this.value(schema.values.items, where) },
          zero,
        };
      return { name, shape: 'map', value: this.value(schema.values, where), zero };
    }
    return { name, shape: 'single', value: this.value(schema, where), zero };
  }

  private value(schema: Schema, where: string): ValuePlan {
    switch (schema.kind) {
      case 'string':
        return { kind: schema.format === 'byte' ? 'bytes' : 'string' };
      case 'integer':
        return { kind: schema.format };
      case 'number':
        return { kind: 'double' };
      case 'boolean':
        return { kind: 'bool' };
      case 'any':
        return { kind: 'rawJson' };
      case 'ref': {
        const def = this.registry.get(schema.name);
        if (!def) throw new Error(`protobuf: ${where} refers to unknown ${schema.name}`);
        switch (def.scalar) {
          case undefined:
            return { kind: 'message', definition: schema.name };
          case 'quantity':
            return { kind: 'quantity' };
          case 'int-or-string':
            return { kind: 'intOrString' };
          case 'date-time':
            return { kind: 'time' };
          case 'micro-time':
            return { kind: 'microTime' };
          case 'any-object':
            return { kind: 'rawJson' };
        }
        break;
      }
      case 'array':
      case 'map':
        break;
    }
    throw new Error(`protobuf: ${where} has a nested list or map, which the wire format cannot carry`);
  }
}

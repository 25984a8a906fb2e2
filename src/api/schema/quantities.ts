/**
 * Every resource.Quantity of an object in the form upstream's API server stores and returns it
 * ("0.5" → "500m", "1024Mi" → "1Gi", a JSON number → its string), found through the kind's schema:
 * any field, list item or map value whose schema is the Quantity type. Upstream gets this for free by
 * decoding each quantity into its Go type and encoding it again; here one walk per write does it.
 *
 * A map of quantities is a ResourceList (the schema has no other): upstream's defaulting rounds each
 * of its values up to milli-units (SetDefaults_ResourceList), so the walk does that too, wherever the
 * list is (spec or status, any kind).
 *
 * The walk follows a plan compiled once per kind that holds only the paths that can lead to a
 * quantity, so kinds without quantities cost nothing and a pod costs a few property reads.
 */
import { canonicalQuantity, canonicalResourceListQuantity } from '../quantity.js';
import type { DefinitionRegistry } from './registry.js';
import { resolveDefinition } from './resolve.js';
import type { Definition, Schema } from './types.js';

/** Where quantities can be, below some value. */
type Plan =
  | { kind: 'quantity' }
  /** A map of quantities: a ResourceList, whose values are also rounded up to milli-units. */
  | { kind: 'resource-list' }
  | { kind: 'object'; fields: readonly (readonly [string, Plan])[] }
  | { kind: 'array'; items: Plan }
  | { kind: 'map'; values: Plan }
  /** A type that contains itself, looked up when walked (its plan is not known yet when compiled). */
  | { kind: 'recursive'; plan: () => Plan | null };

const QUANTITY_PLAN: Plan = { kind: 'quantity' };
const RESOURCE_LIST_PLAN: Plan = { kind: 'resource-list' };

/** Compiles plans against one registry; definitions are compiled once each. */
class Planner {
  /** A definition's plan; null when nothing below it is a quantity; 'pending' while compiling it. */
  private readonly byName = new Map<string, Plan | null | 'pending'>();

  constructor(private readonly registry: DefinitionRegistry) {}

  definition(def: Definition): Plan | null {
    const known = this.byName.get(def.name);
    if (known === 'pending') {
      // A type that contains itself: its plan is complete by the time anything is walked.
      return {
        kind: 'recursive',
        plan: () => {
          const p = this.byName.get(def.name);
          return p === 'pending' || p === undefined ? null : p;
        },
      };
    }
    if (known !== undefined) return known;
    this.byName.set(def.name, 'pending');
    const plan = this.compileDefinition(def);
    this.byName.set(def.name, plan);
    return plan;
  }

  private compileDefinition(def: Definition): Plan | null {
    const r = resolveDefinition(def);
    if (r.kind === 'scalar') return r.scalar === 'quantity' ? QUANTITY_PLAN : null;
    if (r.kind !== 'object') return null;
    const fields: [string, Plan][] = [];
    for (const [name, prop] of Object.entries(r.properties)) {
      const plan = this.schema(prop.schema);
      if (plan) fields.push([name, plan]);
    }
    return fields.length ? { kind: 'object', fields } : null;
  }

  schema(schema: Schema): Plan | null {
    switch (schema.kind) {
      case 'ref': {
        const def = this.registry.get(schema.name);
        return def === undefined ? null : this.definition(def);
      }
      case 'array': {
        const items = this.schema(schema.items);
        return items && { kind: 'array', items };
      }
      case 'map': {
        const values = this.schema(schema.values);
        if (values?.kind === 'quantity') return RESOURCE_LIST_PLAN;
        return values && { kind: 'map', values };
      }
      default:
        return null;
    }
  }
}

const planners = new WeakMap<DefinitionRegistry, Planner>();

function planFor(def: Definition, registry: DefinitionRegistry): Plan | null {
  let planner = planners.get(registry);
  if (planner === undefined) {
    planner = new Planner(registry);
    planners.set(registry, planner);
  }
  return planner.definition(def);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Replaces `holder[key]` by its stored form when it is a quantity that parses. */
function fix(
  holder: Record<string, unknown> | unknown[],
  key: string | number,
  form: (v: unknown) => string | undefined = canonicalQuantity,
): void {
  const v = (holder as Record<string | number, unknown>)[key];
  if (typeof v !== 'string' && typeof v !== 'number') return;
  const stored = form(v);
  if (stored !== undefined && stored !== v) (holder as Record<string | number, unknown>)[key] = stored;
}

function walk(value: unknown, plan: Plan): void {
  switch (plan.kind) {
    case 'quantity':
      return;
    case 'resource-list':
      if (isRecord(value))
        for (const key of Object.keys(value)) fix(value, key, canonicalResourceListQuantity);
      return;
    case 'recursive': {
      const p = plan.plan();
      if (p) walk(value, p);
      return;
    }
    case 'object':
      if (!isRecord(value)) return;
      for (const [name, sub] of plan.fields) {
        const v = value[name];
        if (v === undefined || v === null) continue;
        if (sub.kind === 'quantity') fix(value, name);
        else walk(v, sub);
      }
      return;
    case 'array':
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        if (plan.items.kind === 'quantity') fix(value, i);
        else walk(value[i], plan.items);
      }
      return;
    case 'map':
      if (!isRecord(value)) return;
      for (const key of Object.keys(value)) {
        if (plan.values.kind === 'quantity') fix(value, key);
        else walk(value[key], plan.values);
      }
      return;
  }
}

/**
 * A function that puts every quantity of an object of kind `def` in its stored form, in place, or
 * undefined when the kind has no quantity fields. Values that do not parse are left for validation
 * to report; nulls stay null.
 */
export function quantityNormalizer(
  def: Definition,
  registry: DefinitionRegistry,
): ((obj: unknown) => void) | undefined {
  const plan = planFor(def, registry);
  if (plan === null) return undefined;
  return (obj) => walk(obj, plan);
}

/** Puts every quantity of `obj`, an object of kind `def`, in its stored form, in place. */
export function canonicalizeQuantities(obj: unknown, def: Definition, registry: DefinitionRegistry): void {
  quantityNormalizer(def, registry)?.(obj);
}

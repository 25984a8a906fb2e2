/**
 * Keeps the protobuf field-number tables in step with the schema definitions: every definition that a
 * served kind (or a subresource body) can reach has a field number for every property, every number
 * maps to a property, and no message uses a number twice.
 */
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../resources.js';
import type { Schema } from '../schema/types.js';
import { definitions } from '../types/index.js';
import { protobufFields } from './fields/index.js';
import type { FieldSpec } from './fields/index.js';
import { PlanCache } from './plan.js';

function reachable(): Set<string> {
  const roots: string[] = [];
  for (const r of RESOURCES) {
    roots.push(r.definition);
    for (const s of Object.values(r.subresources ?? {})) {
      const d = definitions.forKind({
        group: s.group ?? r.group,
        version: s.version ?? r.version,
        kind: s.kind,
      });
      // Options kinds (PodExecOptions …) travel as query parameters, never as bodies.
      if (d) roots.push(d.name);
    }
  }
  const seen = new Set<string>();
  const visitSchema = (s: Schema): void => {
    if (s.kind === 'ref') visit(s.name);
    else if (s.kind === 'array') visitSchema(s.items);
    else if (s.kind === 'map') visitSchema(s.values);
  };
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const p of Object.values(definitions.get(name)?.properties ?? {})) visitSchema(p.schema);
  };
  roots.forEach(visit);
  return seen;
}

const no = (spec: FieldSpec): number | undefined =>
  typeof spec === 'number' ? spec : 'no' in spec ? spec.no : undefined;

/** Property names a table entry covers, following inlined structs. */
function covered(table: string): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(protobufFields[table] ?? {})) {
    if (typeof spec === 'object' && 'inline' in spec) out.push(...covered(spec.inline));
    else out.push(name);
  }
  return out;
}

describe('protobuf field tables', () => {
  const names = [...reachable()].filter((n) => definitions.get(n)?.scalar === undefined).sort();

  it('cover the ~340 definitions that served kinds reach', () => {
    expect(names.length).toBeGreaterThan(300);
  });

  it('number every property of every reachable definition, and nothing else', () => {
    const problems: string[] = [];
    for (const name of names) {
      const def = definitions.get(name);
      if (!protobufFields[name]) {
        problems.push(`${name}: no field numbers`);
        continue;
      }
      const props = Object.keys(def?.properties ?? {}).sort();
      const have = covered(name).sort();
      for (const p of props) if (!have.includes(p)) problems.push(`${name}.${p}: no field number`);
      for (const p of have)
        if (!props.includes(p)) problems.push(`${name}.${p}: numbered but not a property`);
      if (new Set(have).size !== have.length) problems.push(`${name}: a property is numbered twice`);
    }
    expect(problems).toEqual([]);
  });

  it('use each field number once per message', () => {
    const problems: string[] = [];
    for (const [table, entries] of Object.entries(protobufFields)) {
      const numbers = Object.values(entries)
        .map(no)
        .filter((n): n is number => n !== undefined);
      if (new Set(numbers).size !== numbers.length) problems.push(table);
      if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 536870911))
        problems.push(`${table}: bad number`);
    }
    expect(problems).toEqual([]);
  });

  it('keep TypeMeta off the wire only for apiVersion and kind', () => {
    const bad: string[] = [];
    for (const [table, entries] of Object.entries(protobufFields))
      for (const [name, spec] of Object.entries(entries))
        if (typeof spec === 'object' && 'typeMeta' in spec && name !== 'apiVersion' && name !== 'kind')
          bad.push(`${table}.${name}`);
    expect(bad).toEqual([]);
  });

  it('name only definitions or inlined structs that something inlines', () => {
    const inlined = new Set<string>();
    for (const entries of Object.values(protobufFields))
      for (const spec of Object.values(entries))
        if (typeof spec === 'object' && 'inline' in spec) inlined.add(spec.inline);
    const stale = Object.keys(protobufFields).filter((t) => !definitions.get(t) && !inlined.has(t));
    expect(stale).toEqual([]);
    const missingInline = [...inlined].filter((t) => !protobufFields[t]);
    expect(missingInline).toEqual([]);
  });

  it('compile into decoding plans for every reachable definition', () => {
    const plans = new PlanCache(definitions, protobufFields);
    for (const name of names) expect(() => plans.plan(name), name).not.toThrow();
  });
});

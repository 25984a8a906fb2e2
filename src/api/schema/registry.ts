/**
 * The set of known definitions. Group modules under src/api/types register theirs; consumers look
 * them up by name or by group/version/kind.
 */
import type { GroupVersionKind } from '../meta.js';
import type { Definition, Schema } from './types.js';

export class DefinitionRegistry {
  private readonly byName = new Map<string, Definition>();
  private readonly byGvk = new Map<string, Definition>();

  add(...defs: Definition[]): this {
    for (const d of defs) {
      if (this.byName.has(d.name)) throw new Error(`definition ${d.name} registered twice`);
      this.byName.set(d.name, d);
      for (const g of d.gvk ?? []) this.byGvk.set(gvkKey(g), d);
    }
    return this;
  }

  get(name: string): Definition | undefined {
    return this.byName.get(name);
  }

  /** The definition of a kind, e.g. `{group: 'apps', version: 'v1', kind: 'Deployment'}`. */
  forKind(gvk: GroupVersionKind): Definition | undefined {
    return this.byGvk.get(gvkKey(gvk));
  }

  all(): IterableIterator<Definition> {
    return this.byName.values();
  }

  /** Names of definitions referenced but not registered: a registry with none is complete. */
  missingReferences(): string[] {
    const missing = new Set<string>();
    const visit = (s: Schema): void => {
      if (s.kind === 'ref' && !this.byName.has(s.name)) missing.add(s.name);
      else if (s.kind === 'array') visit(s.items);
      else if (s.kind === 'map') visit(s.values);
    };
    for (const d of this.byName.values())
      for (const prop of Object.values(d.properties ?? {})) visit(prop.schema);
    return [...missing].sort();
  }
}

function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

/**
 * The cache under an informer: objects by `namespace/name` key, plus named indexes (value → keys)
 * kept current on every change. Stores references; it never copies or mutates the objects.
 */

/** Index function: the index values of an object. */
export type IndexFunc<T> = (obj: T) => string[];

interface Index<T> {
  fn: IndexFunc<T>;
  byValue: Map<string, Set<string>>;
}

/** Keyed objects with indexes. */
export class IndexedStore<T> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): IterableIterator<[string, T]> {
    return this.items.entries();
  }

  /** Adds an index and fills it from the objects already stored. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`index ${JSON.stringify(name)} already exists`);
    const index: Index<T> = { fn, byValue: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) this.indexObject(index, key, obj);
  }

  /** Stores `obj` under `key`; returns what it replaced. */
  set(key: string, obj: T): T | undefined {
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const index of this.indexes.values()) {
      if (old !== undefined) this.unindexObject(index, key, old);
      this.indexObject(index, key, obj);
    }
    return old;
  }

  /** Removes `key`; returns what was stored. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    for (const index of this.indexes.values()) this.unindexObject(index, key, old);
    return old;
  }

  /** Objects whose index `name` holds `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index named ${JSON.stringify(name)}`);
    const keys = index.byValue.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  private indexObject(index: Index<T>, key: string, obj: T): void {
    for (const value of new Set(index.fn(obj))) {
      let keys = index.byValue.get(value);
      if (!keys) index.byValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindexObject(index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      const keys = index.byValue.get(value);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.byValue.delete(value);
    }
  }
}

/**
 * Pods whose tracking finalizer the Job controller removed but whose update its cache has not shown
 * yet: they were already counted, so a sync must not count them again.
 */
export class FinalizerExpectations {
  private readonly byKey = new Map<string, Set<string>>();

  /** Uids of `key` whose finalizer removal is awaited. */
  expected(key: string): ReadonlySet<string> {
    return this.byKey.get(key) ?? new Set();
  }

  expectRemoved(key: string, uids: readonly string[]): void {
    if (uids.length === 0) return;
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    for (const uid of uids) set.add(uid);
  }

  /** The removal of `uid`'s finalizer was observed (or failed). */
  observed(key: string, uid: string): void {
    const set = this.byKey.get(key);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.byKey.delete(key);
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}

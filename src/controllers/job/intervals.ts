/**
 * Sets of completion indexes kept as sorted, disjoint, non-adjacent closed intervals, and their text
 * form in `status.completedIndexes` / `status.failedIndexes` (`1,3-5,7`; two neighbours are written
 * `3,4`, three or more as a range).
 */

/** One closed interval `[first, last]`. */
export interface Interval {
  first: number;
  last: number;
}

/** Sorted, disjoint, non-adjacent intervals. Immutable: operations return new sets. */
export class IndexSet {
  private constructor(readonly intervals: readonly Interval[]) {}

  static readonly EMPTY = new IndexSet([]);

  /**
   * Parses the status text, keeping only indexes below `completions` (an interval that reaches past
   * it is cut; later ones are dropped). Fragments that are not numbers are skipped, as upstream does
   * with corrupted values.
   */
  static parse(text: string | undefined | null, completions: number): IndexSet {
    if (!text) return IndexSet.EMPTY;
    const out: Interval[] = [];
    for (const fragment of text.split(',')) {
      const parts = fragment.split('-');
      const first = parseDecimal(parts[0]);
      if (first === undefined) continue;
      if (first >= completions) break;
      let last = first;
      if (parts.length > 1) {
        const l = parseDecimal(parts[1]);
        if (l === undefined) continue;
        last = Math.min(l, completions - 1);
      }
      const prev = out[out.length - 1];
      if (prev && prev.last === first - 1) prev.last = last;
      else out.push({ first, last });
    }
    return new IndexSet(out);
  }

  /** The set of the given indexes (any order, duplicates allowed). */
  static of(indexes: Iterable<number>): IndexSet {
    return IndexSet.EMPTY.withIndexes(indexes);
  }

  /** This set plus `indexes`. */
  withIndexes(indexes: Iterable<number>): IndexSet {
    const sorted = [...new Set(indexes)].sort((a, b) => a - b);
    return this.merge(new IndexSet(sorted.map((i) => ({ first: i, last: i }))));
  }

  /** The union of two sets. */
  merge(other: IndexSet): IndexSet {
    const out: Interval[] = [];
    const push = (iv: Interval): void => {
      const last = out[out.length - 1];
      if (!last || iv.first > last.last + 1) out.push({ ...iv });
      else if (last.last < iv.last) last.last = iv.last;
    };
    const a = this.intervals;
    const b = other.intervals;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i] as Interval;
      const y = b[j] as Interval;
      if (x.first < y.first) {
        push(x);
        i++;
      } else {
        push(y);
        j++;
      }
    }
    for (; i < a.length; i++) push(a[i] as Interval);
    for (; j < b.length; j++) push(b[j] as Interval);
    return new IndexSet(out);
  }

  /** Number of indexes in the set. */
  total(): number {
    let n = 0;
    for (const iv of this.intervals) n += iv.last - iv.first + 1;
    return n;
  }

  has(index: number): boolean {
    let lo = 0;
    let hi = this.intervals.length;
    while (hi > lo) {
      const mid = (lo + hi) >> 1;
      if ((this.intervals[mid] as Interval).last >= index) hi = mid;
      else lo = mid + 1;
    }
    const iv = this.intervals[hi];
    return iv !== undefined && iv.first <= index;
  }

  /** How many indexes of `required` are in this set. */
  countIn(required: IndexSet): number {
    let n = 0;
    let i = 0;
    let j = 0;
    const a = required.intervals;
    const b = this.intervals;
    while (i < a.length && j < b.length) {
      const x = a[i] as Interval;
      const y = b[j] as Interval;
      const overlap = Math.min(x.last, y.last) - Math.max(x.first, y.first) + 1;
      if (overlap > 0) n += overlap;
      if (y.last < x.last) j++;
      else if (y.last > x.last) i++;
      else {
        i++;
        j++;
      }
    }
    return n;
  }

  /** The first `count` indexes below `completions` that are not in the set. */
  firstMissing(count: number, completions: number): number[] {
    const out: number[] = [];
    if (count <= 0) return out;
    let candidate = 0;
    for (const iv of this.intervals) {
      for (; candidate < completions && out.length < count && candidate < iv.first; candidate++)
        out.push(candidate);
      if (candidate < iv.last + 1) candidate = iv.last + 1;
    }
    for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
    return out;
  }

  toString(): string {
    const parts: string[] = [];
    for (const iv of this.intervals) {
      if (iv.last === iv.first) parts.push(String(iv.first));
      else if (iv.last === iv.first + 1) parts.push(`${iv.first},${iv.last}`);
      else parts.push(`${iv.first}-${iv.last}`);
    }
    return parts.join(',');
  }
}

function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  return Number.parseInt(text, 10);
}

/**
 * Remembers the slice writes the controller made, per Service, so that a sync never acts on a cache
 * older than its own last write (which would create a slice twice, or rewrite one from an old copy),
 * and so that the informer events of its own writes do not queue the Service again. A write is
 * settled once the cache holds the slice at the written generation or later (or no longer holds a
 * deleted one).
 */
import { objectKey, type ApiObject } from '../../client/types.js';

/** A write not seen in the cache after this long is given up on (someone removed it meanwhile). */
export const TRACK_TIMEOUT_MS = 30_000;

interface Expected {
  uid: string;
  /** When it was written (ms, {@link SliceTracker}'s clock). */
  at: number;
  /** The generation written; undefined for a deletion. */
  generation: number | undefined;
}

export class SliceTracker {
  /** Service key → slice key (`ns/name`) → the write. */
  private readonly byService = new Map<string, Map<string, Expected>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records a write of `slice` (as the server returned it) for the Service `serviceKey`. */
  written(serviceKey: string, slice: ApiObject): void {
    this.entries(serviceKey).set(objectKey(slice), {
      uid: slice.metadata.uid ?? '',
      at: this.now(),
      generation: slice.metadata.generation ?? 0,
    });
  }

  /** Records a deletion of `slice` for `serviceKey`. */
  deleted(serviceKey: string, slice: ApiObject): void {
    this.entries(serviceKey).set(objectKey(slice), {
      uid: slice.metadata.uid ?? '',
      at: this.now(),
      generation: undefined,
    });
  }

  /**
   * An informer event about `slice` (`gone`: deleted). True when it is the controller's own write
   * (or an older state than it): nothing to react to.
   */
  own(serviceKey: string, slice: ApiObject, gone: boolean): boolean {
    const e = this.byService.get(serviceKey)?.get(objectKey(slice));
    if (!e || e.uid !== (slice.metadata.uid ?? '')) return false;
    if (e.generation === undefined) return true;
    return !gone && (slice.metadata.generation ?? 0) <= e.generation;
  }

  /**
   * True while a write of the Service's slices has not reached the cache (`cached` reads it). Settled
   * writes are forgotten.
   */
  stale(serviceKey: string, cached: (sliceKey: string) => ApiObject | undefined): boolean {
    const entries = this.byService.get(serviceKey);
    if (!entries) return false;
    for (const [key, e] of entries) {
      const obj = cached(key);
      const same = obj !== undefined && obj.metadata.uid === e.uid;
      const settled =
        e.generation === undefined ? !same : same && (obj.metadata.generation ?? 0) >= e.generation;
      // A slice someone else deleted (or replaced) before the cache showed the write: nothing to wait for.
      const replaced = e.generation !== undefined && obj !== undefined && !same;
      const expired = this.now() - e.at > TRACK_TIMEOUT_MS;
      if (settled || replaced || expired) entries.delete(key);
    }
    if (entries.size === 0) this.byService.delete(serviceKey);
    return entries.size > 0;
  }

  /** Forgets a Service (deleted). */
  forget(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private entries(key: string): Map<string, Expected> {
    let m = this.byService.get(key);
    if (!m) {
      m = new Map();
      this.byService.set(key, m);
    }
    return m;
  }
}

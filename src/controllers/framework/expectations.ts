/**
 * Expectations, as upstream's controllers keep them: after a controller asks for N creates or
 * deletes for one owner, it does not act on that owner again until its informer has seen them (or
 * until they are forgotten after a timeout), so a lagging cache never makes it create twice.
 */
import type { Clock } from '../../util/time.js';

/** Expectations older than this are considered satisfied (upstream: 5 minutes). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expected {
  adds: number;
  dels: number;
  /** Uids of pods whose deletion is awaited (deletes are counted by uid, as upstream's UIDTrackingControllerExpectations). */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** True when the controller may act on `key`: nothing pending, or the expectations expired. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.dels <= 0) return true;
    return this.clock.now().getTime() - e.at > this.timeoutMs;
  }

  /** Records that `adds` creates and deletes of `deleteUids` were just requested for `key`. */
  expect(key: string, adds: number, deleteUids: readonly string[] = []): void {
    this.byKey.set(key, {
      adds,
      dels: deleteUids.length,
      deleting: new Set(deleteUids),
      at: this.clock.now().getTime(),
    });
  }

  /** An object created for `key` was observed (or its create failed: call it too). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.adds--;
  }

  /** An object of `key` was observed deleted or terminating (or its delete failed: call it too). */
  deletionObserved(key: string, uid: string): void {
    const e = this.byKey.get(key);
    if (e?.deleting.delete(uid)) e.dels--;
  }

  /** Forgets `key` (its owner was deleted). */
  delete(key: string): void {
    this.byKey.delete(key);
  }
}

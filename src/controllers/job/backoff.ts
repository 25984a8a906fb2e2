/**
 * The delay before a Job replaces failed pods: 10 s after the first failure since the last success,
 * doubling with each further one, capped at 10 minutes (upstream's pod failure backoff). The count
 * and time of failures live in memory per Job, as upstream keeps them.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podFinishedAt } from './jobpods.js';

/** First delay after a pod failure (ms). */
export const POD_FAILURE_BACKOFF_MS = 10_000;
/** Largest delay after pod failures (ms). */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** Failures since the last success and when the latest one happened. */
export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** The delay still to wait (ms) after `failures` failures, the last at `lastFailureAt`. */
export function remainingBackoff(
  now: number,
  failures: number,
  lastFailureAt: number | undefined,
  baseMs = POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (failures <= 0 || lastFailureAt === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= maxMs) {
      delay = maxMs;
      break;
    }
  }
  const elapsed = now - lastFailureAt;
  return delay < elapsed ? 0 : delay - elapsed;
}

/** Backoff records of Jobs by key. */
export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /**
   * The record after this sync's newly finished pods: successes reset the count, failures after the
   * latest success add to it.
   */
  next(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    const old = this.records.get(key);
    const rec: BackoffRecord = {
      key,
      failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0,
      ...(old?.lastFailureTime !== undefined ? { lastFailureTime: old.lastFailureTime } : {}),
    };
    const failedTimes = newFailed.map(podFinishedAt).sort((a, b) => a - b);
    const succeededTimes = newSucceeded.map(podFinishedAt).sort((a, b) => a - b);
    if (succeededTimes.length === 0) {
      if (failedTimes.length === 0) return rec;
      rec.failuresAfterLastSuccess += failedTimes.length;
      rec.lastFailureTime = failedTimes[failedTimes.length - 1];
      return rec;
    }
    rec.failuresAfterLastSuccess = 0;
    delete rec.lastFailureTime;
    const lastSuccess = succeededTimes[succeededTimes.length - 1] as number;
    for (let i = failedTimes.length - 1; i >= 0; i--) {
      const t = failedTimes[i] as number;
      if (t <= lastSuccess) break;
      rec.lastFailureTime ??= t;
      rec.failuresAfterLastSuccess++;
    }
    return rec;
  }

  /** Keeps `rec` (after the status that counts its pods was written). */
  update(rec: BackoffRecord): void {
    this.records.set(rec.key, { ...rec });
  }

  remove(key: string): void {
    this.records.delete(key);
  }
}

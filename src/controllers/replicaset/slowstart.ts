/**
 * Slow-start batches, as upstream's controllers create pods: 1, then 2, 4, 8… calls at once, stopping
 * after the first batch in which a call failed. A request that is refused (quota, admission) then
 * costs one call, not hundreds.
 */

/** How many of `count` calls of `fn` succeeded, and the first error if a batch failed. */
export interface SlowStartResult {
  successes: number;
  error: unknown;
  failed: boolean;
}

/** Calls `fn` up to `count` times in growing batches starting at `initial`. */
export async function slowStartBatch(
  count: number,
  initial: number,
  fn: () => Promise<void>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    let failure: PromiseRejectedResult | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else failure ??= r;
    }
    if (failure) return { successes, error: failure.reason, failed: true };
    remaining -= size;
  }
  return { successes, error: undefined, failed: false };
}

/**
 * A closed-loop load generator: N workers, each sending its next request as soon as the previous one
 * answered, for a warm-up and then a measured window. Only operations that start and finish inside
 * the window count toward the rate and the latencies.
 */
import { summarize, type LatencySummary } from './stats.js';

/** What one point of a load run measured. */
export interface LoadResult {
  concurrency: number;
  /** Operations completed in the measured window. */
  ops: number;
  seconds: number;
  /** Operations per second in the measured window. */
  rate: number;
  latency: LatencySummary;
  errors: number;
  firstError?: string;
}

/** Options of {@link closedLoop}. */
export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One operation; `worker` is 0..concurrency-1 and `seq` counts per worker. Throw on failure. */
  op: (worker: number, seq: number) => Promise<void>;
}

/** Runs the load and returns its figures. */
export async function closedLoop(opts: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const measureFrom = t0 + opts.warmupMs;
  const measureTo = measureFrom + opts.durationMs;
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (w: number): Promise<void> => {
    for (let seq = 0; ; seq++) {
      const start = performance.now();
      if (start >= measureTo) return;
      try {
        await opts.op(w, seq);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        if (errors > 1000) throw new Error(`too many errors; first: ${firstError}`);
        continue;
      }
      const end = performance.now();
      if (start >= measureFrom && end <= measureTo) samples.push(end - start);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const seconds = opts.durationMs / 1000;
  return {
    concurrency: opts.concurrency,
    ops: samples.length,
    seconds,
    rate: samples.length / seconds,
    latency: summarize(samples),
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

/** Runs `op(i)` for i in 0..total-1 with `concurrency` in flight; resolves with the elapsed seconds. */
export async function forEachParallel(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return (performance.now() - t0) / 1000;
}

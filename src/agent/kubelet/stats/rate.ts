/**
 * CPU rates from cumulative counters. The runtime and the kernel report CPU time used so far; the
 * Summary's `usageNanoCores` is the average over a recent window, so it needs two samples. This keeps
 * the last sample per key (a container, a pod, the node) and turns the next one into a rate.
 */

/** One reading of a cumulative CPU counter. */
export interface CpuSample {
  /** CPU time used so far, in nanoseconds (all cores together). */
  usageCoreNanoSeconds: number;
  /** When it was read, in nanoseconds since the epoch. */
  timestampNs: number;
}

interface Entry {
  base: CpuSample;
  /** The rate computed when `base` was taken (undefined for a first sample). */
  rate?: number;
}

/** Options of {@link CpuRates}. */
export interface CpuRatesOptions {
  /**
   * Samples closer than this to the kept one do not replace it (default 1 s): two scrapes a few
   * milliseconds apart would otherwise give a rate over a window too short to mean anything, and
   * replace the useful one.
   */
  minWindowNs?: number;
  /** Keys not sampled for this long are forgotten by {@link CpuRates.prune} (default 10 min). */
  maxAgeNs?: number;
}

/** Per-key CPU rate computation (see the module comment). */
export class CpuRates {
  private readonly entries = new Map<string, Entry>();
  private readonly minWindowNs: number;
  private readonly maxAgeNs: number;

  constructor(opts: CpuRatesOptions = {}) {
    this.minWindowNs = opts.minWindowNs ?? 1e9;
    this.maxAgeNs = opts.maxAgeNs ?? 600e9;
  }

  /**
   * Records a sample and answers the rate in nanocores (1e9 = one core busy) since the kept sample,
   * or undefined when there is none yet (first sample, or the counter went backwards: a new cgroup
   * under the same key).
   */
  observe(key: string, sample: CpuSample): number | undefined {
    const prev = this.entries.get(key);
    if (!prev || sample.usageCoreNanoSeconds < prev.base.usageCoreNanoSeconds) {
      this.entries.set(key, { base: sample });
      return undefined;
    }
    const dt = sample.timestampNs - prev.base.timestampNs;
    if (dt <= 0) return prev.rate;
    const rate = Math.round(((sample.usageCoreNanoSeconds - prev.base.usageCoreNanoSeconds) / dt) * 1e9);
    if (dt < this.minWindowNs) {
      // Too close to the kept sample: keep answering the last full-window rate; without one yet,
      // the short window is still a true (if noisy) average.
      return prev.rate ?? rate;
    }
    this.entries.set(key, { base: sample, rate });
    return rate;
  }

  /** Forgets keys whose kept sample is older than the maximum age. */
  prune(nowNs: number): void {
    for (const [key, e] of this.entries) {
      if (nowNs - e.base.timestampNs > this.maxAgeNs) this.entries.delete(key);
    }
  }

  /** How many keys are kept (tests). */
  get size(): number {
    return this.entries.size;
  }
}

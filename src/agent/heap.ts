/**
 * V8 heap settings for processes that run the node agent.
 *
 * A ceiling on V8's young generation ({@link capYoungGeneration}), in every process that runs it:
 *
 * The agent allocates steadily (relists, syncs, gRPC) but keeps little of it, and V8 answers any
 * steady allocation by doubling its semi-spaces up to their maximum (16 MiB each on 64-bit), which
 * then stay committed: with 50 pods that alone was ~30 MiB of the agent's RSS. The maximum can only be
 * given on node's command line (`--max-semi-space-size`), but the growth factor can change at any
 * time: after each garbage collection this module looks at the semi-space size and forbids further
 * growth (growth factor 1) once the next doubling would pass the ceiling, and allows it again (V8's
 * default factor, 2) when V8 shrank the young generation below it. It never shrinks anything itself.
 *
 * Only GCs wake it (a `gc` performance observer): an idle process pays nothing.
 *
 * Memory before speed ({@link optimizeHeapForSize}), for a process that is the agent's alone: V8's
 * `--optimize-for-size` makes it collect the old generation before it grows far past the live data.
 * With the default heuristics an agent with 50 pods held ~33 MiB of old space for ~16 MiB of live
 * objects (and 7 MiB of dead buffers); with it, ~15 MiB.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const MiB = 1024 * 1024;
const GROWTH_FLAG = /--semi[-_]space[-_]growth[-_]factor/;

/** The current semi-space capacity (bytes), as V8 reports the new space. */
export function semiSpaceBytes(): number {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return s ? s.space_used_size + s.space_available_size : 0;
}

/**
 * Whether the young generation may grow again: its next size (double the current one) stays within
 * `maxBytes`.
 */
export function mayGrow(currentBytes: number, maxBytes: number): boolean {
  return currentBytes * 2 <= maxBytes;
}

/** A running ceiling. */
export interface YoungGenerationCap {
  /** The ceiling in MiB per semi-space. */
  readonly maxSemiSpaceMiB: number;
  /** Stops watching and gives V8 its default growth back. */
  stop(): void;
}

/**
 * Keeps V8's semi-spaces at or below `maxSemiSpaceMiB` (a power of two: V8 grows by doubling from
 * 1 MiB). Does nothing when the growth factor was given on the command line (the user decides) or V8
 * refuses the flag. One ceiling per process: a second call replaces the first.
 */
export function capYoungGeneration(maxSemiSpaceMiB: number): YoungGenerationCap {
  current?.stop();
  const inert: YoungGenerationCap = { maxSemiSpaceMiB, stop: () => undefined };
  if (process.execArgv.some((a) => GROWTH_FLAG.test(a))) return inert;
  const max = maxSemiSpaceMiB * MiB;
  // True while this module holds growth at 1 (only then does it give the default back).
  let holding = false;
  const check = (): void => {
    const grow = mayGrow(semiSpaceBytes(), max);
    if (!grow) {
      // Set on every check while at the ceiling: Node resets the factor when it starts a worker thread.
      setFlagsFromString('--semi-space-growth-factor=1');
      holding = true;
    } else if (holding) {
      setFlagsFromString('--semi-space-growth-factor=2');
      holding = false;
    }
  };
  try {
    check();
  } catch {
    return inert;
  }
  const observer = new PerformanceObserver(() => check());
  observer.observe({ entryTypes: ['gc'] });
  const cap: YoungGenerationCap = {
    maxSemiSpaceMiB,
    stop: () => {
      observer.disconnect();
      if (holding) setFlagsFromString('--semi-space-growth-factor=2');
      holding = false;
      if (current === cap) current = undefined;
    },
  };
  current = cap;
  return cap;
}

let current: YoungGenerationCap | undefined;

/**
 * Asks V8 to favour memory over speed for the rest of the process's life (`--optimize-for-size`,
 * unless the command line already says either way). Not for a process shared with the API server:
 * its throughput would pay.
 */
export function optimizeHeapForSize(): void {
  if (process.execArgv.some((a) => /--(no-)?optimize[-_]for[-_]size/.test(a))) return;
  try {
    setFlagsFromString('--optimize-for-size');
  } catch {
    // V8 refused: keep its defaults.
  }
}

/** The command-line options every benchmark understands (`npm run bench -- NAME [flags]`). */
import { parseArgs } from 'node:util';

/** Parsed benchmark options. */
export interface BenchOptions {
  /** Measured milliseconds per load point. */
  durationMs: number;
  /** Warm-up milliseconds before each load point. */
  warmupMs: number;
  /** Which stores to run against (each benchmark has its own default). */
  backends?: ('sqlite' | 'etcd')[];
  /** Write a CPU profile of the k8ts server (node --cpu-prof) and print where its time went. */
  profile: boolean;
  /**
   * Another build of k8ts (its bin/k8ts.js) to measure beside this one in the same run, for A/B
   * comparisons of a patch on a noisy machine (apiserver-write only).
   */
  compare?: string;
  /** Knobs of one benchmark (e.g. watchers, writes, pods), from `--set key=value`. */
  knobs: Map<string, string>;
  /** The flags as given (a benchmark that re-runs itself elsewhere passes them on). */
  argv: string[];
}

export const OPTIONS_HELP = `Flags:
  --duration S        measured seconds per load point (default 5)
  --warmup S          warm-up seconds before each load point (default 2)
  --quick             short points (1 s measured, 0.5 s warm-up) and smaller sizes, to try things out
  --backend B         sqlite, etcd or both (default: per benchmark)
  --profile           CPU-profile the k8ts server (node --cpu-prof) and print its hottest functions
  --set KEY=VALUE     a benchmark's knob, e.g. --set watchers=500 --set concurrency=1,64
  --compare BIN       apiserver-write: also measure another build (path to its bin/k8ts.js), interleaved
`;

/** Parses the flags after the benchmark name. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean' },
      backend: { type: 'string' },
      profile: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      compare: { type: 'string' },
    },
  });
  const seconds = (v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number of seconds: ${v}`);
    return n;
  };
  const quick = values.quick === true;
  const knobs = new Map<string, string>();
  if (quick) knobs.set('quick', '1');
  for (const kv of values.set ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--set wants KEY=VALUE, got ${JSON.stringify(kv)}`);
    knobs.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  let backends: BenchOptions['backends'];
  if (values.backend !== undefined) {
    if (values.backend === 'both') backends = ['sqlite', 'etcd'];
    else if (values.backend === 'sqlite' || values.backend === 'etcd') backends = [values.backend];
    else throw new Error(`--backend must be sqlite, etcd or both, not ${JSON.stringify(values.backend)}`);
  }
  return {
    durationMs: seconds(values.duration, quick ? 1 : 5) * 1000,
    warmupMs: seconds(values.warmup, quick ? 0.5 : 2) * 1000,
    ...(backends ? { backends } : {}),
    profile: values.profile === true,
    ...(values.compare !== undefined ? { compare: values.compare } : {}),
    knobs,
    argv: [...argv],
  };
}

/** True under --quick. */
export function isQuick(o: BenchOptions): boolean {
  return o.knobs.has('quick');
}

/** A numeric knob, or `fallback` (`quickFallback` under --quick). */
export function knob(o: BenchOptions, name: string, fallback: number, quickFallback = fallback): number {
  const v = o.knobs.get(name);
  if (v === undefined) return isQuick(o) ? quickFallback : fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--set ${name}: not a number: ${v}`);
  return n;
}

/** A comma-separated numeric knob, or `fallback`. */
export function knobList(o: BenchOptions, name: string, fallback: number[]): number[] {
  const v = o.knobs.get(name);
  if (v === undefined) return fallback;
  const out = v.split(',').map(Number);
  if (out.some((n) => !Number.isFinite(n) || n <= 0))
    throw new Error(`--set ${name}: not a list of numbers: ${v}`);
  return out;
}

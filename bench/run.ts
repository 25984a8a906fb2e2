/**
 * `npm run bench -- NAME [flags]`: runs one benchmark (or `all`). Each benchmark measures the k8ts
 * server against a floor measured in the same run, prints tables, writes JSON to bench/results/, and
 * prints its headline as the last line.
 */
import { OPTIONS_HELP, parseOptions, type BenchOptions } from './lib/options.js';

type Bench = (o: BenchOptions) => Promise<void>;

const BENCHMARKS: Record<string, { about: string; load: () => Promise<Bench> }> = {
  'apiserver-write': {
    about: 'ConfigMap creates/s and latency at 1/16/64 clients, SQLite and etcd, vs echo/raw floors',
    load: async () => (await import('./apiserver-write.js')).run,
  },
  'apiserver-write-ir': {
    about: 'instructions per ConfigMap create under valgrind (load-independent; --compare for A/B)',
    load: async () => (await import('./apiserver-write-ir.js')).run,
  },
  'apiserver-watch': {
    about: '1,000 watchers: write-to-delivery latency at all of them, vs an echo fan-out floor',
    load: async () => (await import('./apiserver-watch.js')).run,
  },
  'apiserver-list': {
    about: 'LIST of 10,000 pods: full, paged (limit=500) and Table, vs a static transfer floor',
    load: async () => (await import('./apiserver-list.js')).run,
  },
  'pod-startup': {
    about: 'pod creation → Ready through a watch, 1 and 10 at a time, vs raw CRI calls (runs a node)',
    load: async () => (await import('./pod-startup.js')).run,
  },
  'agent-memory': {
    about: "node agent's RSS (in-process delta and own process) and its containerd's, idle and with 50 pods",
    load: async () => (await import('./agent-memory.js')).run,
  },
  'scheduler-throughput': {
    about:
      'pods/s the scheduler binds: 10,000 pods onto 1,000 nodes, plain and zone-spread, vs client bindings',
    load: async () => (await import('./scheduler-throughput.js')).run,
  },
  'deployment-scale': {
    about:
      'a 1,000-replica Deployment on 1,000 hollow nodes (vs pods created bound); control-plane RSS at 30,000 pods',
    load: async () => (await import('./deployment-scale.js')).run,
  },
  'proxy-sync': {
    about: 'service proxy (nftables): change → rule in kernel p50/p99 with 1,000 services × 10 endpoints',
    load: async () => (await import('./proxy-sync.js')).run,
  },
  dns: {
    about:
      'cluster DNS: Service A queries/s and p99 at 1/16/64 UDP clients on loopback, vs a fixed-answer UDP floor',
    load: async () => (await import('./dns.js')).run,
  },
  ingress: {
    about: 'req/s through the Ingress data path (HAProxy) vs the backend directly, wrk on loopback',
    load: async () => (await import('./ingress.js')).run,
  },
  'service-datapath': {
    about: 'wrk to pods direct vs ClusterIP vs NodePort vs Ingress on a real node (runs a node, in a netns)',
    load: async () => (await import('./service-datapath.js')).run,
  },
  'idle-rss': {
    about: 'server RSS 10 s after start, and after kubectl get all -A / api-resources',
    load: async () => (await import('./idle-rss.js')).run,
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS)
    .map(([n, b]) => `  ${n.padEnd(18)} ${b.about}`)
    .join('\n');
  return (
    `Usage: npm run bench -- NAME|all [flags]\n       npm run bench -- profile FILE.cpuprofile [TOP]\n\n` +
    `Benchmarks:\n${names}\n\n${OPTIONS_HELP}`
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === 'profile') {
    const [file, top] = rest;
    if (!file) throw new Error('usage: npm run bench -- profile FILE.cpuprofile [TOP]');
    const { printProfile, summarizeProfile } = await import('./lib/profile.js');
    printProfile(summarizeProfile(file, top ? Number(top) : 25));
    return 0;
  }
  const names = name === 'all' ? Object.keys(BENCHMARKS) : [name];
  const opts = parseOptions(rest);
  for (const n of names) {
    const b = BENCHMARKS[n];
    if (!b) {
      process.stderr.write(`unknown benchmark ${JSON.stringify(n)}\n\n${usage()}`);
      return 2;
    }
    process.stdout.write(`== ${n} ==\n`);
    await (
      await b.load()
    )(opts);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);

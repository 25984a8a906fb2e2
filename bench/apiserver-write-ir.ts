/**
 * apiserver-write-ir: CPU instructions the k8ts server executes per ConfigMap create, counted by
 * valgrind's callgrind (Debian package `valgrind`). Rates and CPU times on the shared 2-CPU build VM
 * swing by tens of percent from run to run with whatever else runs there; instruction counts do not
 * depend on the machine's load, so they tell a small change to the request path apart where
 * apiserver-write cannot. They do not see the kernel (syscalls, page cache) nor cache misses, so they
 * complement apiserver-write rather than replace it.
 *
 * How: the server starts under callgrind with collection off (`--instr-atstart=no`), takes
 * `warmup` creates (the JIT settles), then collection is switched on (`callgrind_control -i on`)
 * for `creates` creates at `concurrency` clients and off again. Per create it reports the main
 * thread's instructions (the event loop: what limits throughput) and all threads' (adds GC helpers and
 * the JIT compiler). Under valgrind the server runs ~50x slower, so group commits are larger than in
 * real runs; compare builds with `--compare`, not against apiserver-write's figures.
 *
 * Knobs: --set concurrency=16 --set creates=1500 --set warmup=6000; --backend etcd runs against a
 * real etcd (started here, outside valgrind); --compare BIN measures another build the same way.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEtcd, freePort } from '../src/storage/testing/etcd.js';
import { H2Client } from './lib/h2client.js';
import { configMapJson, ensureNamespace, filler } from './lib/k8s.js';
import { readKubeconfig } from './lib/kubeconfig.js';
import { knob, type BenchOptions } from './lib/options.js';
import { pollUntil } from './lib/proc.js';
import { fmt, headline, printTable, writeResult } from './lib/report.js';
import { ensureBuilt, ROOT, startK8ts } from './lib/server.js';

const NS = 'bench-write';
const PATH = `/api/v1/namespaces/${NS}/configmaps`;

interface Count {
  build: string;
  backend: string;
  /** Instructions per create on the main thread (thread 1) and on all threads. */
  mainPerCreate: number;
  allPerCreate: number;
}

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Sum of the `totals:` lines of callgrind's per-thread files `<out>-NN`. */
function totals(out: string): { main: number; all: number } {
  const dir = path.dirname(out);
  let main = 0;
  let all = 0;
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith(`${path.basename(out)}-`)) continue;
    const m = /^totals: (\d+)/m.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
    const n = m ? Number(m[1]) : 0;
    all += n;
    if (f.endsWith('-01')) main = n;
  }
  return { main, all };
}

async function measure(
  bin: string | undefined,
  label: string,
  backend: 'sqlite' | 'etcd',
  o: { concurrency: number; creates: number; warmup: number },
): Promise<Count> {
  // First start outside valgrind: it creates the PKI and kubeconfig, which are slow under valgrind.
  const seed = await startK8ts({ ...(bin ? { bin } : {}), extraArgs: ['--disable-agent'] });
  const dataDir = seed.dataDir;
  await seed.stop({ keep: true });
  fs.rmSync(path.join(dataDir, 'db'), { recursive: true, force: true });
  const etcd = backend === 'etcd' ? await startEtcd() : undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-cg-'));
  const out = path.join(work, 'callgrind.out');
  const port = await freePort();
  const program = bin ? path.resolve(bin) : path.join(ROOT, 'bin', 'k8ts.js');
  const args = [
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${out}`,
    process.execPath,
    program,
    'server',
    '--data-dir',
    dataDir,
    '--https-port',
    String(port),
    '--bind-address',
    '127.0.0.1',
    // The node agent's periodic work (pod relists, node status) would be counted per create too, in
    // proportion to how long the slowed-down run takes: measure the API server alone.
    '--disable-agent',
    ...(etcd ? ['--datastore-endpoint', etcd.endpoint] : []),
  ];
  const child = spawn('valgrind', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let client: H2Client | undefined;
  try {
    const creds = readKubeconfig(path.join(dataDir, 'kubeconfig.yaml'));
    client = await pollUntil(
      'the k8ts server to answer under valgrind',
      600_000,
      async () => {
        const c = await H2Client.connect(`https://127.0.0.1:${port}`, creds).catch(() => undefined);
        if (!c) return undefined;
        const ok = (await c.request('GET', '/readyz').catch(() => undefined))?.status === 200;
        if (ok) return c;
        c.close();
        return undefined;
      },
      {
        everyMs: 1000,
        fatal: () =>
          child.exitCode !== null
            ? new Error(`server under valgrind exited:\n${log.slice(-3000)}`)
            : undefined,
      },
    );
    const cl = client;
    await ensureNamespace(cl, NS);
    const payload = filler(300);
    const creates = async (tag: string, count: number): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: o.concurrency }, async (_, w) => {
          for (let i = next++; i < count; i = next++)
            await cl.expect(201, 'POST', PATH, { body: configMapJson(`${tag}-${w}-${i}`, payload) });
        }),
      );
    };
    process.stdout.write(`  ${label}: warming up (${o.warmup} creates)…\n`);
    await creates('warm', o.warmup);
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    await creates('m', o.creates);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
  } finally {
    client?.close();
    child.kill('SIGTERM');
    await exited;
    await etcd?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const t = totals(out);
  fs.rmSync(work, { recursive: true, force: true });
  return { build: label, backend, mainPerCreate: t.main / o.creates, allPerCreate: t.all / o.creates };
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  if (!hasValgrind()) throw new Error('apiserver-write-ir needs valgrind (apt-get install -y valgrind)');
  const opts = {
    concurrency: knob(o, 'concurrency', 16),
    creates: knob(o, 'creates', 1500, 500),
    warmup: knob(o, 'warmup', 6000, 2000),
  };
  const backends = o.backends ?? ['sqlite'];
  const builds: { label: string; bin?: string }[] = [{ label: 'this build' }];
  if (o.compare) builds.push({ label: 'compare build', bin: o.compare });
  const counts: Count[] = [];
  for (const backend of backends)
    for (const b of builds) counts.push(await measure(b.bin, b.label, backend, opts));
  printTable(
    `Instructions per ConfigMap create (${opts.creates} creates at ${opts.concurrency} clients, after ${opts.warmup})`,
    ['build', 'backend', 'main thread', 'all threads'],
    counts.map((c) => [
      c.build,
      c.backend,
      `${fmt(c.mainPerCreate / 1000, 0)}k`,
      `${fmt(c.allPerCreate / 1000, 0)}k`,
    ]),
  );
  writeResult('apiserver-write-ir', { options: opts, counts });
  headline(
    `apiserver-write-ir: ${counts.map((c) => `${c.build} ${c.backend} ${fmt(c.mainPerCreate / 1000, 0)}k instructions/create (main thread)`).join('; ')}`,
  );
}

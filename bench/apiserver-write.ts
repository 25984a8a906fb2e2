/**
 * apiserver-write: ConfigMap creates/s and latency with 1, 16 and 64 concurrent clients over one
 * HTTP/2 session (admin client certificate), on SQLite and on etcd, against floors measured in the
 * same run with the same client:
 *  (a) a no-op HTTPS/2 server in its own process that reads the body and answers 201 with a JSON of
 *      the same size as the API server's answer;
 *  (b) raw durable SQLite inserts of the same size into the server's own table (WAL, synchronous=FULL):
 *      one row per transaction, and group commit of `concurrency` rows per transaction;
 *  (c) raw etcd puts of the same size with the etcd3 client at the same concurrency, on an etcd of
 *      their own (no watcher); beside it, for information, puts and create-if-absent Txns (what
 *      the server sends per create) through k8ts' own etcd client, the one the server uses.
 * Goals: SQLite ≥ 50% of the echo server's rate; etcd ≥ 70% of raw etcd puts at 64 in flight;
 * p99 far below 1 s (here: < 250 ms).
 *
 * The servers run without their node agent (`--disable-agent`): the API server alone. Per point it
 * reports the CPU per operation of the serving process, of etcd and of this process (the client);
 * `--set inflight=1` also samples how many calls are inside etcd (from etcd's /metrics).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { openDatabase } from '../src/storage/sqlite/schema.js';
import { EtcdClient } from '../src/storage/etcd/client.js';
import { CompareResult, CompareTarget } from '../src/storage/etcd/messages.js';
import { startEtcd } from '../src/storage/testing/etcd.js';
import { componentLogger } from '../src/util/log.js';
import { sampleInFlight } from './lib/etcd-metrics.js';
import { startEcho } from './lib/child.js';
import { H2Client } from './lib/h2client.js';
import { configMapJson, ensureNamespace, filler } from './lib/k8s.js';
import { closedLoop, type LoadResult } from './lib/load.js';
import { knob, knobList, type BenchOptions } from './lib/options.js';
import { procCpuSeconds, procMemory, type ProcMemory } from './lib/proc.js';
import { processSched, schedShares, threadSched, type SchedShares } from './apiserver-write-sched.js';
import { newestProfile, printProfile, summarizeProfile } from './lib/profile.js';
import {
  fmt,
  headline,
  printGoals,
  printTable,
  RESULTS_DIR,
  writeResult,
  type Cell,
  type Goal,
} from './lib/report.js';
import { ensureBuilt, startK8ts, type K8tsServer } from './lib/server.js';

const NS = 'bench-write';
const PATH = `/api/v1/namespaces/${NS}/configmaps`;
const P99_GOAL_MS = 250;
/** The etcd floors: the issue's (etcd3 client), puts and create Txns through k8ts' own client. */
const FLOOR_ETCD3 = 'etcd raw put, etcd3 (floor c)';
const FLOOR_OWN = 'etcd raw put, k8ts client';
const FLOOR_TXN = 'etcd raw create Txn, k8ts client';

interface Point {
  system: string;
  result: LoadResult;
  /** CPU milliseconds the serving process (k8ts, echo or etcd) used per operation. */
  serverCpuMsPerOp?: number;
  /** CPU milliseconds etcd used per operation (etcd points: the raw floor and k8ts on etcd). */
  etcdCpuMsPerOp?: number;
  /** CPU milliseconds this process (the load generator and its client) used per operation. */
  clientCpuMsPerOp?: number;
  /** Unary calls inside etcd, sampled every 100 ms (`--set inflight=1`): median and largest. */
  etcdInFlight?: { p50: number; max: number; samples: number };
  /**
   * The serving process's main thread (k8ts: its event loop) over the point: share of the time on a
   * CPU and runnable but waiting for one; the rest it was idle.
   */
  serverMain?: SchedShares;
  /** Milliseconds per operation that the server, etcd and this process were runnable but waited for a CPU. */
  cpuWaitMsPerOp?: number;
  /** Mean milliseconds a create spent inside the k8ts server (its apiserver_request_duration_seconds). */
  inServerMs?: number;
}

/** Sum and count of the server's apiserver_request_duration_seconds for ConfigMap creates. */
async function createDurations(client: H2Client): Promise<{ sum: number; count: number }> {
  const text = (await client.expect(200, 'GET', '/metrics')).body.toString();
  const out = { sum: 0, count: 0 };
  for (const m of text.matchAll(/^apiserver_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const labels = m[2] ?? '';
    if (!labels.includes('verb="POST"') || !labels.includes('resource="configmaps"')) continue;
    if (m[1] === 'sum') out.sum += Number(m[3]);
    else out.count += Number(m[3]);
  }
  return out;
}

/** The etcd a point talks to: its PID (CPU) and client URL (metrics). */
interface EtcdRef {
  pid: number;
  endpoint: string;
}

interface SqliteRaw {
  mode: string;
  rowsPerTxn: number;
  rate: number;
  txnLatencyP99Ms: number;
}

/** Runs one closed-loop point and the CPU the serving process (`pid`) spent on it. */
async function measuredPoint(
  system: string,
  pid: number,
  c: number,
  o: BenchOptions,
  op: (worker: number, seq: number) => Promise<void>,
  etcd?: EtcdRef,
): Promise<Point> {
  const etcdPid = etcd?.pid;
  const sampler = etcd && knob(o, 'inflight', 0) ? sampleInFlight(etcd.endpoint) : undefined;
  const cpu0 = procCpuSeconds(pid);
  const etcd0 = etcdPid === undefined ? 0 : procCpuSeconds(etcdPid);
  const self0 = process.cpuUsage();
  const procs = [...new Set([pid, process.pid, ...(etcdPid === undefined ? [] : [etcdPid])])];
  const main0 = threadSched(pid);
  const wait0 = procs.map((p) => processSched(p));
  const wall0 = performance.now();
  const result = await closedLoop({ concurrency: c, warmupMs: o.warmupMs, durationMs: o.durationMs, op });
  const wallMs = performance.now() - wall0;
  const serverMain = pid === process.pid ? undefined : schedShares(main0, threadSched(pid), wallMs);
  const waitNs = procs.reduce((sum, p, i) => {
    const before = wait0[i];
    const after = processSched(p);
    return before && after ? sum + after.waitNs - before.waitNs : sum;
  }, 0);
  const cpu = procCpuSeconds(pid) - cpu0;
  const etcdCpu = etcdPid === undefined ? undefined : procCpuSeconds(etcdPid) - etcd0;
  const self = process.cpuUsage(self0);
  const selfCpu = pid === process.pid ? undefined : (self.user + self.system) / 1e6;
  const inFlight = (await sampler?.stop())?.sort((a, b) => a - b);
  // Warm-up ops are not counted; estimate them at the measured rate.
  const total = result.ops * ((o.warmupMs + o.durationMs) / o.durationMs);
  const perOp = (s: number | undefined): number | undefined =>
    s !== undefined && total > 0 ? (1000 * s) / total : undefined;
  return {
    system,
    result,
    serverCpuMsPerOp: perOp(cpu),
    etcdCpuMsPerOp: perOp(etcdCpu),
    clientCpuMsPerOp: perOp(selfCpu),
    ...(serverMain ? { serverMain } : {}),
    cpuWaitMsPerOp: perOp(waitNs / 1e9),
    ...(inFlight?.length
      ? {
          etcdInFlight: {
            p50: inFlight[inFlight.length >> 1] ?? 0,
            max: inFlight[inFlight.length - 1] ?? 0,
            samples: inFlight.length,
          },
        }
      : {}),
  };
}

/** One point against the k8ts server: creates of fresh ConfigMaps. */
async function serverPoint(
  label: string,
  srv: K8tsServer,
  client: H2Client,
  c: number,
  o: BenchOptions,
  payload: string,
  etcd?: EtcdRef,
): Promise<Point> {
  const run = `${label.replace(/[^a-z0-9]+/g, '-')}-c${c}-${Date.now().toString(36)}`;
  const before = await createDurations(client);
  return measuredPoint(
    label,
    srv.pid,
    c,
    o,
    async (w, seq) => {
      await client.expect(201, 'POST', PATH, { body: configMapJson(`${run}-${w}-${seq}`, payload) });
    },
    etcd,
  )
    .then(async (point) => {
      // Warm-up creates are in these figures too; the mean is over all of them.
      const after = await createDurations(client);
      const n = after.count - before.count;
      return n > 0 ? { ...point, inServerMs: (1000 * (after.sum - before.sum)) / n } : point;
    })
    .catch((err: unknown) => {
      // Which server failed, and its first warnings and errors (the whole log goes to a file).
      const file = path.join(RESULTS_DIR, `apiserver-write-failed-${label.replace(/[^a-z0-9]+/g, '-')}.log`);
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      fs.writeFileSync(file, srv.log());
      const logged = srv
        .log()
        .split('\n')
        .filter((l) => /"level":(4|5|6)0/.test(l))
        .slice(0, 8)
        .map((l) => l.slice(0, 600))
        .concat(`(server log: ${file})`)
        .join('\n');
      throw new Error(
        `${label} at ${c} clients: ${err instanceof Error ? err.message : String(err)}\n${logged}`,
        {
          cause: err,
        },
      );
    });
}

/** The size of the value stored under `key` in the etcd at `endpoint` (undefined if absent). */
async function storedSize(endpoint: string, key: string): Promise<number | undefined> {
  const c = new EtcdClient({ endpoints: [endpoint], logger: componentLogger('bench', {}) });
  try {
    return (await c.range({ key: Buffer.from(key) }, 0)).kvs[0]?.value.length;
  } finally {
    c.close();
  }
}

/** Raw SQLite: `rowsPerTxn` inserts per transaction for the measured time, in this process. */
function sqliteRaw(dir: string, valueBytes: number, rowsPerTxn: number, o: BenchOptions): SqliteRaw {
  const file = path.join(dir, `raw-${rowsPerTxn}.db`);
  const db = openDatabase(file, 'FULL');
  try {
    const insert = db.prepare(
      'INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)',
    );
    const value = Buffer.from(filler(valueBytes));
    const txn = db.transaction((base: number) => {
      for (let i = 0; i < rowsPerTxn; i++) insert.run(`/registry/configmaps/${NS}/raw-${base + i}`, value);
    });
    let n = 0;
    const once = (): void => {
      if (rowsPerTxn === 1) insert.run(`/registry/configmaps/${NS}/raw-${n}`, value);
      else txn.immediate(n);
      n += rowsPerTxn;
    };
    const warmEnd = performance.now() + Math.min(o.warmupMs, 1000);
    while (performance.now() < warmEnd) once();
    const samples: number[] = [];
    const start = performance.now();
    const end = start + o.durationMs;
    let rows = 0;
    for (let t = start; t < end;) {
      once();
      const t2 = performance.now();
      samples.push(t2 - t);
      rows += rowsPerTxn;
      t = t2;
    }
    samples.sort((a, b) => a - b);
    const seconds = (performance.now() - start) / 1000;
    return {
      mode: rowsPerTxn === 1 ? 'one row per transaction' : `group commit, ${rowsPerTxn} rows per transaction`,
      rowsPerTxn,
      rate: rows / seconds,
      txnLatencyP99Ms: samples[Math.floor(samples.length * 0.99)] ?? NaN,
    };
  } finally {
    db.close();
  }
}

function row(p: Point, floor?: number): Cell[] {
  const r = p.result;
  return [
    p.system,
    r.concurrency,
    r.rate,
    r.latency.p50,
    r.latency.p99,
    r.latency.max,
    p.inServerMs,
    floor ? `${fmt((100 * r.rate) / floor, 0)}%` : '',
    p.serverCpuMsPerOp,
    p.etcdCpuMsPerOp,
    p.clientCpuMsPerOp,
    p.etcdInFlight ? `${p.etcdInFlight.p50}/${p.etcdInFlight.max}` : '',
    // Only a Node server's main thread is its event loop (etcd's main thread tells nothing).
    p.serverMain && !p.system.startsWith('etcd')
      ? `${fmt(p.serverMain.busyPct, 0)}/${fmt(p.serverMain.waitPct, 0)}`
      : '',
    p.cpuWaitMsPerOp,
    r.errors,
  ];
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  const concurrency = knobList(o, 'concurrency', [1, 16, 64]);
  const dataBytes = knob(o, 'dataBytes', 300);
  const backends = o.backends ?? ['sqlite', 'etcd'];
  const payload = filler(dataBytes);
  const profileDir = path.resolve('bench/results/profiles');
  const points: Point[] = [];
  const memory: Record<string, ProcMemory> = {};
  const goals: Goal[] = [];
  const raw: SqliteRaw[] = [];
  let replyBytes = 0;
  let storedBytes = 0;
  let etcdValueBytes: number | undefined;
  const profiles: string[] = [];

  /** The servers measured in one phase: this build, and the --compare build if any. */
  interface Target {
    label: string;
    srv: K8tsServer;
    client: H2Client;
  }
  const withServers = async (
    backend: 'sqlite' | 'etcd',
    endpoints: string[],
    body: (targets: Target[]) => Promise<void>,
  ): Promise<void> => {
    const builds: { label: string; bin?: string }[] = [{ label: `k8ts ${backend}` }];
    if (o.compare) builds.push({ label: `k8ts ${backend} (compare)`, bin: o.compare });
    const targets: Target[] = [];
    try {
      for (const [i, b] of builds.entries()) {
        const endpoint = endpoints[i];
        const srv = await startK8ts({
          ...(endpoint ? { datastoreEndpoint: endpoint } : {}),
          ...(b.bin ? { bin: b.bin } : {}),
          ...(o.profile && i === 0 ? { cpuProfileDir: path.join(profileDir, `write-${backend}`) } : {}),
          // The API server alone: no node agent and containerd beside it taking CPU (and two agents
          // of a --compare run on one host stopped each other's server).
          extraArgs: ['--disable-agent'],
        });
        const client = await H2Client.connect(srv.origin, srv.creds).catch(async (err: unknown) => {
          await srv.stop();
          throw err;
        });
        targets.push({ label: b.label, srv, client });
        await ensureNamespace(client, NS);
        // One sample object tells the size of the server's answer (the echo server answers alike) and
        // of what it stores (the raw floors write values of that size).
        const sample = await client.expect(201, 'POST', PATH, { body: configMapJson('sample', payload) });
        replyBytes = sample.body.length;
        storedBytes = replyBytes;
      }
      await body(targets);
      for (const t of targets) memory[t.label] = procMemory(t.srv.pid);
    } finally {
      for (const t of targets) {
        t.client.close();
        await t.srv.stop();
      }
    }
    if (o.profile) {
      const f = newestProfile(path.join(profileDir, `write-${backend}`));
      if (f) profiles.push(f);
    }
  };

  if (backends.includes('sqlite')) {
    process.stdout.write('SQLite: k8ts server and the echo floor, interleaved per concurrency…\n');
    await withServers('sqlite', [], async (targets) => {
      const first = targets[0];
      if (!first) return;
      const echo = await startEcho(path.join(first.srv.dataDir, 'tls'), first.srv.creds);
      const ec = await H2Client.connect(echo.origin, first.srv.creds);
      try {
        for (const c of concurrency) {
          const echoPoint = await measuredPoint('echo (floor a)', echo.pid, c, o, async (w, seq) => {
            await ec.expect(201, 'POST', PATH, {
              body: configMapJson(`echo-${c}-${w}-${seq}`, payload),
              headers: { 'x-reply-bytes': String(replyBytes) },
            });
          });
          points.push(echoPoint);
          for (const t of targets) points.push(await serverPoint(t.label, t.srv, t.client, c, o, payload));
          process.stdout.write(`  c=${c} done\n`);
        }
        memory['echo'] = procMemory(echo.pid);
      } finally {
        ec.close();
        await echo.stop();
      }
    });
    process.stdout.write('SQLite: raw durable inserts (floor b)…\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-sqlite-'));
    try {
      raw.push(sqliteRaw(dir, storedBytes, 1, o));
      for (const c of concurrency) if (c > 1) raw.push(sqliteRaw(dir, storedBytes, c, o));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (backends.includes('etcd')) {
    process.stdout.write('etcd: raw puts (floor c) and the k8ts server, interleaved per concurrency…\n');
    // The floors get an etcd of their own: in the server's etcd, the server's watch (the watch cache
    // watches every key) would be sent every raw put, costing etcd and the server CPU in the floor.
    const floorEtcd = await startEtcd();
    const etcd = await startEtcd();
    // A --compare build gets its own etcd, so the two servers do not share state.
    const etcd2 = o.compare ? await startEtcd() : undefined;
    try {
      await withServers('etcd', [etcd.endpoint, ...(etcd2 ? [etcd2.endpoint] : [])], async (targets) => {
        const kv = new Etcd3({ hosts: floorEtcd.endpoint });
        const own = new EtcdClient({
          endpoints: [floorEtcd.endpoint],
          logger: componentLogger('bench', {}),
        });
        try {
          // The floors store values as large as what the server stored for its sample ConfigMap.
          etcdValueBytes = await storedSize(etcd.endpoint, `/registry/configmaps/${NS}/sample`);
          const value = Buffer.from(filler(etcdValueBytes ?? storedBytes));
          // Keys shaped like the server's (/registry/configmaps/NS/NAME), one set per floor and point.
          const rawKey = (floor: string, c: number, w: number, seq: number): string =>
            `/registry/configmaps/${NS}/raw-${floor}-c${c}-${Date.now().toString(36).slice(-4)}-${w}-${seq}`;
          const floorPoint = (
            name: string,
            c: number,
            op: (w: number, seq: number) => Promise<unknown>,
          ): Promise<Point> =>
            measuredPoint(name, floorEtcd.pid, c, o, async (w, seq) => void (await op(w, seq)), floorEtcd);
          for (const c of concurrency) {
            points.push(
              await floorPoint(FLOOR_ETCD3, c, (w, seq) =>
                kv
                  .put(rawKey('etcd3', c, w, seq))
                  .value(value)
                  .exec(),
              ),
            );
            points.push(
              await floorPoint(FLOOR_OWN, c, (w, seq) =>
                own.put(Buffer.from(rawKey('own', c, w, seq)), value, false),
              ),
            );
            points.push(
              await floorPoint(FLOOR_TXN, c, async (w, seq) => {
                const key = Buffer.from(rawKey('txn', c, w, seq));
                const res = await own.txn(
                  {
                    compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, value: 0 }],
                    success: [{ put: { key, value } }],
                    failure: [],
                  },
                  0,
                  false,
                );
                if (!res.succeeded) throw new Error(`raw create of a fresh key failed: ${key.toString()}`);
              }),
            );
            for (const [i, t] of targets.entries()) {
              points.push(await serverPoint(t.label, t.srv, t.client, c, o, payload, i === 0 ? etcd : etcd2));
            }
            process.stdout.write(`  c=${c} done\n`);
          }
          memory['etcd'] = procMemory(etcd.pid);
        } finally {
          kv.close();
          own.close();
        }
      });
    } finally {
      await floorEtcd.stop();
      await etcd.stop();
      await etcd2?.stop();
    }
  }

  // Tables.
  const at = (system: string, c: number): LoadResult | undefined =>
    points.find((p) => p.system === system && p.result.concurrency === c)?.result;
  const floorOf = (p: Point): number | undefined => {
    const c = p.result.concurrency;
    if (p.system.startsWith('k8ts sqlite'))
      return points.find((q) => q.system === 'echo (floor a)' && q.result.concurrency === c)?.result.rate;
    if (p.system.startsWith('k8ts etcd'))
      return points.find((q) => q.system === FLOOR_ETCD3 && q.result.concurrency === c)?.result.rate;
    return undefined;
  };
  printTable(
    `ConfigMap creates (${dataBytes} B of data; answer ${replyBytes} B${etcdValueBytes !== undefined ? `; stored in etcd ${etcdValueBytes} B, as the etcd floors' values` : ''}), ${o.durationMs / 1000} s per point after ${o.warmupMs / 1000} s warm-up`,
    [
      'system',
      'clients',
      'ops/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'mean in server ms',
      'of floor',
      'server cpu ms/op',
      'etcd cpu ms/op',
      'client cpu ms/op',
      'in etcd p50/max',
      'main busy/wait %',
      'cpu wait ms/op',
      'errors',
    ],
    points.map((p) => row(p, floorOf(p))),
  );
  if (raw.length) {
    printTable(
      `Raw SQLite inserts of ${storedBytes} B (WAL, synchronous=FULL, the server's kine table), in-process`,
      ['mode', 'rows/s', 'txn p99 ms'],
      raw.map((r) => [r.mode, r.rate, r.txnLatencyP99Ms]),
    );
    process.stdout.write(
      '  The store floor for c clients is the group-commit row with c rows per transaction (the server\n' +
        '  commits every write queued in one event-loop turn together); for c = 1 it is one row per\n' +
        '  transaction. The floor of the whole path is the lower of the echo and store floors:\n',
    );
    printTable(
      'SQLite: the k8ts server against the lower floor',
      ['clients', 'echo ops/s', 'store rows/s', 'floor', 'k8ts ops/s', 'of floor'],
      concurrency.map((c) => {
        const echo = at('echo (floor a)', c)?.rate;
        const store = raw.find((r) => r.rowsPerTxn === c)?.rate;
        const k = at('k8ts sqlite', c)?.rate;
        if (echo === undefined || store === undefined || k === undefined) return [c];
        const floor = Math.min(echo, store);
        return [c, echo, store, floor === echo ? 'echo' : 'store', k, `${fmt((100 * k) / floor, 0)}%`];
      }),
    );
  }
  printTable(
    'Memory (from /proc/PID/status at the end of each phase)',
    ['process', 'VmRSS MiB', 'VmHWM MiB'],
    Object.entries(memory).map(([k, m]) => [k, m.rssMiB, m.hwmMiB]),
  );

  const cmax = Math.max(...concurrency);
  const summary: string[] = [];
  if (backends.includes('sqlite')) {
    const s = at('k8ts sqlite', cmax);
    const e = at('echo (floor a)', cmax);
    if (s && e) {
      const ratio = s.rate / e.rate;
      goals.push({
        goal: `SQLite creates/s ≥ 50% of the echo server's at ${cmax} clients`,
        value: `${fmt(s.rate, 0)}/s vs ${fmt(e.rate, 0)}/s = ${fmt(100 * ratio, 0)}%`,
        met: ratio >= 0.5,
      });
      summary.push(`sqlite ${fmt(s.rate, 0)}/s = ${fmt(100 * ratio, 0)}% of echo`);
    }
    for (const c of concurrency) {
      const sc = at('k8ts sqlite', c);
      const ec = at('echo (floor a)', c);
      if (sc && ec && c !== cmax)
        goals.push({
          goal: `(info) SQLite at ${c} client(s) vs echo`,
          value: `${fmt((100 * sc.rate) / ec.rate, 0)}%`,
          met: sc.rate / ec.rate >= 0.5,
        });
    }
  }
  if (backends.includes('etcd')) {
    const s = at('k8ts etcd', cmax);
    const e = at(FLOOR_ETCD3, cmax);
    if (s && e) {
      const ratio = s.rate / e.rate;
      goals.push({
        goal: `etcd creates/s ≥ 70% of raw etcd puts at ${cmax} in flight`,
        value: `${fmt(s.rate, 0)}/s vs ${fmt(e.rate, 0)}/s = ${fmt(100 * ratio, 0)}%`,
        met: ratio >= 0.7,
      });
      summary.push(`etcd ${fmt(s.rate, 0)}/s = ${fmt(100 * ratio, 0)}% of raw puts`);
    }
    for (const [floor, what] of [
      [FLOOR_OWN, "raw puts through k8ts' own etcd client"],
      [FLOOR_TXN, "raw create-if-absent Txns through k8ts' own etcd client"],
    ] as const) {
      const f = at(floor, cmax);
      if (s && f)
        goals.push({
          goal: `(info) etcd creates/s vs ${what} at ${cmax} in flight`,
          value: `${fmt(s.rate, 0)}/s vs ${fmt(f.rate, 0)}/s = ${fmt((100 * s.rate) / f.rate, 0)}%`,
          met: s.rate / f.rate >= 0.7,
        });
    }
  }
  if (o.compare) {
    for (const b of backends) {
      const floorName = b === 'sqlite' ? 'echo (floor a)' : FLOOR_ETCD3;
      for (const c of concurrency) {
        const base = at(`k8ts ${b}`, c);
        const cmp = at(`k8ts ${b} (compare)`, c);
        const fl = at(floorName, c);
        if (base && cmp && fl)
          goals.push({
            goal: `(info) ${b} at ${c} client(s): this build vs --compare build`,
            value: `${fmt((100 * base.rate) / fl.rate, 0)}% vs ${fmt((100 * cmp.rate) / fl.rate, 0)}% of floor (${fmt(base.rate, 0)} vs ${fmt(cmp.rate, 0)}/s)`,
            met: true,
          });
      }
    }
  }
  const serverPoints = points.filter((p) => p.system.startsWith('k8ts'));
  const worstP99 = Math.max(...serverPoints.map((p) => p.result.latency.p99));
  goals.push({
    goal: `p99 far below 1 s (< ${P99_GOAL_MS} ms) at every point`,
    value: `worst p99 ${fmt(worstP99, 1)} ms`,
    met: worstP99 < P99_GOAL_MS,
  });
  const errors = serverPoints.reduce((n, p) => n + p.result.errors, 0);
  if (errors) goals.push({ goal: 'no failed requests', value: `${errors} failed`, met: false });
  printGoals(goals);

  for (const f of profiles) printProfile(summarizeProfile(f));
  writeResult('apiserver-write', {
    options: {
      durationMs: o.durationMs,
      warmupMs: o.warmupMs,
      concurrency,
      dataBytes,
      replyBytes,
      ...(etcdValueBytes !== undefined ? { etcdValueBytes } : {}),
    },
    points,
    sqliteRaw: raw,
    memory,
    goals,
    profiles,
  });
  headline(
    `apiserver-write: ${summary.join('; ')}; worst p99 ${fmt(worstP99, 1)} ms — ${goals.every((g) => g.met || g.goal.startsWith('(info)')) ? 'goals met' : 'goals MISSED'}`,
  );
}

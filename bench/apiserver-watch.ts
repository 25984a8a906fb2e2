/**
 * apiserver-watch: 1,000 concurrent watchers of the ConfigMaps of one namespace
 * (`?watch=1&resourceVersion=<rv>`, HTTP/2 streams spread over a few sessions); one writer creates
 * ConfigMaps one at a time, spaced out, and the benchmark times each write from its response to its
 * delivery at every watcher. Floor in the same run with the same client: the echo server in its own
 * process holding as many streams, fanning each posted event (same size) out to all of them before it
 * answers. Goal: p99 of "delivered to all" < 100 ms. Also reports the server's RSS with the watchers.
 */
import path from 'node:path';
import { startEcho } from './lib/child.js';
import { H2Client } from './lib/h2client.js';
import { configMapJson, ensureNamespace, filler, listRevision } from './lib/k8s.js';
import { knob, type BenchOptions } from './lib/options.js';
import { procMemory, sleep, type ProcMemory } from './lib/proc.js';
import { newestProfile, printProfile, summarizeProfile } from './lib/profile.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { ensureBuilt, startK8ts } from './lib/server.js';
import { summarize, type LatencySummary } from './lib/stats.js';
import { WatcherPool, type Delivery } from './lib/watchers.js';

const NS = 'bench-watch';
const PATH = `/api/v1/namespaces/${NS}/configmaps`;
const GOAL_P99_MS = 100;

/** What one run of writes measured. */
interface WatchRun {
  system: string;
  writes: number;
  /** Writes not delivered to every watcher within the timeout. */
  incomplete: number;
  /**
   * Last delivery minus the write's response, 0 when every watcher had it before the response
   * arrived (the brief's measure).
   */
  allAfterResponse: LatencySummary;
  /** Last delivery minus the moment the write was sent (the whole path, write included). */
  allAfterSend: LatencySummary;
  /** First delivery minus the moment the write was sent. */
  firstAfterSend: LatencySummary;
  /** Writes whose every delivery came before their own response. */
  deliveredBeforeResponse: number;
  /** The write request's own latency. */
  writeLatency: LatencySummary;
}

function summarizeRun(system: string, ds: Delivery[], watchers: number): WatchRun {
  const complete = ds.filter((d) => d.arrivals.length >= watchers);
  const last = (d: Delivery): number => Math.max(...d.arrivals);
  const first = (d: Delivery): number => Math.min(...d.arrivals);
  return {
    system,
    writes: ds.length,
    incomplete: ds.length - complete.length,
    allAfterResponse: summarize(complete.map((d) => Math.max(0, last(d) - d.answeredAt))),
    allAfterSend: summarize(complete.map((d) => last(d) - d.sentAt)),
    firstAfterSend: summarize(complete.map((d) => first(d) - d.sentAt)),
    deliveredBeforeResponse: complete.filter((d) => last(d) <= d.answeredAt).length,
    writeLatency: summarize(ds.map((d) => d.answeredAt - d.sentAt)),
  };
}

async function connectMany(origin: string, creds: Parameters<typeof H2Client.connect>[1], n: number) {
  return Promise.all(Array.from({ length: n }, () => H2Client.connect(origin, creds)));
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  const watchers = knob(o, 'watchers', 1000);
  const sessions = knob(o, 'sessions', 8);
  const writes = knob(o, 'writes', 200, 50);
  const gapMs = knob(o, 'gapMs', 25);
  const backend = o.backends?.[0] ?? 'sqlite';
  if ((o.backends?.length ?? 1) > 1)
    process.stdout.write('apiserver-watch runs one backend; using the first\n');
  const profileDir = path.resolve('bench/results/profiles/watch');
  const payload = filler(300);
  const memory: Record<string, ProcMemory> = {};
  const runs: WatchRun[] = [];

  const { startEtcd } = await import('../src/storage/testing/etcd.js');
  const etcd = backend === 'etcd' ? await startEtcd() : undefined;
  const srv = await startK8ts({
    ...(etcd ? { datastoreEndpoint: etcd.endpoint } : {}),
    ...(o.profile ? { cpuProfileDir: profileDir } : {}),
    // The API server alone: a node agent would run the benchmark's pods (and change the machine's
    // network) beside what is measured.
    extraArgs: ['--disable-agent'],
  });
  let sampleEvent: string | undefined;
  let openMs = NaN;
  try {
    const writer = await H2Client.connect(srv.origin, srv.creds);
    const clients = await connectMany(srv.origin, srv.creds, sessions);
    try {
      await ensureNamespace(writer, NS);
      await sleep(1000);
      memory['k8ts before watchers'] = procMemory(srv.pid);
      const rv = await listRevision(writer, PATH);
      const pool = new WatcherPool(watchers);
      process.stdout.write(`opening ${watchers} watches on ${sessions} sessions (${backend})…\n`);
      const t0 = performance.now();
      await pool.openAll(clients, watchers, `${PATH}?watch=1&resourceVersion=${rv}`);
      openMs = performance.now() - t0;
      process.stdout.write(`  watches opened in ${fmt(openMs, 0)} ms\n`);
      await sleep(1000);
      memory[`k8ts with ${watchers} watchers`] = procMemory(srv.pid);
      // Warm-up writes (not measured).
      const ds: Delivery[] = [];
      for (let i = 0; i < 10; i++)
        await pool.measure(`warm-${i}`, async () => {
          await writer.expect(201, 'POST', PATH, { body: configMapJson(`warm-${i}`, payload) });
        });
      process.stdout.write(`${writes} writes, ${gapMs} ms apart…\n`);
      for (let i = 0; i < writes; i++) {
        const name = `w-${i}`;
        ds.push(
          await pool.measure(name, async () => {
            await writer.expect(201, 'POST', PATH, { body: configMapJson(name, payload) });
          }),
        );
        await sleep(gapMs);
      }
      memory[`k8ts after ${writes} writes`] = procMemory(srv.pid);
      if (pool.failed) throw new Error(`${pool.failed} watch streams failed: ${pool.firstFailure}`);
      runs.push(summarizeRun(`k8ts ${backend}`, ds, watchers));
      sampleEvent = pool.sampleEvent;
      pool.closeAll();

      // The floor: the same client, the same number of streams, against the echo fan-out.
      const echo = await startEcho(path.join(srv.dataDir, 'tls'), srv.creds);
      const ewriter = await H2Client.connect(echo.origin, srv.creds);
      const eclients = await connectMany(echo.origin, srv.creds, sessions);
      try {
        const epool = new WatcherPool(watchers);
        await epool.openAll(eclients, watchers, '/watch');
        await sleep(500);
        memory[`echo with ${watchers} watchers`] = procMemory(echo.pid);
        const template = JSON.parse(sampleEvent ?? '{"type":"ADDED","object":{"metadata":{}}}') as {
          object: { metadata: { name: string } };
        };
        const eventFor = (name: string): string => {
          template.object.metadata.name = name;
          return JSON.stringify(template);
        };
        for (let i = 0; i < 10; i++)
          await epool.measure(`warm-${i}`, async () => {
            await ewriter.expect(201, 'POST', '/fanout', { body: eventFor(`warm-${i}`) });
          });
        const eds: Delivery[] = [];
        for (let i = 0; i < writes; i++) {
          const name = `w-${i}`;
          eds.push(
            await epool.measure(name, async () => {
              await ewriter.expect(201, 'POST', '/fanout', { body: eventFor(name) });
            }),
          );
          await sleep(gapMs);
        }
        runs.push(summarizeRun('echo fan-out (floor)', eds, watchers));
        epool.closeAll();
      } finally {
        ewriter.close();
        for (const c of eclients) c.close();
        await echo.stop();
      }
    } finally {
      writer.close();
      for (const c of clients) c.close();
    }
  } finally {
    await srv.stop();
    await etcd?.stop();
  }

  const eventBytes = sampleEvent?.length ?? 0;
  printTable(
    `Write → delivery at all ${watchers} watchers (${sessions} sessions), ${writes} writes ${gapMs} ms apart, events ${eventBytes} B (ms)`,
    [
      'system',
      'write p50',
      'write p99',
      'all-from-send p50',
      'p99',
      'max',
      'all-after-resp p50',
      'p99',
      'first-from-send p50',
      'all before resp',
      'incomplete',
    ],
    runs.map((r) => [
      r.system,
      r.writeLatency.p50,
      r.writeLatency.p99,
      r.allAfterSend.p50,
      r.allAfterSend.p99,
      r.allAfterSend.max,
      r.allAfterResponse.p50,
      r.allAfterResponse.p99,
      r.firstAfterSend.p50,
      `${r.deliveredBeforeResponse}/${r.writes}`,
      r.incomplete,
    ]),
  );
  process.stdout.write(
    "  write = the create request's own latency; all-from-send = last watcher's delivery minus the moment\n" +
      "  the write was sent; all-after-resp = last delivery minus the write's response, 0 if all came before it.\n" +
      '  The client parses every event (JSON.parse) on its own thread, as a real client would.\n',
  );
  printTable(
    'Memory (/proc/PID/status)',
    ['process', 'VmRSS MiB', 'VmHWM MiB'],
    Object.entries(memory).map(([k, m]) => [k, m.rssMiB, m.hwmMiB]),
  );
  const k = runs[0];
  const f = runs[1];
  const goals: Goal[] = [];
  if (k) {
    goals.push({
      goal: `p99 from a write's response to delivery at all ${watchers} watchers < ${GOAL_P99_MS} ms`,
      value: `${fmt(k.allAfterResponse.p99, 1)} ms (floor ${fmt(f?.allAfterResponse.p99, 1)} ms)`,
      met: k.allAfterResponse.p99 < GOAL_P99_MS && k.incomplete === 0,
    });
    goals.push({
      goal: `p99 from sending a write to delivery at all ${watchers} watchers < ${GOAL_P99_MS} ms (stricter)`,
      value: `${fmt(k.allAfterSend.p99, 1)} ms (floor ${fmt(f?.allAfterSend.p99, 1)} ms, ratio ${fmt(k.allAfterSend.p99 / (f?.allAfterSend.p99 ?? NaN), 1)}x)`,
      met: k.allAfterSend.p99 < GOAL_P99_MS,
    });
    if (k.incomplete)
      goals.push({ goal: 'every write reaches every watcher', value: `${k.incomplete} did not`, met: false });
  }
  const before = memory['k8ts before watchers']?.rssMiB ?? NaN;
  const withW = memory[`k8ts with ${watchers} watchers`]?.rssMiB ?? NaN;
  printGoals(goals);
  if (o.profile) {
    const pf = newestProfile(profileDir);
    if (pf) printProfile(summarizeProfile(pf));
  }
  writeResult('apiserver-watch', {
    options: { watchers, sessions, writes, gapMs, backend, eventBytes },
    openMs,
    runs,
    memory,
    goals,
  });
  headline(
    `apiserver-watch (${backend}): ${watchers} watchers, after-response p99 ${fmt(k?.allAfterResponse.p99, 1)} ms; ` +
      `send→all p50 ${fmt(k?.allAfterSend.p50, 1)} / p99 ${fmt(k?.allAfterSend.p99, 1)} ms (floor p99 ${fmt(f?.allAfterSend.p99, 1)} ms); ` +
      `RSS ${fmt(withW, 0)} MiB with watchers (+${fmt(withW - before, 0)}) — ${goals[0]?.met ? 'goal met' : 'goal MISSED'}` +
      `${goals[1] && !goals[1].met ? ' (stricter send→all goal missed)' : ''}`,
  );
}

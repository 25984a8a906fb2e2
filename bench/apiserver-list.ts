/**
 * apiserver-list: LIST of 10,000 realistic Pods in one namespace: a full LIST (JSON), a full LIST
 * served from the watch cache (resourceVersion=0, as informers do), a paged LIST (limit=500, walking
 * `continue` as kubectl does), a Table LIST, and kubectl's own `get pods` request (Table, limit=500,
 * paged); server RSS before and after.
 *
 * Floor, measured in the same run with the same client: the least any server must do to answer the
 * same bytes, i.e. push them through TLS + HTTP/2 to this client: the echo server, in its own process,
 * serving the very bytes k8ts answered from memory as a static file. That is the fair floor because
 * a server may keep each object's JSON encoding in its watch cache (k8ts does) and assemble a LIST from
 * bytes; encoding the objects (JSON.stringify of the parsed list) and decoding them (JSON.parse) are
 * measured in this process and shown beside it, as what a server without such a cache would add.
 * The machine is shared and noisy, so rounds are interleaved and both medians and minima are shown.
 */
import path from 'node:path';
import { startEcho } from './lib/child.js';
import { H2Client, type H2Response } from './lib/h2client.js';
import { ensureNamespace, podJson } from './lib/k8s.js';
import { forEachParallel } from './lib/load.js';
import { knob, type BenchOptions } from './lib/options.js';
import { procMemory, sleep, type ProcMemory } from './lib/proc.js';
import { newestProfile, printProfile, summarizeProfile } from './lib/profile.js';
import { fmt, headline, printGoals, printTable, writeResult, type Cell, type Goal } from './lib/report.js';
import { ensureBuilt, startK8ts } from './lib/server.js';
import { median } from './lib/stats.js';

const NS = 'bench-list';
const PATH = `/api/v1/namespaces/${NS}/pods`;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
/** What kubectl get sends. */
const KUBECTL_TABLE = `${TABLE},application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`;

interface Sample {
  ms: number;
  bytes: number;
  requests: number;
}

interface Case {
  name: string;
  samples: Sample[];
  /** Which floor this case is compared with. */
  floor: 'json' | 'table';
}

function itemsOf(body: Buffer): number {
  const v = JSON.parse(body.toString('utf8')) as { items?: unknown[]; rows?: unknown[] };
  return (v.items ?? v.rows ?? []).length;
}

/** Walks a paged LIST; returns the total time, bytes and requests. */
async function paged(client: H2Client, accept: string, limit: number): Promise<{ s: Sample; items: number }> {
  const t0 = performance.now();
  let bytes = 0;
  let requests = 0;
  let items = 0;
  let cont = '';
  for (;;) {
    const q = `limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const res = await client.expect(200, 'GET', `${PATH}?${q}`, { headers: { accept } });
    requests++;
    bytes += res.body.length;
    const v = JSON.parse(res.body.toString('utf8')) as {
      items?: unknown[];
      rows?: unknown[];
      metadata?: { continue?: string };
    };
    items += (v.items ?? v.rows ?? []).length;
    cont = v.metadata?.continue ?? '';
    if (!cont) break;
  }
  return { s: { ms: performance.now() - t0, bytes, requests }, items };
}

function one(res: H2Response): Sample {
  return { ms: res.ms, bytes: res.body.length, requests: 1 };
}

function timeIt(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  ensureBuilt();
  const pods = knob(o, 'pods', 10_000, 2000);
  const iterations = knob(o, 'iterations', 10, 3);
  const createConcurrency = knob(o, 'createConcurrency', 64);
  const backend = o.backends?.[0] ?? 'sqlite';
  const profileDir = path.resolve('bench/results/profiles/list');
  const memory: Record<string, ProcMemory> = {};
  const cases: Case[] = [
    { name: 'full LIST (JSON)', samples: [], floor: 'json' },
    { name: 'full LIST rv=0 (watch cache)', samples: [], floor: 'json' },
    { name: 'paged LIST limit=500 (JSON)', samples: [], floor: 'json' },
    { name: 'Table LIST', samples: [], floor: 'table' },
    { name: 'kubectl get pods (Table, limit=500)', samples: [], floor: 'table' },
  ];
  const floors = {
    json: { transfer: [] as number[], parse: [] as number[], stringify: [] as number[], bytes: 0 },
    table: { transfer: [] as number[], parse: [] as number[], stringify: [] as number[], bytes: 0 },
  };
  let createSeconds = 0;
  let podBytes = 0;

  const { startEtcd } = await import('../src/storage/testing/etcd.js');
  const etcd = backend === 'etcd' ? await startEtcd() : undefined;
  const srv = await startK8ts({
    ...(etcd ? { datastoreEndpoint: etcd.endpoint } : {}),
    ...(o.profile ? { cpuProfileDir: profileDir } : {}),
    // The API server alone: a node agent would run the benchmark's pods (and change the machine's
    // network) beside what is measured.
    extraArgs: ['--disable-agent'],
  });
  try {
    const client = await H2Client.connect(srv.origin, srv.creds);
    try {
      await ensureNamespace(client, NS);
      await sleep(1000);
      memory['k8ts before pods'] = procMemory(srv.pid);
      process.stdout.write(`creating ${pods} pods, ${createConcurrency} in flight (${backend})…\n`);
      createSeconds = await forEachParallel(pods, createConcurrency, async (i) => {
        const res = await client.expect(201, 'POST', PATH, {
          body: podJson(`pod-${String(i).padStart(5, '0')}`, i),
        });
        if (i === 0) podBytes = res.body.length;
      });
      process.stdout.write(`  ${fmt(pods / createSeconds, 0)} creates/s\n`);
      await sleep(2000);
      memory[`k8ts with ${pods} pods`] = procMemory(srv.pid);

      // The floors' bytes: exactly what k8ts answers.
      const full = await client.expect(200, 'GET', PATH);
      const table = await client.expect(200, 'GET', PATH, { headers: { accept: TABLE } });
      if (itemsOf(full.body) !== pods)
        throw new Error(`full LIST has ${itemsOf(full.body)} items, want ${pods}`);
      if (itemsOf(table.body) !== pods)
        throw new Error(`Table LIST has ${itemsOf(table.body)} rows, want ${pods}`);
      floors.json.bytes = full.body.length;
      floors.table.bytes = table.body.length;
      const echo = await startEcho(path.join(srv.dataDir, 'tls'), srv.creds);
      const ec = await H2Client.connect(echo.origin, srv.creds);
      try {
        await ec.expect(201, 'PUT', '/blob/json', { body: full.body });
        await ec.expect(201, 'PUT', '/blob/table', { body: table.body });
        // One untimed round of everything (JIT, caches), then the measured rounds, interleaved.
        for (let it = -1; it < iterations; it++) {
          const keep = it >= 0;
          const tj = await ec.expect(200, 'GET', '/blob/json');
          const tt = await ec.expect(200, 'GET', '/blob/table');
          const text = full.body.toString('utf8');
          let parsed: unknown;
          const pj = timeIt(() => (parsed = JSON.parse(text)));
          const sj = timeIt(() => JSON.stringify(parsed));
          const ttext = table.body.toString('utf8');
          const pt = timeIt(() => (parsed = JSON.parse(ttext)));
          const st = timeIt(() => JSON.stringify(parsed));
          const results: Sample[] = [
            one(await client.expect(200, 'GET', PATH)),
            one(await client.expect(200, 'GET', `${PATH}?resourceVersion=0`)),
            (await paged(client, 'application/json', 500)).s,
            one(await client.expect(200, 'GET', PATH, { headers: { accept: TABLE } })),
            (await paged(client, KUBECTL_TABLE, 500)).s,
          ];
          if (!keep) continue;
          floors.json.transfer.push(tj.ms);
          floors.table.transfer.push(tt.ms);
          floors.json.parse.push(pj);
          floors.json.stringify.push(sj);
          floors.table.parse.push(pt);
          floors.table.stringify.push(st);
          results.forEach((r, i) => cases[i]?.samples.push(r));
          process.stdout.write(`  round ${it + 1}/${iterations} done\n`);
        }
        memory['echo with the list bytes'] = procMemory(echo.pid);
      } finally {
        ec.close();
        await echo.stop();
      }
      memory[`k8ts after the LISTs`] = procMemory(srv.pid);
    } finally {
      client.close();
    }
  } finally {
    await srv.stop();
    await etcd?.stop();
  }

  const floorMs = (f: 'json' | 'table'): number => median(floors[f].transfer);
  const floorMin = (f: 'json' | 'table'): number => Math.min(...floors[f].transfer);
  printTable(
    `Floors (ms; median of ${iterations}, min in brackets)`,
    ['floor', 'bytes', 'transfer from echo = floor', '(min)', 'JSON.stringify', 'JSON.parse'],
    (['json', 'table'] as const).map((f) => [
      f === 'json' ? 'full list JSON' : 'Table JSON',
      floors[f].bytes,
      floorMs(f),
      floorMin(f),
      median(floors[f].stringify),
      median(floors[f].parse),
    ]),
  );
  process.stdout.write(
    '  The floor is the transfer of the same bytes from a static in-memory file; stringify/parse are\n' +
      '  what encoding/decoding the objects would add for a server without cached encodings.\n',
  );
  const rows: Cell[][] = cases.map((c) => {
    const ms = median(c.samples.map((s) => s.ms));
    const min = Math.min(...c.samples.map((s) => s.ms));
    return [
      c.name,
      ms,
      min,
      c.samples[0]?.bytes,
      c.samples[0]?.requests,
      floorMs(c.floor),
      `${fmt(ms / floorMs(c.floor), 1)}x`,
      `${fmt(min / floorMin(c.floor), 1)}x`,
    ];
  });
  printTable(
    `LIST of ${pods} pods (${podBytes} B each as created; ${backend}), median of ${iterations} (ms)`,
    ['request', 'median', 'min', 'bytes', 'requests', 'floor', 'vs floor', 'min vs min'],
    rows,
  );
  printTable(
    'Memory (/proc/PID/status)',
    ['process', 'VmRSS MiB', 'VmHWM MiB'],
    Object.entries(memory).map(([k, m]) => [k, m.rssMiB, m.hwmMiB]),
  );
  const fullMs = median(cases[0]?.samples.map((s) => s.ms) ?? []);
  const ratio = fullMs / floorMs('json');
  const before = memory['k8ts before pods']?.rssMiB ?? NaN;
  const after = memory['k8ts after the LISTs']?.rssMiB ?? NaN;
  const goals: Goal[] = [
    {
      goal: 'full LIST within 3x of the floor (transfer of the same bytes)',
      value: `${fmt(fullMs, 0)} ms vs ${fmt(floorMs('json'), 0)} ms = ${fmt(ratio, 1)}x`,
      met: ratio <= 3,
    },
  ];
  printGoals(goals);
  if (o.profile) {
    const pf = newestProfile(profileDir);
    if (pf) printProfile(summarizeProfile(pf));
  }
  writeResult('apiserver-list', {
    options: { pods, iterations, createConcurrency, backend, podBytes },
    createsPerSecond: pods / createSeconds,
    floors,
    cases,
    memory,
    goals,
  });
  headline(
    `apiserver-list (${backend}): ${pods} pods, full LIST ${fmt(fullMs, 0)} ms = ${fmt(ratio, 1)}x floor; ` +
      `paged ${fmt(median(cases[2]?.samples.map((s) => s.ms) ?? []), 0)} ms; Table ${fmt(median(cases[3]?.samples.map((s) => s.ms) ?? []), 0)} ms; ` +
      `RSS ${fmt(before, 0)} → ${fmt(after, 0)} MiB — ${goals.every((g) => g.met) ? 'goal met' : 'goal MISSED'}`,
  );
}

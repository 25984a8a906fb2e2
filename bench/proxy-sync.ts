/**
 * proxy-sync: how long a change to a Service or EndpointSlice takes to be in the kernel, with 1,000
 * Services × 10 endpoints programmed by the service proxy (nftables) in a network namespace made for
 * the run.
 *
 * The proxy is the real `ServiceProxy` (informers, rate-limited sync loop, incremental nft
 * transactions) fed by an in-memory API client (src/client/testing/fake-client.ts): this measures the
 * proxy and the kernel, not the API server or its watch latency (apiserver-watch measures that). Its
 * nft transactions run in the namespace through `nsenter --net=… nft -f -`. A change counts as in the
 * kernel when the `nft -f` that carries it has exited 0 (nft returns after the kernel committed the
 * batch). Every change brings a fresh IP (a replaced endpoint, or a new externalIP on a Service), which
 * is how its transaction is recognised.
 *
 * Two load shapes: isolated changes (one at a time, spaced past the minimum sync period: the cost of
 * one incremental sync), and churn (`rate` changes/s for a while: syncs batch changes and are
 * rate-limited by the minimum sync period). Floor, in the same namespace and table: one `nft -f` adding
 * and deleting a single map element. Goal: change → rule in kernel p99 < 1 s.
 */
import { nftRunner } from '../src/agent/proxy/apply.js';
import { conntrackRunner } from '../src/agent/proxy/conntrack.js';
import { ep, slice, svc } from '../src/agent/proxy/fixtures.js';
import { ServiceProxy } from '../src/agent/proxy/proxy.js';
import { ENDPOINTSLICES, SERVICES } from '../src/client/resources.js';
import { FakeClient } from '../src/client/testing/fake-client.js';
import { logger } from '../src/util/log.js';
import { createTestHost } from '../test/support/host.js';
import { knob, type BenchOptions } from './lib/options.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { summarize, type LatencySummary } from './lib/stats.js';

const GOAL_P99_MS = 1000;
const TABLE = 'k8ts-proxy';

function ipOf(prefix: string, n: number): string {
  return `${prefix}.${(n >> 8) & 255}.${n & 255}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('proxy-sync needs root (a network namespace, nft)');
  const services = knob(o, 'services', 1000, 200);
  const perService = knob(o, 'endpoints', 10, 10);
  const isolated = knob(o, 'changes', 100, 20);
  const churnRate = knob(o, 'rate', 20, 20);
  const churnSeconds = knob(o, 'churnSeconds', 10, 3);
  const minSyncMs = knob(o, 'minSyncPeriodMs', 500);
  const quiet = logger.child({ component: 'proxy-bench' });
  quiet.level = 'warn';

  const host = await createTestHost();
  process.stdout.write(`network namespace ${host.name}; ${services} services × ${perService} endpoints\n`);
  const client = new FakeClient();
  let proxy: ServiceProxy | undefined;
  try {
    const endpoints: string[][] = [];
    let fresh = 1;
    const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
    for (let i = 0; i < services; i++) {
      const ips = Array.from({ length: perService }, (_, j) => ipOf('10.42', i * perService + j + 1));
      endpoints.push(ips);
      client.put(SERVICES, svc(`s${i}`, ipOf('10.43', i + 1), {}, { namespace: 'bench' }));
      client.put(
        ENDPOINTSLICES,
        slice(
          `s${i}`,
          ips.map((ip) => ep(ip)),
          { namespace: 'bench', ports: http },
        ),
      );
    }

    // Markers (fresh IP + ' ') waiting for their transaction, with when the change was made.
    const pending = new Map<string, number>();
    const latencies: number[] = [];
    const nftTimes: { ms: number; bytes: number }[] = [];
    const base = nftRunner(host.wrap(['nft']));
    const runner = async (script: string): Promise<void> => {
      const t0 = performance.now();
      await base(script);
      const done = performance.now();
      nftTimes.push({ ms: done - t0, bytes: script.length });
      for (const [marker, at] of pending) {
        if (!script.includes(marker)) continue;
        latencies.push(done - at);
        pending.delete(marker);
      }
    };
    proxy = new ServiceProxy({
      client,
      nodeName: 'node-a',
      nodeIPs: ['192.168.77.1'],
      clusterCIDR: '10.42.0.0/16',
      logger: quiet,
      minSyncPeriodMs: minSyncMs,
      nft: runner,
      conntrack: conntrackRunner(host.wrap(['conntrack'])),
    });
    const t0 = performance.now();
    await proxy.start();
    const startMs = performance.now() - t0;
    const fullSync = nftTimes[0];
    process.stdout.write(`first full sync in the kernel after ${fmt(startMs, 0)} ms\n`);

    /** One change: a replaced endpoint (4 in 5) or a new externalIP on a Service (1 in 5). */
    const change = (): string => {
      const i = Math.floor(Math.random() * services);
      const ip = ipOf('10.44', fresh++);
      const marker = `${ip} `;
      pending.set(marker, performance.now());
      if (fresh % 5 === 0) {
        client.put(
          SERVICES,
          svc(`s${i}`, ipOf('10.43', i + 1), { externalIPs: [ip] }, { namespace: 'bench' }),
        );
      } else {
        const ips = endpoints[i] ?? [];
        ips[Math.floor(Math.random() * ips.length)] = ip;
        client.put(
          ENDPOINTSLICES,
          slice(
            `s${i}`,
            ips.map((x) => ep(x)),
            { namespace: 'bench', ports: http },
          ),
        );
      }
      return marker;
    };
    const settle = async (what: string, timeoutMs = 30_000): Promise<void> => {
      const deadline = performance.now() + timeoutMs;
      while (pending.size > 0) {
        if (performance.now() > deadline)
          throw new Error(`${what}: ${pending.size} changes never reached the kernel`);
        await delay(5);
      }
    };

    // Isolated changes.
    for (let k = 0; k < isolated; k++) {
      change();
      await settle('isolated change');
      await delay(minSyncMs + 50 + Math.random() * 100);
    }
    const isolatedLat = summarize(latencies.splice(0));
    const isolatedNft = summarize(nftTimes.slice(1).map((x) => x.ms));

    // Churn.
    const nftBefore = nftTimes.length;
    const churnChanges = Math.round(churnRate * churnSeconds);
    const gap = 1000 / churnRate;
    const churnStart = performance.now();
    for (let k = 0; k < churnChanges; k++) {
      const due = churnStart + k * gap;
      const wait = due - performance.now();
      if (wait > 0) await delay(wait);
      change();
    }
    await settle('churn');
    const churnLat = summarize(latencies.splice(0));
    const churnSyncs = nftTimes.length - nftBefore;

    // Floor: one map element in and out, straight through nft, in the same loaded table.
    const floor: number[] = [];
    const one = nftRunner(host.wrap(['nft']));
    for (let k = 0; k < 20; k++) {
      const t = performance.now();
      await one(
        `add element ip ${TABLE} no-endpoint-services { 10.45.0.1 . tcp . 1 : drop }\n` +
          `delete element ip ${TABLE} no-endpoint-services { 10.45.0.1 . tcp . 1 }\n`,
      );
      floor.push(performance.now() - t);
    }
    const floorLat = summarize(floor);
    const metrics = await proxy.metricsText();

    const row = (name: string, s: LatencySummary): (string | number)[] => [
      name,
      s.count,
      s.p50,
      s.p90,
      s.p99,
      s.max,
      s.p50 / floorLat.p50,
    ];
    printTable(
      `change → rule in kernel (ms), ${services} services × ${perService} endpoints, minSyncPeriod ${minSyncMs} ms`,
      ['load', 'n', 'p50', 'p90', 'p99', 'max', 'p50/floor'],
      [
        row('isolated changes', isolatedLat),
        row(`churn ${churnRate}/s (${churnSyncs} syncs)`, churnLat),
        row('floor: one nft -f (1 element)', floorLat),
        row('incremental nft -f (proxy)', isolatedNft),
      ],
    );
    process.stdout.write(
      `\nfull sync: ${fmt((fullSync?.bytes ?? 0) / 1e6, 1)} MB of nft text, nft -f ${fmt(fullSync?.ms, 0)} ms; ` +
        `start() → in kernel ${fmt(startMs, 0)} ms\n`,
    );
    const goals: Goal[] = [
      {
        goal: `isolated change → rule in kernel p99 < ${GOAL_P99_MS} ms`,
        value: `${fmt(isolatedLat.p99, 0)} ms`,
        met: isolatedLat.p99 < GOAL_P99_MS,
      },
      {
        goal: `under churn (${churnRate}/s) p99 < ${GOAL_P99_MS} ms`,
        value: `${fmt(churnLat.p99, 0)} ms`,
        met: churnLat.p99 < GOAL_P99_MS,
      },
    ];
    printGoals(goals);
    writeResult('proxy-sync', {
      options: {
        services,
        perService,
        isolated,
        churnRate,
        churnSeconds,
        minSyncMs,
        driver: 'in-memory client',
      },
      startMs,
      fullSync,
      isolated: isolatedLat,
      churn: { ...churnLat, syncs: churnSyncs },
      incrementalNft: isolatedNft,
      floor: floorLat,
      ratios: {
        isolatedP50OverFloor: isolatedLat.p50 / floorLat.p50,
        churnP50OverFloor: churnLat.p50 / floorLat.p50,
      },
      metricsSample: metrics.split('\n').filter((l) => l.startsWith('kubeproxy_') && l.includes('_count')),
      goals,
    });
    headline(
      `proxy-sync: ${services}×${perService}: change → kernel p50 ${fmt(isolatedLat.p50, 0)} / p99 ${fmt(isolatedLat.p99, 0)} ms isolated, ` +
        `p99 ${fmt(churnLat.p99, 0)} ms at ${churnRate}/s (floor ${fmt(floorLat.p50, 0)} ms; full sync ${fmt(startMs, 0)} ms) — ` +
        `${goals.every((g) => g.met) ? 'goal met' : 'goal MISSED'}`,
    );
  } finally {
    await proxy?.stop();
    client.close();
    await host.destroy();
  }
}

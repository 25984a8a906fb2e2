/**
 * ingress: requests/s through the node agent's Ingress data path versus the same backend directly,
 * on loopback, in the same run. A plain Node HTTP backend (its own process) plays the pod; the
 * agent's IngressController (in this process, fed by an in-memory client holding one Ingress, its
 * Service and EndpointSlice) drives a real HAProxy. `wrk` measures, alternating direct and ingress
 * runs `rounds` times; the figure of each path is the median. Rows: direct; ingress over HTTP with
 * the access log on (the default); ingress over HTTP without access log; ingress over HTTPS. Goal (issue 5): ingress ≥ 0.7 × direct. The machine's cores are shared by wrk,
 * the backend and the proxy, so ratios from one run are what to compare.
 *
 * The default backend does no work per request (the proxy's worst case: its cost is compared with
 * the cheapest possible answer); `--set backendWorkUs=N` makes it spin N µs per request, like an
 * application would. CPU µs per request of the backend, of HAProxy (master + workers) and of this
 * process (the agent reading the access log) are read from /proc around each run.
 *
 * Knobs: `--set connections=50`, `--set rounds=3`, `--set backendWorkUs=0`, `--duration S`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { IngressController } from '../src/agent/ingress/controller.js';
import { ENDPOINTSLICES, INGRESSCLASSES, INGRESSES, SECRETS, SERVICES } from '../src/client/resources.js';
import { FakeClient } from '../src/client/testing/fake-client.js';
import { createCertificateAuthority, issueCertificate } from '../src/pki/certs.js';
import { freePort } from '../src/storage/testing/etcd.js';
import { knob, type BenchOptions } from './lib/options.js';
import { pollUntil, procCpuSeconds, procMemory, sleep } from './lib/proc.js';
import { runWrk, type WrkResult } from './lib/wrk.js';
import { fmt, headline, printGoals, printTable, writeResult, type Goal } from './lib/report.js';
import { median } from './lib/stats.js';

const GOAL_RATIO = 0.7;
const HOST = 'bench.ingress.test';

const BACKEND_JS = `
const http = require('node:http');
const body = Buffer.from('hello from the backend\\n');
const workUs = Number(process.argv[2] || 0);
const srv = http.createServer((req, res) => {
  if (workUs > 0) { const end = process.hrtime.bigint() + BigInt(workUs * 1000); while (process.hrtime.bigint() < end); }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
srv.keepAliveTimeout = 65000;
srv.listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

async function startBackend(port: number, workUs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', BACKEND_JS, String(port), String(workUs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`backend exited (${code ?? 'signal'})`)));
  });
  return child;
}

/** Sum of `read(pid)` over a process and its children (HAProxy's master and workers). */
function overTree(pid: number, read: (pid: number) => number): number {
  let total = 0;
  const visit = (p: number): void => {
    try {
      total += read(p);
    } catch {
      return;
    }
    for (const task of fs.readdirSync(`/proc/${p}/task`)) {
      const children = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
    }
  };
  visit(pid);
  return total;
}

/** CPU seconds used so far by the backend, the proxy (master + workers) and this process (the agent). */
function cpuNow(
  backendPid: number,
  proxyPid: number | undefined,
): { backend: number; proxy: number; agent: number } {
  const own = process.cpuUsage();
  return {
    backend: procCpuSeconds(backendPid),
    proxy: proxyPid ? overTree(proxyPid, procCpuSeconds) : 0,
    agent: (own.user + own.system) / 1e6,
  };
}

interface Setup {
  controller: IngressController;
  httpPort: number;
  httpsPort: number;
  runDir: string;
}

async function startIngress(backendPort: number, accessLog: boolean): Promise<Setup> {
  const client = new FakeClient();
  client.put(INGRESSCLASSES, {
    metadata: { name: 'k8ts', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8ts.io/ingress' },
  });
  client.put(SERVICES, {
    metadata: { namespace: 'bench', name: 'web' },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  });
  client.put(ENDPOINTSLICES, {
    metadata: { namespace: 'bench', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  });
  const ca = await createCertificateAuthority('bench-ingress-ca');
  const leaf = await issueCertificate(ca, {
    commonName: HOST,
    usage: 'server',
    sans: { dns: [HOST], ips: [] },
  });
  client.put(SECRETS, {
    metadata: { namespace: 'bench', name: 'web-tls' },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(leaf.certPem).toString('base64'),
      'tls.key': Buffer.from(leaf.keyPem).toString('base64'),
    },
  });
  client.put(INGRESSES, {
    metadata: { namespace: 'bench', name: 'web', creationTimestamp: new Date().toISOString() },
    spec: {
      tls: [{ hosts: [HOST], secretName: 'web-tls' }],
      rules: [
        {
          host: HOST,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'web', port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    },
  });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-ingress-'));
  const httpPort = await freePort();
  const httpsPort = await freePort();
  // Access-log lines are written by HAProxy (the cost is the real one) but not printed.
  const logger = pino({ level: 'info' }, { write: () => undefined });
  const controller = new IngressController({
    client,
    nodeName: 'bench',
    listen: { host: '127.0.0.1', httpPort, httpsPort },
    logger,
    runDir,
    accessLog,
    accessLogTo: { path: '/dev/null' },
    events: false,
  });
  await controller.start();
  return { controller, httpPort, httpsPort, runDir };
}

async function stopIngress(s: Setup): Promise<void> {
  await s.controller.stop();
  fs.rmSync(s.runDir, { recursive: true, force: true });
}

/** The benchmark. */
export async function run(o: BenchOptions): Promise<void> {
  const connections = knob(o, 'connections', 50, 20);
  const rounds = Math.max(1, knob(o, 'rounds', 3, 1));
  const seconds = Math.max(1, Math.round(o.durationMs / 1000));
  const backendPort = await freePort();
  const workUs = knob(o, 'backendWorkUs', 0);
  const backend = await startBackend(backendPort, workUs);
  const withLog = await startIngress(backendPort, true);
  const noLog = await startIngress(backendPort, false);
  const direct = `http://127.0.0.1:${backendPort}/`;
  const paths: { name: string; url: string; host?: string; proxy?: Setup }[] = [
    { name: 'direct (backend)', url: direct },
    {
      name: 'ingress http (access log)',
      url: `http://127.0.0.1:${withLog.httpPort}/`,
      host: HOST,
      proxy: withLog,
    },
    {
      name: 'ingress http (no access log)',
      url: `http://127.0.0.1:${noLog.httpPort}/`,
      host: HOST,
      proxy: noLog,
    },
    // wrk sends no SNI to an IP address: the default certificate answers; the TLS cost is the same.
    {
      name: 'ingress https (access log)',
      url: `https://127.0.0.1:${withLog.httpsPort}/`,
      host: HOST,
      proxy: withLog,
    },
  ];
  /** One run: wrk's figures and the CPU µs per request of the backend, the proxy and the agent. */
  type Sample = WrkResult & { cpuUs: { backend: number; proxy: number; agent: number } };
  const samples = new Map<string, Sample[]>(paths.map((p) => [p.name, []]));
  const backendPid = backend.pid ?? 0;
  let haproxyMiB = 0;
  try {
    await pollUntil('the ingress to answer', 20_000, async () => {
      const r = await runWrk(`http://127.0.0.1:${withLog.httpPort}/`, {
        connections: 1,
        seconds: 1,
        host: HOST,
      });
      return r.errors === 0 && r.rps > 0 ? r : undefined;
    });
    for (const p of paths) await runWrk(p.url, { connections, seconds: 1, host: p.host });
    for (let r = 0; r < rounds; r++) {
      for (const p of paths) {
        const proxyPid = p.proxy?.controller.proxyPid();
        const before = cpuNow(backendPid, proxyPid);
        const w = await runWrk(p.url, { connections, seconds, host: p.host });
        const after = cpuNow(backendPid, proxyPid);
        const per = (k: 'backend' | 'proxy' | 'agent'): number => ((after[k] - before[k]) * 1e6) / w.requests;
        samples
          .get(p.name)
          ?.push({ ...w, cpuUs: { backend: per('backend'), proxy: per('proxy'), agent: per('agent') } });
        await sleep(200);
      }
    }
    const pid = withLog.controller.proxyPid();
    haproxyMiB = pid ? overTree(pid, (x) => procMemory(x).rssMiB) : 0;
  } finally {
    await stopIngress(withLog);
    await stopIngress(noLog);
    backend.kill('SIGTERM');
  }
  const directRuns = samples.get('direct (backend)') ?? [];
  const summary = [...samples]
    .filter(([, s]) => s.length > 0)
    .map(([name, s]) => ({
      name,
      rps: median(s.map((x) => x.rps)),
      // Each run against the direct run of its own round: slow drifts of the machine's load cancel.
      ratio: median(s.map((x, i) => x.rps / (directRuns[i]?.rps ?? NaN))),
      p50Ms: median(s.map((x) => x.p50Ms)),
      p99Ms: median(s.map((x) => x.p99Ms)),
      errors: s.reduce((a, x) => a + x.errors, 0),
      cpuUsPerRequest: {
        backend: median(s.map((x) => x.cpuUs.backend)),
        proxy: median(s.map((x) => x.cpuUs.proxy)),
        agent: median(s.map((x) => x.cpuUs.agent)),
      },
      runs: s.map((x) => Math.round(x.rps)),
    }));
  printTable(
    `ingress vs direct (wrk -t1 -c${connections} -d${seconds}s, backend work ${workUs} µs/req, ${rounds} rounds; median; ratio = median of per-round ratios)`,
    [
      'path',
      'req/s',
      'ratio',
      'p50 ms',
      'p99 ms',
      'errors',
      'cpu µs/req backend',
      'proxy',
      'agent',
      'runs req/s',
    ],
    summary.map((s) => [
      s.name,
      s.rps,
      fmt(s.ratio, 2),
      s.p50Ms,
      s.p99Ms,
      s.errors,
      fmt(s.cpuUsPerRequest.backend, 1),
      fmt(s.cpuUsPerRequest.proxy, 1),
      fmt(s.cpuUsPerRequest.agent, 1),
      s.runs.join(' '),
    ]),
  );
  process.stdout.write(`\nHAProxy RSS (master + workers): ${fmt(haproxyMiB, 1)} MiB\n`);
  const main = summary.find((s) => s.name === 'ingress http (access log)');
  const ingressRps = main?.rps ?? NaN;
  const directRps = summary[0]?.rps ?? NaN;
  const ratio = main?.ratio ?? NaN;
  const goals: Goal[] = [
    { goal: `ingress ≥ ${GOAL_RATIO} × direct`, value: `${fmt(ratio, 2)}×`, met: ratio >= GOAL_RATIO },
  ];
  printGoals(goals);
  writeResult('ingress', {
    connections,
    backendWorkUs: workUs,
    seconds,
    rounds,
    paths: summary,
    haproxyRssMiB: haproxyMiB,
    ratio,
    goals,
  });
  headline(
    `ingress: ${fmt(ingressRps)} req/s through HAProxy vs ${fmt(directRps)} req/s direct = ${fmt(ratio, 2)}× (goal ≥ ${GOAL_RATIO}×)`,
  );
}

/**
 * The node agent in a process of its own, for measuring its memory apart from the API server while
 * `k8ts agent` does not exist yet: a plain `node` process (no TypeScript loader, so nothing but the
 * agent's own code is loaded) that imports the built agent from dist/ and starts it the way
 * `k8ts server` starts its in-process agent (src/server/run.ts startLocalAgent): a node client
 * certificate from the cluster's PKI in the data dir, the kubelet serving certificate, the same
 * agent configuration. Run it beside a `k8ts server --disable-agent` on the same data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './server.js';

const SCRIPT = `
const [dataDir, port, nodeName, cgroupRoot, serviceCidr] = process.argv.slice(1);
const dist = process.env.K8TS_DIST;
const { holdYoungGenerationSmall } = await import(dist + '/util/heap.js');
const release = holdYoungGenerationSmall();
const { writeFile, mkdir } = await import('node:fs/promises');
const { startAgent } = await import(dist + '/agent/agent.js');
const { DEFAULT_AGENT_CONFIG } = await import(dist + '/agent/config.js');
const { clientFromKubeconfig } = await import(dist + '/client/http.js');
const { ensureClusterPki, userKubeconfig, KUBELET_CLIENT_USER } = await import(dist + '/pki/cluster.js');
const { issueKubeletServingCertificate } = await import(dist + '/pki/kubelet.js');
const pki = await ensureClusterPki({ dataDir, port: Number(port), tlsSans: [], serviceCidrs: [serviceCidr] });
await mkdir(dataDir + '/agent', { recursive: true, mode: 0o700 });
const kubeconfig = dataDir + '/agent/standalone.kubeconfig';
await writeFile(
  kubeconfig,
  await userKubeconfig(pki, { name: 'system:node:' + nodeName, groups: ['system:nodes'], port: Number(port) }),
  { mode: 0o600 },
);
const client = clientFromKubeconfig(kubeconfig, { component: 'kubelet' });
const agent = await startAgent(
  { ...DEFAULT_AGENT_CONFIG, dataDir, nodeName, cgroupRoot, kubeletPort: 0, controlPlane: false, nodeLabels: {}, nodeTaints: [] },
  {
    client,
    serviceCidr,
    kubeletTls: async (name, addresses) => {
      const issued = await issueKubeletServingCertificate(pki.serverCA, { nodeName: name, addresses });
      return { certPem: issued.certPem, keyPem: issued.keyPem, clientCaPem: pki.clientCA.certPem };
    },
    kubeletUsers: [KUBELET_CLIENT_USER],
  },
);
release();
process.stdout.write('agent ready\\n');
const v8 = await import('node:v8');
process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]));
  const snapshotDir = process.env.K8TS_HEAP_SNAPSHOT_DIR;
  const memory = process.memoryUsage();
  const snapshot = snapshotDir ? v8.writeHeapSnapshot(snapshotDir + '/agent-' + Date.now() + '.heapsnapshot') : undefined;
  process.stdout.write('HEAPSTATS ' + JSON.stringify({ memory, spaces, snapshot }) + '\\n');
});
const stop = async () => { await agent.stop(); client.close(); process.exit(0); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
`;

/** V8 heap figures of the standalone agent (bytes). */
export interface HeapStats {
  memory: NodeJS.MemoryUsage;
  spaces: Record<string, { size: number; used: number }>;
  /** A heap snapshot written after the figures were read (with `heapSnapshotDir`). */
  snapshot?: string;
}

/** A running standalone agent. */
export interface StandaloneAgent {
  pid: number;
  /** Asks the agent for its V8 heap figures (SIGUSR2). */
  heapStats(timeoutMs?: number): Promise<HeapStats>;
  /** What it printed (tail). */
  log(): string;
  /** SIGTERM, SIGKILL after 15 s. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the agent against the server on `port` (127.0.0.1); resolves once it runs pods. */
export async function startStandaloneAgent(opts: {
  dataDir: string;
  port: number;
  nodeName: string;
  cgroupRoot: string;
  serviceCidr: string;
  timeoutMs?: number;
  /** Also write a heap snapshot here each time {@link StandaloneAgent.heapStats} is asked. */
  heapSnapshotDir?: string;
  /** Flags for node itself (e.g. V8 heap limits). */
  nodeArgs?: string[];
}): Promise<StandaloneAgent> {
  const child = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      '--input-type=module',
      '-e',
      SCRIPT,
      opts.dataDir,
      String(opts.port),
      opts.nodeName,
      opts.cgroupRoot,
      opts.serviceCidr,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        K8TS_DIST: path.join(ROOT, 'dist'),
        ...(opts.heapSnapshotDir ? { K8TS_HEAP_SNAPSHOT_DIR: opts.heapSnapshotDir } : {}),
      },
    },
  );
  let out = '';
  let partial = '';
  const reports: HeapStats[] = [];
  const keep = (d: Buffer): void => {
    const text = d.toString();
    out += text;
    if (out.length > 200_000) out = out.slice(-100_000);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('HEAPSTATS ')) reports.push(JSON.parse(l.slice(10)) as HeapStats);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (!out.includes('agent ready\n')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the standalone agent exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`,
      );
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the standalone agent did not start in time:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const heapStats = async (timeoutMs = 60_000): Promise<HeapStats> => {
    const seen = reports.length;
    child.kill('SIGUSR2');
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = reports[seen];
      if (r) return r;
      if (Date.now() > end) throw new Error('the standalone agent did not report its heap');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { pid: child.pid ?? 0, log: () => out, stop, heapStats };
}

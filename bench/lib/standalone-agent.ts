/**
 * The node agent in a process of its own: the real `k8ts agent` (`node bin/k8ts.js agent …`, or
 * another build's with `bin`), run beside a `k8ts server --disable-agent` on the same data dir. Its
 * credentials are made here from the cluster's PKI in the data dir, as an operator would: a node
 * kubeconfig (`system:node:<name>` in `system:nodes`), and a kubelet serving certificate from the
 * server CA with the cluster's client CA, given through `--tls-cert-file` & co.
 *
 * For the V8 heap figures, node preloads a small module (`--import`, written next to the
 * credentials) that answers SIGUSR2 with a `HEAPSTATS {json}` line on stdout (and a heap snapshot
 * when asked); it adds nothing else to the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureClusterPki, userKubeconfig } from '../../src/pki/cluster.js';
import { issueKubeletServingCertificate } from '../../src/pki/kubelet.js';
import { launcherEnv, ROOT } from './server.js';

/** The preloaded module: heap figures (and a snapshot) on SIGUSR2. */
const HEAP_REPORTER = `
import v8 from 'node:v8';
process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  const memory = process.memoryUsage();
  const dir = process.env.K8TS_HEAP_SNAPSHOT_DIR;
  const snapshot = dir ? v8.writeHeapSnapshot(dir + '/agent-' + Date.now() + '.heapsnapshot') : undefined;
  process.stdout.write('HEAPSTATS ' + JSON.stringify({ memory, spaces, snapshot }) + '\\n');
});
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

/** Files `k8ts agent` is given: kubeconfig, kubelet serving certificate and key, client CA. */
async function agentCredentials(opts: {
  dataDir: string;
  port: number;
  nodeName: string;
  serviceCidr: string;
}): Promise<{ dir: string; kubeconfig: string; cert: string; key: string; clientCa: string }> {
  const pki = await ensureClusterPki({
    dataDir: opts.dataDir,
    port: opts.port,
    tlsSans: [],
    serviceCidrs: [opts.serviceCidr],
  });
  const dir = path.join(opts.dataDir, 'standalone-agent');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    dir,
    kubeconfig: path.join(dir, 'kubelet.kubeconfig'),
    cert: path.join(dir, 'kubelet.crt'),
    key: path.join(dir, 'kubelet.key'),
    clientCa: path.join(dir, 'client-ca.crt'),
  };
  const kubeconfig = await userKubeconfig(pki, {
    name: `system:node:${opts.nodeName}`,
    groups: ['system:nodes'],
    port: opts.port,
  });
  fs.writeFileSync(files.kubeconfig, kubeconfig, { mode: 0o600 });
  // The same addresses `k8ts agent` would ask for: its node IP (loopback in the bench host) and name.
  const issued = await issueKubeletServingCertificate(pki.serverCA, {
    nodeName: opts.nodeName,
    addresses: ['127.0.0.1', opts.nodeName],
  });
  fs.writeFileSync(files.cert, issued.certPem, { mode: 0o600 });
  fs.writeFileSync(files.key, issued.keyPem, { mode: 0o600 });
  fs.writeFileSync(files.clientCa, pki.clientCA.certPem, { mode: 0o600 });
  return files;
}

/** Starts `k8ts agent` against the server on `port` (127.0.0.1); resolves once it runs pods. */
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
  /** Another build's bin/k8ts.js (default: this tree's). */
  bin?: string;
}): Promise<StandaloneAgent> {
  const creds = await agentCredentials(opts);
  const reporter = path.join(creds.dir, 'heap-reporter.mjs');
  fs.writeFileSync(reporter, HEAP_REPORTER);
  const child = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      '--import',
      pathToFileURL(reporter).href,
      opts.bin ? path.resolve(opts.bin) : path.join(ROOT, 'bin', 'k8ts.js'),
      'agent',
      '--kubeconfig',
      creds.kubeconfig,
      '--data-dir',
      opts.dataDir,
      '--node-name',
      opts.nodeName,
      '--cgroup-root',
      opts.cgroupRoot,
      '--kubelet-port',
      '0',
      '--tls-cert-file',
      creds.cert,
      '--tls-private-key-file',
      creds.key,
      '--client-ca-file',
      creds.clientCa,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...launcherEnv(),
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
  while (!out.includes('k8ts agent is running')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`k8ts agent exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`k8ts agent did not start in time:\n${out.slice(-3000)}`);
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
      if (Date.now() > end) throw new Error('k8ts agent did not report its heap');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { pid: child.pid ?? 0, log: () => out, stop, heapStats };
}

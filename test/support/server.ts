/**
 * A real `k8ts server` for end-to-end tests: the built program (`node bin/k8ts.js server`, so run
 * `npm run build` first) as a child process on a free loopback port, with a temporary data dir, on
 * the embedded SQLite or on a given etcd. Waits for `/readyz`; stops by PID; can be killed with
 * SIGKILL and started again on the same data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterPkiPaths, ensureClusterPki, userKubeconfig } from '../../src/pki/cluster.js';
import { freePort, type TestEtcd } from '../../src/storage/testing/etcd.js';
import { ApiClient } from './api.js';

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(REPO_ROOT, 'bin', 'k8ts.js');
const BUILT = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Store state in this etcd instead of the embedded SQLite. */
  etcd?: TestEtcd;
  /** Extra `k8ts server` flags. */
  args?: string[];
  /** How long to wait for `/readyz` (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * Run the server's node agent too (default false: `--disable-agent`). Only inside a network
   * namespace the test run owns (see scripts/in-netns.sh): the agent's pod network is made there.
   */
  agent?: boolean;
  /** Called with the data dir before the first start (e.g. to put images into its airgap dir). */
  prepare?: (dataDir: string) => void;
}

/** A running (or stopped, restartable) test server. */
export interface TestServer {
  /** The HTTPS port on 127.0.0.1. */
  port: number;
  /** https://127.0.0.1:PORT */
  url: string;
  /** The server's --data-dir. */
  dataDir: string;
  /** The admin kubeconfig the server wrote. */
  kubeconfig: string;
  /** A scratch directory for the test's own files (manifests, user kubeconfigs), outside the data dir. */
  workDir: string;
  /** kubectl's discovery cache for this server (KUBECACHEDIR). */
  kubeCacheDir: string;
  /** The server process id (changes on restart). */
  pid: number;
  /** The etcd the server stores into, if any. */
  etcd: TestEtcd | undefined;
  /** HTTPS client with the admin's client certificate. */
  admin: ApiClient;
  /** What the server printed (tail). */
  log(): string;
  /** Writes a kubeconfig for a user with a fresh client certificate; returns its path. */
  userKubeconfig(name: string, groups?: string[]): Promise<string>;
  /** SIGKILL, no cleanup: the data dir stays for {@link TestServer.start}. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), no cleanup: the data dir stays for {@link TestServer.start}. */
  shutdown(): Promise<void>;
  /** Starts the server again on the same data dir and port; waits for `/readyz`. */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s) and removes the temporary directories. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every server this process started when it exits, so no server outlives a crashed worker. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
  live.delete(child);
}

class ServerProcess implements TestServer {
  port: number;
  url: string;
  readonly dataDir: string;
  readonly kubeconfig: string;
  readonly workDir: string;
  readonly kubeCacheDir: string;
  pid = 0;
  readonly etcd: TestEtcd | undefined;
  private adminClient: ApiClient | undefined;
  private child: ChildProcess | undefined;
  private output = '';
  private users = 0;

  constructor(
    private readonly root: string,
    port: number,
    private readonly opts: ServerOptions,
  ) {
    this.port = port;
    this.url = `https://127.0.0.1:${port}`;
    this.dataDir = path.join(root, 'data');
    this.workDir = path.join(root, 'work');
    this.kubeCacheDir = path.join(root, 'kube-cache');
    this.kubeconfig = clusterPkiPaths(this.dataDir).kubeconfig;
    this.etcd = opts.etcd;
    fs.mkdirSync(this.workDir, { recursive: true });
  }

  get admin(): ApiClient {
    if (!this.adminClient) {
      const p = clusterPkiPaths(this.dataDir);
      this.adminClient = new ApiClient({
        url: this.url,
        caFile: p.serverCaCert,
        certFile: p.adminCert,
        keyFile: p.adminKey,
      });
    }
    return this.adminClient;
  }

  log(): string {
    return this.output;
  }

  private args(): string[] {
    return [
      ENTRY,
      'server',
      '--data-dir',
      this.dataDir,
      '--bind-address',
      '127.0.0.1',
      '--https-port',
      String(this.port),
      ...(this.etcd ? ['--datastore-endpoint', this.etcd.endpoint] : []),
      ...(this.opts.agent ? [] : ['--disable-agent']),
      ...(this.opts.args ?? []),
    ];
  }

  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      throw new Error(`server pid ${this.pid} is still running`);
    }
    installExitHook();
    this.output += `\n--- start (port ${this.port}) ---\n`;
    const child = spawn(process.execPath, this.args(), {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    this.child = child;
    this.pid = child.pid ?? 0;
    live.add(child);
    child.once('exit', () => live.delete(child));
    const keep = (d: Buffer): void => {
      this.output += d.toString();
      if (this.output.length > 400_000) this.output = this.output.slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.waitReady(child, this.opts.readyTimeoutMs ?? 60_000);
  }

  private async waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `k8ts server exited during startup (${child.exitCode ?? child.signalCode}):\n${this.output.slice(-8000)}`,
        );
      }
      if (fs.existsSync(clusterPkiPaths(this.dataDir).adminKey)) {
        try {
          const res = await this.admin.request('GET', '/readyz', undefined, { timeoutMs: 2000 });
          if (res.status === 200) return;
          last = `HTTP ${res.status}: ${res.body.slice(0, 500)}`;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
          // A new PKI on first start: drop a client built before the files were complete.
          if (/certificate|self[- ]signed|key/i.test(last)) this.resetClient();
        }
      }
      if (Date.now() > deadline) {
        await terminate(child, 'SIGKILL', 0);
        throw new Error(
          `k8ts server was not ready after ${timeoutMs} ms (last /readyz: ${last}):\n${this.output.slice(-8000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private resetClient(): void {
    this.adminClient?.close();
    this.adminClient = undefined;
  }

  async userKubeconfig(name: string, groups: string[] = []): Promise<string> {
    // Same options as the server, so loading the PKI changes nothing on disk.
    const pki = await ensureClusterPki({ dataDir: this.dataDir, port: this.port });
    const yaml = await userKubeconfig(pki, { name, groups, port: this.port });
    const file = path.join(this.workDir, `kubeconfig-${name}-${++this.users}.yaml`);
    fs.writeFileSync(file, yaml, { mode: 0o600 });
    return file;
  }

  async kill(): Promise<void> {
    if (this.child) await terminate(this.child, 'SIGKILL', 0);
    this.resetClient();
  }

  async shutdown(): Promise<void> {
    if (this.child) await terminate(this.child, 'SIGTERM', 10_000);
    this.resetClient();
  }

  async stop(): Promise<void> {
    await this.shutdown();
    if (process.env['K8TS_E2E_KEEP'] === '1') {
      process.stderr.write(`K8TS_E2E_KEEP=1: kept ${this.root}\n`);
      return;
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** Moves a server whose first start lost its port to another process to a new port. */
  async movePort(): Promise<void> {
    this.port = await freePort();
    this.url = `https://127.0.0.1:${this.port}`;
    this.resetClient();
  }
}

/**
 * Starts a server with a fresh data dir on a free loopback port and waits until `/readyz` answers
 * 200. Stop it with `stop()` (in `afterAll`).
 */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  if (!fs.existsSync(BUILT)) {
    throw new Error(`${BUILT} is missing: run \`npm run build\` before the e2e tests`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-e2e-'));
  const server = new ServerProcess(root, await freePort(), opts);
  opts.prepare?.(server.dataDir);
  // The port is reserved then released before the server binds it: retry if another process took it.
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      return server;
    } catch (err) {
      const inUse = err instanceof Error && /EADDRINUSE/.test(err.message);
      if (!inUse || attempt >= 3) {
        await server.stop();
        throw err;
      }
      await server.movePort();
    }
  }
}

/**
 * A real, throwaway etcd for integration tests: one member on loopback with free ports and a temp
 * data dir, started as a child process and stopped by its PID. Needs /usr/bin/etcd (Debian's
 * etcd-server package); there is no silent skip when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The default etcd binary; override with K8TS_ETCD_BIN. */
export const ETCD_BINARY = process.env['K8TS_ETCD_BIN'] ?? '/usr/bin/etcd';

/** Serve clients over https with these files; clients must present a certificate signed by `caFile`. */
export interface TestEtcdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Client certificate and key for the health check. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** A running test etcd. */
export interface TestEtcd {
  /** Client URL, e.g. `http://127.0.0.1:43127`. */
  endpoint: string;
  dataDir: string;
  pid: number;
  /** What etcd printed so far (for failure messages). */
  output(): string;
  /** Stops etcd and starts it again on the same ports and data (the pid changes). */
  restart(): Promise<void>;
  /** Stops etcd (SIGTERM, then SIGKILL after 5 s) and removes its data dir. */
  stop(): Promise<void>;
}

/** Reserves a free loopback port by binding to port 0 and releasing it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('could not read the reserved port'));
      });
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function httpsGet(url: string, tls: TestEtcdTls): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: fs.readFileSync(tls.caFile),
        cert: fs.readFileSync(tls.clientCertFile),
        key: fs.readFileSync(tls.clientKeyFile),
        timeout: 1000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function healthy(endpoint: string, tls: TestEtcdTls | undefined): Promise<boolean> {
  try {
    const text = tls
      ? await httpsGet(`${endpoint}/health`, tls)
      : await (await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })).text();
    const body = JSON.parse(text) as { health?: unknown };
    return body.health === 'true' || body.health === true;
  } catch {
    // Not listening yet: the caller keeps polling until its deadline.
    return false;
  }
}

interface Layout {
  clientPort: number;
  peerPort: number;
  dataDir: string;
  tls: TestEtcdTls | undefined;
}

interface Running {
  child: ChildProcess;
  output: () => string;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited(child);
  clearTimeout(timer);
}

function endpointOf(l: Layout): string {
  return `${l.tls ? 'https' : 'http'}://127.0.0.1:${l.clientPort}`;
}

/** Runs etcd on a layout (fresh or existing data dir) until healthy. */
async function launch(l: Layout, timeoutMs: number): Promise<Running> {
  const endpoint = endpointOf(l);
  const peer = `http://127.0.0.1:${l.peerPort}`;
  const tls = l.tls;
  const child = spawn(
    ETCD_BINARY,
    [
      '--name',
      'default',
      '--data-dir',
      l.dataDir,
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `default=${peer}`,
      '--initial-cluster-state',
      'new',
      '--logger',
      'zap',
      '--log-level',
      'warn',
      ...(tls
        ? [
            '--cert-file',
            tls.certFile,
            '--key-file',
            tls.keyFile,
            '--trusted-ca-file',
            tls.caFile,
            '--client-cert-auth',
          ]
        : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`etcd exited during startup (${child.exitCode ?? child.signalCode}):\n${out}`);
    }
    if (await healthy(endpoint, tls)) return { child, output: () => out };
    if (Date.now() > deadline) {
      await kill(child);
      throw new Error(`etcd at ${endpoint} was not healthy after ${timeoutMs} ms:\n${out}`);
    }
    const failed = await Promise.race([spawnError, new Promise((r) => setTimeout(r, 50))]);
    if (failed instanceof Error) {
      await kill(child);
      throw new Error(`could not run ${ETCD_BINARY}: ${failed.message}`);
    }
  }
}

async function startOnce(timeoutMs: number, tls: TestEtcdTls | undefined): Promise<TestEtcd> {
  const layout: Layout = {
    clientPort: await freePort(),
    peerPort: await freePort(),
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-etcd-')),
    tls,
  };
  let running: Running;
  try {
    running = await launch(layout, timeoutMs);
  } catch (err) {
    fs.rmSync(layout.dataDir, { recursive: true, force: true });
    throw err;
  }
  const server: TestEtcd = {
    endpoint: endpointOf(layout),
    dataDir: layout.dataDir,
    pid: running.child.pid ?? 0,
    output: () => running.output(),
    async restart() {
      await kill(running.child);
      running = await launch(layout, timeoutMs);
      server.pid = running.child.pid ?? 0;
    },
    async stop() {
      await kill(running.child);
      fs.rmSync(layout.dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * Starts etcd and resolves once `/health` says so. Throws if the binary is missing (install it with
 * `apt-get install -y etcd-server`) or etcd does not become healthy in time.
 */
export async function startEtcd(opts: { timeoutMs?: number; tls?: TestEtcdTls } = {}): Promise<TestEtcd> {
  if (!fs.existsSync(ETCD_BINARY)) {
    throw new Error(
      `etcd is not installed at ${ETCD_BINARY}; the etcd integration tests need a real etcd ` +
        '(Debian: apt-get install -y etcd-server etcd-client, or set K8TS_ETCD_BIN)',
    );
  }
  let lastErr: unknown;
  // Ports are reserved then released, so another process may grab one in between: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts.timeoutMs ?? 20_000, opts.tls);
    } catch (err) {
      lastErr = err;
      if (!(err instanceof Error) || !/address already in use|bind/i.test(err.message)) throw err;
    }
  }
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}

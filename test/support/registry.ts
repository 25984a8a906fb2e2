/**
 * Test images and a real image registry on loopback for integration and e2e tests.
 *
 * - {@link ensureTestImages} builds the test image archives once per machine with
 *   `scripts/build-test-images.sh` (idempotent: a later call reuses them).
 * - {@link startRegistry} runs Debian's `docker-registry serve CONFIG` (the distribution registry) on
 *   127.0.0.1 and a free port, storing into a temp dir, optionally behind basic auth (an htpasswd
 *   file with a bcrypt hash); `push` copies an OCI archive into it with skopeo; `stop` stops it by PID
 *   and removes its storage.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { freePort } from '../../src/storage/testing/etcd.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The test image archives (OCI image-layout tars) and their names. */
export interface TestImages {
  /** `k8ts.local/busybox:1` (tag `1` inside the archive). */
  busybox: string;
}

/** The image names the archives carry. */
export const TEST_IMAGE_NAMES = { busybox: 'k8ts.local/busybox:1' } as const;

/** Where test images are built by default (shared by all test files of a run, and across runs). */
export const DEFAULT_TEST_IMAGES_DIR = path.join(os.tmpdir(), 'k8ts-test-images');

/** Builds the test images into `dir` unless they are up to date; returns their paths. */
export async function ensureTestImages(dir = DEFAULT_TEST_IMAGES_DIR): Promise<TestImages> {
  const script = path.join(REPO_ROOT, 'scripts', 'build-test-images.sh');
  try {
    await run('bash', [script, dir], { timeout: 120_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`building the test images failed: ${err.stderr?.trim() || err.message}`);
  }
  return { busybox: path.join(dir, 'busybox.tar') };
}

/** Basic-auth credentials a registry demands. */
export interface RegistryUser {
  username: string;
  password: string;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Require these credentials for every request (pull and push). */
  auth?: RegistryUser;
  /** How long to wait for `/v2/` to answer (default 20 s). */
  readyTimeoutMs?: number;
}

/** A running loopback registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`: the registry part of image names. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  pid: number;
  /** The credentials it demands, if any. */
  auth: RegistryUser | undefined;
  /**
   * Copies an image into the registry: `source` is a skopeo source (`oci-archive:FILE:TAG`,
   * `oci:DIR:TAG`), `repoTag` the destination in the registry (`busybox:1`, `library/busybox:1`).
   * Returns the full destination name (`127.0.0.1:PORT/busybox:1`).
   */
  push(source: string, repoTag: string): Promise<string>;
  /** What the registry printed (tail). */
  output(): string;
  /** Stops the registry (SIGTERM, SIGKILL after 5 s) and removes its storage. */
  stop(): Promise<void>;
}

/** One htpasswd line with a bcrypt hash (the only scheme the registry accepts). */
export function htpasswdLine(user: RegistryUser): string {
  return `${user.username}:${bcrypt.hashSync(user.password, 5)}\n`;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The HTTP status of GET url (rejects when nothing answers). */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Starts a registry on 127.0.0.1 and a free port; resolves once `/v2/` answers. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
  ];
  if (opts.auth) {
    const htpasswd = path.join(dir, 'htpasswd');
    fs.writeFileSync(htpasswd, htpasswdLine(opts.auth), { mode: 0o600 });
    config.push('auth:', '  htpasswd:', '    realm: k8ts-test', `    path: ${JSON.stringify(htpasswd)}`);
  }
  const configFile = path.join(dir, 'config.yml');
  fs.writeFileSync(configFile, config.join('\n') + '\n');

  let out = '';
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (c: Buffer): void => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new Error(`cannot start docker-registry: ${e.message}`))),
  );
  const pid = child.pid;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  let last = 'nothing';
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`docker-registry exited with code ${child.exitCode}: ${out.trim()}`);
      try {
        const status = await Promise.race([httpStatus(`http://${host}/v2/`), spawnError]);
        if (status === 200 || (opts.auth && status === 401)) break;
        last = `HTTP ${status}`;
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
        if (last.startsWith('cannot start docker-registry')) throw e;
      }
      if (Date.now() > deadline)
        throw new Error(
          `docker-registry on ${host} did not answer /v2/ in time (last: ${last}); output: ${out.trim()}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  if (pid === undefined) throw new Error('docker-registry has no pid');

  return {
    host,
    url: `http://${host}`,
    pid,
    auth: opts.auth,
    async push(source, repoTag) {
      const dest = `${host}/${repoTag}`;
      const args = ['copy', '--quiet', '--dest-tls-verify=false'];
      if (opts.auth) args.push('--dest-creds', `${opts.auth.username}:${opts.auth.password}`);
      args.push(source, `docker://${dest}`);
      try {
        await run('skopeo', args, { timeout: 60_000 });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`skopeo copy ${source} → ${dest} failed: ${err.stderr?.trim() || err.message}`);
      }
      return dest;
    },
    output: () => out,
    stop,
  };
}

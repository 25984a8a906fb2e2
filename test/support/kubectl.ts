/**
 * The real kubectl, run as a child process against a test server. `kubectl` on PATH may be a
 * version dispatcher; the minor versions sit beside the real binary as `kubectl.1.27` … `kubectl.1.33`
 * and are called by path so that a test knows which client it runs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { preview } from './poll.js';
import type { TestServer } from './server.js';

/** The kubectl versions that the acceptance tests run with. */
export const KUBECTL_VERSIONS = ['1.32', '1.27'] as const;

/** Minor version of kubectl, e.g. '1.32'. */
export type KubectlVersion = string;

let binDir: string | undefined;

/** The directory that holds the real kubectl and its versioned siblings. */
function kubectlDir(): string {
  if (binDir === undefined) {
    const onPath = execFileSync('bash', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    if (!onPath) throw new Error('kubectl is not on PATH');
    binDir = path.dirname(fs.realpathSync(onPath));
  }
  return binDir;
}

/** The binary of one minor version; throws when it is not installed. */
export function kubectlBinary(version: KubectlVersion = '1.32'): string {
  const file = path.join(kubectlDir(), `kubectl.${version}`);
  if (!fs.existsSync(file)) throw new Error(`kubectl ${version} is not installed (looked for ${file})`);
  return file;
}

/** What a kubectl run printed and how it ended. */
export interface KubectlResult {
  /** Exit code; null when the process was killed (e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of one kubectl run. */
export interface KubectlOptions {
  /** Minor version (default 1.32). */
  version?: KubectlVersion;
  /** Written to kubectl's standard input. */
  stdin?: string;
  /** Extra environment (e.g. EDITOR). */
  env?: Record<string, string>;
  /** Kubeconfig path; defaults to the server's admin kubeconfig. */
  kubeconfig?: string;
  /** Kill kubectl after this long (default 60 s). */
  timeoutMs?: number;
}

function environment(server: TestServer, opts: KubectlOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: opts.kubeconfig ?? server.kubeconfig,
    KUBECACHEDIR: server.kubeCacheDir,
    // No colours, no interactive prompts, no update checks.
    NO_COLOR: '1',
    KUBECTL_INTERACTIVE_DELETE: 'false',
    ...opts.env,
  };
}

/** Runs kubectl to completion. Never throws for a non-zero exit: check `code`. */
export function kubectl(
  server: TestServer,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  const child = spawn(kubectlBinary(opts.version), args, {
    env: environment(server, opts),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test harness: kubectl killed after ${opts.timeoutMs ?? 60_000} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Describes a run for a failure message. */
export function describeRun(args: string[], r: KubectlResult): string {
  return `kubectl ${args.join(' ')} → exit ${r.code}\nstdout: ${preview(r.stdout)}\nstderr: ${preview(r.stderr)}`;
}

/** Runs kubectl and throws (with its output) unless it exits 0; returns stdout. */
export async function kubectlOk(
  server: TestServer,
  args: string[],
  opts: KubectlOptions = {},
): Promise<string> {
  const r = await kubectl(server, args, opts);
  if (r.code !== 0) throw new Error(`expected success: ${describeRun(args, r)}`);
  return r.stdout;
}

/** Runs kubectl and throws unless it exits non-zero; returns the result. */
export async function kubectlFails(
  server: TestServer,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  const r = await kubectl(server, args, opts);
  if (r.code === 0 || r.code === null) throw new Error(`expected a non-zero exit: ${describeRun(args, r)}`);
  return r;
}

/** `kubectl … -o json` parsed. */
export async function kubectlJson<T = Record<string, unknown>>(
  server: TestServer,
  args: string[],
  opts: KubectlOptions = {},
): Promise<T> {
  const out = await kubectlOk(server, [...args, '-o', 'json'], opts);
  try {
    return JSON.parse(out) as T;
  } catch {
    throw new Error(`kubectl ${args.join(' ')} -o json printed no JSON: ${preview(out)}`);
  }
}

/** A long-running kubectl (e.g. `get --watch`) whose output can be awaited line by line. */
export interface KubectlStream {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout matches; fails with what was printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until stderr matches (e.g. the request log of `-v=6`). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once kubectl ends by itself. */
  exited: Promise<number | null>;
  /** Kills kubectl (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

/** Starts kubectl and returns at once. */
export function kubectlStream(server: TestServer, args: string[], opts: KubectlOptions = {}): KubectlStream {
  const child = spawn(kubectlBinary(opts.version), args, {
    env: environment(server, opts),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    notify();
  });
  // 'close' comes after the last output, unlike 'exit': only then can a wait give up.
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      closed = true;
      notify();
      resolve(code);
    }),
  );
  const waitOn = (text: () => string, which: string, pattern: RegExp, timeoutMs = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(text())) {
          done();
          resolve();
        } else if (closed) {
          done();
          reject(
            new Error(
              `kubectl ${args.join(' ')} ended before its ${which} matched ${pattern}: ${preview(out)} ${preview(err)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `kubectl ${args.join(' ')}: ${which} did not match ${pattern} within ${timeoutMs} ms; stdout: ${preview(out)}; stderr: ${preview(err)}`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  void exited.then(() => clearTimeout(killTimer));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs) => waitOn(() => out, 'stdout', pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs) => waitOn(() => err, 'stderr', pattern, timeoutMs),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

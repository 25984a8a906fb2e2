/**
 * Runs HAProxy as a child process in master-worker mode and swaps its configuration: every new
 * configuration goes into a fresh generation directory, is checked with `haproxy -c`, and only then
 * replaces the running one (SIGUSR2 to the master: new workers take the listening sockets over, old
 * ones finish their connections). A configuration that fails the check never reaches the data path.
 * The master is restarted with backoff when it dies. Its stdout is the access log's destination
 * (the agent's own stdout by default: HAProxy writes the lines itself, see access-log.ts); its
 * stderr (warnings, alerts, load results) is read and logged by the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Backoff } from '../../client/backoff.js';
import { LineSplitter } from '../../client/lines.js';
import type { Logger } from '../../util/log.js';
import type { AccessLogTarget } from './access-log.js';
import type { RenderOptions, RenderedConfig } from './haproxy-config.js';

/** Options of {@link HaproxyProcess}. */
export interface HaproxyProcessOptions {
  /** The haproxy binary (default `haproxy` on PATH). */
  binary?: string;
  /** Runtime directory (created 0700): configuration, certificates, admin socket. */
  dir: string;
  logger: Logger;
  /** HAProxy's stdout, where it writes the access log (default `{ fd: 1 }`, the agent's stdout). */
  accessLog?: AccessLogTarget;
  /** How long a start or reload may take before it counts as failed (default 15 s). */
  loadTimeoutMs?: number;
}

/** Result of one load (start or reload). */
type LoadResult = { ok: true } | { ok: false; error: string };

/** Runs `cmd args`; resolves with its exit code and combined output. */
function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => out.push(c));
    child.on('error', (err) => resolve({ code: -1, output: err.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, output: Buffer.concat(out).toString('utf8') }));
  });
}

/**
 * Opens the descriptor HAProxy gets as its stdout; `close` says whether the caller closes it after
 * the spawn. HAProxy makes its log descriptor non-blocking (a full pipe drops lines instead of
 * stalling requests), a flag of the open file description. The agent's stdout is non-blocking
 * already (pino opens it so and retries on EAGAIN), but so that neither side's flags depend on the
 * other, a pipe or terminal is opened again through /proc (a description of HAProxy's own, the same
 * pipe). A regular file or a socket (which /proc cannot open) is shared as it is.
 */
function openLogTarget(target: AccessLogTarget): { fd: number; close: boolean } {
  if ('path' in target) {
    return {
      fd: openSync(target.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600),
      close: true,
    };
  }
  try {
    const st = fstatSync(target.fd);
    if (st.isFIFO() || st.isCharacterDevice())
      return {
        fd: openSync(`/proc/self/fd/${target.fd}`, constants.O_WRONLY | constants.O_NONBLOCK),
        close: true,
      };
  } catch {
    // Not reopenable (no /proc, no reader): share the descriptor.
  }
  return { fd: target.fd, close: false };
}

/** One supervised HAProxy master. */
export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private generation = 0;
  private appliedHash = '';
  private stopping = false;
  private readonly backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });
  private restartTimer: NodeJS.Timeout | undefined;
  private loadWaiters: ((r: LoadResult) => void)[] = [];
  private readonly binary: string;
  private readonly log: Logger;

  constructor(private readonly opts: HaproxyProcessOptions) {
    this.binary = opts.binary ?? 'haproxy';
    this.log = opts.logger;
  }

  /** The stable paths a configuration refers to. */
  paths(): { config: string; socket: string; defaultCert: string } {
    return {
      config: path.join(this.opts.dir, 'haproxy.cfg'),
      socket: path.join(this.opts.dir, 'admin.sock'),
      defaultCert: path.join(this.opts.dir, 'default.pem'),
    };
  }

  /**
   * Creates the runtime directory, stops an HAProxy a previous run of this agent left behind (its PID
   * file names it, and its command line must name this directory's configuration), and writes the
   * default certificate.
   */
  async prepare(defaultCertPem: string): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    await this.stopLeftover();
    await writeFile(this.paths().defaultCert, defaultCertPem, { mode: 0o600 });
  }

  private pidFile(): string {
    return path.join(this.opts.dir, 'haproxy.pid');
  }

  private async stopLeftover(): Promise<void> {
    const text = await readFile(this.pidFile(), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(this.paths().config)) return;
    this.log.warn({ pid }, 'stopping the ingress proxy a previous agent run left running');
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(pid, 'SIGKILL');
    await rm(this.pidFile(), { force: true });
  }

  /** A fresh generation directory for the next configuration's files. */
  nextDir(): string {
    this.generation++;
    return path.join(this.opts.dir, `gen-${this.generation}`);
  }

  /** The render options for the next configuration (without the listen addresses). */
  nextRenderPaths(): Pick<RenderOptions, 'dir' | 'defaultCert' | 'socket'> {
    const p = this.paths();
    return { dir: this.nextDir(), defaultCert: p.defaultCert, socket: p.socket };
  }

  /**
   * Checks `rendered` (whose files belong in `dir`) and makes it the running configuration. Resolves
   * false (with the reason logged) when the check or the load fails; the previous one keeps running.
   */
  async apply(rendered: RenderedConfig, dir: string): Promise<boolean> {
    const hash = createHash('sha256');
    hash.update(rendered.config.split(dir).join('<dir>'));
    for (const [name, content] of [...rendered.files].sort()) hash.update(`\0${name}\0${content}`);
    const digest = hash.digest('hex');
    if (digest === this.appliedHash && this.child) {
      await rm(dir, { recursive: true, force: true });
      return true;
    }
    await mkdir(path.join(dir, 'certs'), { recursive: true, mode: 0o700 });
    for (const [name, content] of rendered.files) {
      await writeFile(path.join(dir, name), content, { mode: 0o600 });
    }
    const candidate = path.join(dir, 'haproxy.cfg');
    await writeFile(candidate, rendered.config, { mode: 0o600 });
    const check = await run(this.binary, ['-c', '-q', '-f', candidate]);
    if (check.code === -1) {
      this.log.error(
        { binary: this.binary, error: check.output.trim() },
        'cannot run haproxy, which serves Ingresses (install the Debian package haproxy)',
      );
      return false;
    }
    if (check.code !== 0) {
      this.log.error(
        { output: check.output.trim() },
        'ingress proxy configuration refused by haproxy -c; keeping the running one',
      );
      return false;
    }
    await rename(candidate, this.paths().config);
    const result = this.child ? await this.reload() : await this.spawnMaster();
    if (!result.ok) {
      this.log.error({ error: result.error }, 'ingress proxy failed to load its configuration');
      return false;
    }
    this.appliedHash = digest;
    await this.removeOldGenerations(path.basename(dir));
    return true;
  }

  private async removeOldGenerations(keep: string): Promise<void> {
    const entries = await readdir(this.opts.dir).catch(() => [] as string[]);
    for (const e of entries) {
      if (e.startsWith('gen-') && e !== keep)
        await rm(path.join(this.opts.dir, e), { recursive: true, force: true });
    }
  }

  private waitForLoad(): Promise<LoadResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.loadWaiters = this.loadWaiters.filter((w) => w !== done);
        resolve({ ok: false, error: 'timed out waiting for haproxy to load its configuration' });
      }, this.opts.loadTimeoutMs ?? 15_000);
      const done = (r: LoadResult): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.loadWaiters.push(done);
    });
  }

  private settleLoad(r: LoadResult): void {
    const waiters = this.loadWaiters;
    this.loadWaiters = [];
    for (const w of waiters) w(r);
  }

  private reload(): Promise<LoadResult> {
    const loaded = this.waitForLoad();
    this.child?.kill('SIGUSR2');
    return loaded;
  }

  private spawnMaster(): Promise<LoadResult> {
    const loaded = this.waitForLoad();
    let out: { fd: number; close: boolean } | undefined;
    try {
      out = openLogTarget(this.opts.accessLog ?? { fd: 1 });
    } catch (err) {
      this.log.warn({ err }, 'cannot open the ingress access log; HAProxy writes none');
    }
    const child = spawn(this.binary, ['-W', '-db', '-f', this.paths().config], {
      stdio: ['ignore', out?.fd ?? 'ignore', 'pipe'],
    });
    if (out?.close) closeSync(out.fd);
    this.child = child;
    this.log.info({ pid: child.pid }, 'ingress proxy (haproxy) started');
    if (child.pid !== undefined)
      writeFile(this.pidFile(), `${child.pid}\n`, { mode: 0o600 }).catch((err: unknown) =>
        this.log.warn({ err }, 'could not write the ingress proxy PID file'),
      );
    const err = new LineSplitter();
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of err.push(chunk)) this.onStderr(line);
    });
    child.on('error', (e) => {
      this.settleLoad({ ok: false, error: e.message });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      this.appliedHash = '';
      this.settleLoad({
        ok: false,
        error: `haproxy exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`,
      });
      if (this.stopping) return;
      const delay = this.backoff.next();
      this.log.error({ code, signal, restartInMs: delay }, 'ingress proxy (haproxy) exited; restarting');
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.stopping || this.child) return;
        void this.spawnMaster().then((r) => {
          if (r.ok) {
            this.backoff.reset();
            this.onRestart?.();
          }
        });
      }, delay);
    });
    return loaded;
  }

  private onStderr(line: string): void {
    if (line.includes('Loading success')) {
      this.backoff.reset();
      this.settleLoad({ ok: true });
    } else if (line.includes('Loading failure') || line.includes('Reloading failure')) {
      this.settleLoad({ ok: false, error: line });
    }
    if (line.startsWith('[ALERT]') && !this.stopping && !line.includes('has no server available'))
      this.log.error({ line }, 'haproxy');
    else if (line.startsWith('[WARNING]')) this.log.debug({ line }, 'haproxy');
    else this.log.debug({ line }, 'haproxy');
  }

  /**
   * Runs admin-socket commands (one connection, `;`-separated) and resolves with the answer; rejects
   * when the socket cannot be reached or a command is refused.
   */
  runtime(commands: readonly string[]): Promise<string> {
    if (commands.length === 0) return Promise.resolve('');
    return new Promise((resolve, reject) => {
      const sock = connect(this.paths().socket);
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => sock.destroy(new Error('admin socket timed out')), 5000);
      sock.on('connect', () => sock.end(`${commands.join(';')}\n`));
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.on('close', () => {
        clearTimeout(timer);
        const answer = Buffer.concat(chunks).toString('utf8');
        if (/No such|Unknown command|Require |Invalid|not found|failed/i.test(answer))
          reject(new Error(`haproxy admin socket: ${answer.trim()}`));
        else resolve(answer);
      });
    });
  }

  /** Forgets which configuration runs (after runtime changes): the next {@link apply} reloads. */
  invalidate(): void {
    this.appliedHash = '';
  }

  /** Called after HAProxy restarted from its configuration file (its runtime changes are lost). */
  onRestart: (() => void) | undefined;

  /** PID of the HAProxy master, while it runs. */
  pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while a master runs. */
  running(): boolean {
    return this.child !== undefined;
  }

  /** Stops the master (and with it the workers), by its PID; SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    const recorded = await readFile(this.pidFile(), 'utf8').catch(() => '');
    if (recorded.trim() === String(child.pid)) await rm(this.pidFile(), { force: true });
  }
}

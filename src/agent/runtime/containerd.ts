/**
 * Runs containerd as a child process of the agent: writes its config, starts
 * `containerd --config FILE`, logs its output through our logger, waits until its CRI socket answers
 * Version, restarts it with backoff when it dies (running containers survive: their shims keep them),
 * and stops it by PID. A containerd left behind by an agent that was killed is found through the PID
 * file and stopped before a new one starts (it would hold the metadata database lock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import readline from 'node:readline';
import { componentLogger, type Logger } from '../../util/log.js';
import { connectCri, CriCode, isCriError, type CriConnection } from '../cri/client.js';
import {
  containerdEnv,
  writeContainerdConfig,
  containerdPaths,
  type ContainerdConfigOptions,
  type ContainerdPaths,
} from './config.js';
import { effectiveLevel, loggerLevel, parseContainerdLog } from './logfmt.js';

/** Restart pacing of a dying containerd. */
export interface RestartBackoff {
  /** First delay (default 500 ms). */
  initialMs: number;
  /** Largest delay (default 30 s). */
  maxMs: number;
  /** A run at least this long resets the delay to the first one (default 60 s). */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = {
  initialMs: 500,
  maxMs: 30_000,
  resetAfterMs: 60_000,
};

/** The delay before restart number `failures` (1-based count of consecutive short runs). */
export function restartDelay(failures: number, backoff: RestartBackoff = DEFAULT_RESTART_BACKOFF): number {
  const exp = Math.max(0, failures - 1);
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exp, 30));
}

/** Options of {@link Containerd}. */
export interface ContainerdOptions extends ContainerdConfigOptions {
  /** The containerd binary (default `containerd` from PATH). */
  binary?: string;
  /**
   * Words put before the command, e.g. `['nsenter', '--net=/run/netns/h1', '--']` to run it in a test
   * host's network namespace. The prefix must exec containerd (keep its PID).
   */
  commandPrefix?: string[];
  /** Environment of the process (default: the agent's, see {@link containerdEnv}). */
  env?: NodeJS.ProcessEnv;
  /** Logger (default: the `containerd` component logger). */
  logger?: Logger;
  /** How long a start may take to answer Version (default 60 s). */
  readyTimeoutMs?: number;
  /** SIGTERM to SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  restartBackoff?: Partial<RestartBackoff>;
}

/** How a containerd process ended. */
export interface ContainerdExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

const TAIL_LINES = 60;
const RESERVED_LOG_KEYS = new Set(['pid', 'time', 'level', 'msg', 'component', 'hostname', 'err']);

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A supervised containerd. Events: `ready` (each time it answers after a start or restart),
 * `exit` ({@link ContainerdExit}, each time the process ends).
 */
export class Containerd extends EventEmitter {
  /** Config, root, state, socket and PID file. */
  readonly paths: ContainerdPaths;
  /** The CRI endpoint for {@link connectCri}: `unix:///…/containerd.sock`. */
  readonly endpoint: string;
  /** How many times the supervisor restarted containerd after it died. */
  restarts = 0;

  private readonly opts: ContainerdOptions;
  private readonly log: Logger;
  private readonly backoff: RestartBackoff;
  private child: ChildProcess | undefined;
  private childExited: Promise<ContainerdExit> | undefined;
  private startedAt = 0;
  private failures = 0;
  private stopping = false;
  /** True once the first start succeeded: from then on a dying containerd is restarted. */
  private supervising = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private probe: CriConnection | undefined;
  private readonly tail: string[] = [];
  /** Counts spawns, so a readiness wait can tell that its process is gone. */
  private generation = 0;

  constructor(opts: ContainerdOptions) {
    super();
    this.opts = opts;
    this.paths = containerdPaths(opts.dataDir);
    this.endpoint = `unix://${this.paths.socket}`;
    this.log = opts.logger ?? componentLogger('containerd');
    this.backoff = { ...DEFAULT_RESTART_BACKOFF, ...opts.restartBackoff };
  }

  /** PID of the running containerd, if any. */
  get pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null
      ? this.child.pid
      : undefined;
  }

  /** The last lines containerd printed. */
  logTail(): string[] {
    return [...this.tail];
  }

  /**
   * Writes the config, stops an orphaned containerd of the same data dir, starts containerd and waits
   * until its CRI answers. Rejects (with containerd's last output) if it exits or hangs first.
   */
  async start(): Promise<void> {
    if (this.child) throw new Error('containerd is already started');
    this.stopping = false;
    writeContainerdConfig(this.opts);
    await this.stopOrphan();
    const exited = this.spawnChild();
    const readyTimeout = this.opts.readyTimeoutMs ?? 60_000;
    const outcome = await Promise.race([
      this.waitReady(readyTimeout, this.generation).then(
        () => ({ ok: true as const }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
      exited.then((exit) => ({ ok: false as const, exit })),
    ]);
    if (outcome.ok) {
      this.supervising = true;
      this.emit('ready');
      return;
    }
    this.stopping = true;
    await this.stopChild();
    this.child = undefined;
    this.childExited = undefined;
    const why =
      'exit' in outcome
        ? `exited (code ${outcome.exit.code}, signal ${outcome.exit.signal}) before it answered`
        : `did not answer within ${readyTimeout} ms (${outcome.err instanceof Error ? outcome.err.message : String(outcome.err)})`;
    throw new Error(`containerd ${why}; last output:\n${this.tail.slice(-20).join('\n')}`);
  }

  /**
   * Resolves once containerd answers CRI Version; rejects after `timeoutMs` with the last error, or
   * at once when the supervisor stops (or, given a spawn `generation`, when that process is gone).
   */
  async waitReady(timeoutMs = 30_000, generation?: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      if (this.stopping) throw new Error('containerd is being stopped');
      if (generation !== undefined && (generation !== this.generation || this.pid === undefined)) {
        throw new Error('containerd exited before it answered');
      }
      this.probe ??= connectCri(this.endpoint, { timeoutMs: 2000 });
      try {
        await this.probe.runtime.version(
          { version: 'v1' },
          { timeoutMs: Math.min(2000, Math.max(100, deadline - Date.now())) },
        );
        return;
      } catch (err) {
        last = err;
        // The socket answers but without CRI: the plugin failed to load and will not come later.
        if (isCriError(err, CriCode.UNIMPLEMENTED)) {
          const why = this.tail.filter(
            (l) => l.includes('io.containerd.grpc.v1.cri') && /level=(warning|error)/.test(l),
          );
          throw new Error(`containerd runs without its CRI plugin: ${why.at(-1) ?? err.message}`);
        }
      }
      if (Date.now() >= deadline) break;
      await delay(100);
    }
    throw new Error(`containerd CRI not ready: ${last instanceof Error ? last.message : String(last)}`);
  }

  /** Stops containerd (SIGTERM, SIGKILL after the stop timeout) and any pending restart. Containers keep running. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.stopChild();
    this.child = undefined;
    this.childExited = undefined;
    this.supervising = false;
    this.probe?.close();
    this.probe = undefined;
    fs.rmSync(this.paths.pidFile, { force: true });
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    const exited = this.childExited;
    if (!child || !exited) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = this.opts.stopTimeoutMs ?? 10_000;
      // The timer must not outlive a quick exit: it would hold the process open for `timeout`.
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeout))),
      ]);
      clearTimeout(timer);
      if (!done) {
        this.log.warn(
          { containerdPid: child.pid, timeoutMs: timeout },
          'containerd did not stop after SIGTERM; sending SIGKILL',
        );
        child.kill('SIGKILL');
        await exited;
      }
    } else {
      await exited;
    }
  }

  /** Stops a containerd of this data dir that an earlier agent process left running. */
  private async stopOrphan(): Promise<void> {
    let pid: number;
    try {
      pid = Number.parseInt(fs.readFileSync(this.paths.pidFile, 'utf8').trim(), 10);
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
    const args = cmdline(pid);
    if (!args.some((a) => a.endsWith('containerd')) || !args.includes(this.paths.configFile)) return;
    this.log.warn({ containerdPid: pid }, 'stopping a containerd left running by an earlier agent');
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + (this.opts.stopTimeoutMs ?? 10_000);
    while (alive(pid) && Date.now() < deadline) await delay(50);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    while (alive(pid)) await delay(20);
  }

  private spawnChild(): Promise<ContainerdExit> {
    const prefix = this.opts.commandPrefix ?? [];
    const argv = [...prefix, this.opts.binary ?? 'containerd', '--config', this.paths.configFile];
    const [command, ...args] = argv as [string, ...string[]];
    this.generation++;
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.opts.env ?? containerdEnv(),
    });
    this.child = child;
    this.startedAt = Date.now();
    const exited = new Promise<ContainerdExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ pid: child.pid ?? 0, code, signal }));
      child.once('error', (err) => {
        this.record(`spawn ${command}: ${err.message}`);
        resolve({ pid: child.pid ?? 0, code: null, signal: null });
      });
    });
    this.childExited = exited;
    if (child.pid !== undefined) fs.writeFileSync(this.paths.pidFile, `${child.pid}\n`);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) readline.createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    this.log.info({ containerdPid: child.pid, config: this.paths.configFile }, 'started containerd');
    void exited.then((exit) => this.onExit(child, exit));
    return exited;
  }

  private record(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private onLine(line: string): void {
    this.record(line);
    // Most lines would be dropped by our logger's level: do not parse those.
    const level = loggerLevel(effectiveLevel(line));
    if (!this.log.isLevelEnabled(level)) return;
    const parsed = parseContainerdLog(line);
    const fields: Record<string, string> = { containerdLevel: parsed.level };
    for (const [key, value] of Object.entries(parsed.fields)) {
      // keep our logger's own keys (pid, time, level, msg, component) unambiguous
      fields[RESERVED_LOG_KEYS.has(key) ? `containerd_${key}` : key] = value;
    }
    this.log[level](fields, parsed.msg);
  }

  private onExit(child: ChildProcess, exit: ContainerdExit): void {
    this.emit('exit', exit);
    if (this.child !== child) return;
    if (this.stopping || !this.supervising) {
      this.log.info({ containerdPid: exit.pid, code: exit.code, signal: exit.signal }, 'containerd stopped');
      return;
    }
    const ranMs = Date.now() - this.startedAt;
    this.failures = ranMs >= this.backoff.resetAfterMs ? 1 : this.failures + 1;
    const wait = restartDelay(this.failures, this.backoff);
    this.log.error(
      {
        containerdPid: exit.pid,
        code: exit.code,
        signal: exit.signal,
        ranMs,
        restartInMs: wait,
        lastOutput: this.tail.slice(-5),
      },
      'containerd exited unexpectedly; restarting it',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      // A fresh probe channel dials at once instead of waiting out the old one's reconnect backoff.
      this.probe?.close();
      this.probe = undefined;
      void this.spawnChild();
      const generation = this.generation;
      const timeout = this.opts.readyTimeoutMs ?? 60_000;
      this.waitReady(timeout, generation).then(
        () => {
          if (this.stopping) return;
          this.log.info({ containerdPid: this.pid, restarts: this.restarts }, 'containerd is ready again');
          this.emit('ready');
        },
        (err: unknown) => {
          // stopped, or died again (its exit schedules the next restart)
          if (this.stopping || generation !== this.generation || this.pid === undefined) return;
          this.log.error(
            { err, containerdPid: this.pid },
            'restarted containerd does not answer; killing it to retry',
          );
          this.child?.kill('SIGKILL');
        },
      );
    }, wait);
  }
}

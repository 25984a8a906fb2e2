/**
 * Runs short host commands (mount, umount) through one long-lived `/bin/sh` child instead of a new
 * child process per command.
 *
 * Why: starting a child from Node forks the whole Node process, and the fork copies its page tables
 * on the event loop's thread. For an agent that shares its process with the API server (~100 MiB and
 * more) that blocks every request for ~10 ms to several tens of ms per command, and a pod start or
 * removal needs one mount or unmount each. The shell is small, so its own forks are cheap; the Node
 * process forks once, when the helper starts.
 *
 * Protocol on the shell's stdin: an id line, then the command line with every argument single-quoted;
 * the shell evaluates it with stdin from /dev/null and stdout+stderr captured, and answers
 * `<id> <exit status> <byte length>\n<output>`. Commands run one at a time, in order.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** What a command run through the helper returned. */
export interface HelperResult {
  /** Exit status (126/127: could not be run). */
  code: number;
  /** stdout and stderr together, trailing newlines removed. */
  output: string;
}

const SCRIPT = [
  'while IFS= read -r id && IFS= read -r cmd; do',
  '  out=$(eval "$cmd" 2>&1 </dev/null)',
  '  rc=$?',
  `  printf '%s %s %s\\n%s' "$id" "$rc" "\${#out}" "$out"`,
  'done',
].join('\n');

/** Quotes one argument for the shell (single quotes; a quote becomes '\''). */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command that did not finish in time (the helper was restarted). */
export class ShellHelperTimeout extends Error {}

interface Pending {
  resolve(r: HelperResult): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** A long-lived shell that runs commands for the agent; restarted when it dies. */
export class ShellHelper {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly opts: { shell?: string; timeoutMs?: number } = {}) {}

  /**
   * Runs `command args…`; resolves with its exit status and output. Rejects when the helper cannot
   * run it (no shell, arguments with newlines), and with {@link ShellHelperTimeout} after the timeout
   * (the commands queued behind it fail the same way).
   */
  run(command: string, args: string[]): Promise<HelperResult> {
    const words = [command, ...args];
    if (words.some((w) => /[\n\0]/.test(w)))
      return Promise.reject(new Error('arguments with newlines cannot go through the shell helper'));
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise<HelperResult>((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        // A hung command holds up every later one: start over with a new shell.
        this.fail(new ShellHelperTimeout(`${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.setRef(true);
      child.stdin.write(`${id}\n${words.map(shellQuote).join(' ')}\n`);
    });
  }

  /** Stops the shell; pending commands fail. */
  close(): void {
    this.fail(new Error('shell helper closed'));
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.opts.shell ?? '/bin/sh', ['-c', SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    child.stdout.on('data', (d: Buffer) => {
      if (this.child === child) this.onData(d);
    });
    child.stderr.on('data', () => undefined);
    child.stdin.on('error', () => undefined);
    child.once('error', (err) => {
      if (this.child === child) this.fail(new Error(`shell helper: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.fail(new Error(`shell helper exited (${code ?? signal})`));
    });
    return child;
  }

  private onData(d: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, d]) : d;
    for (;;) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const [idText, rcText, lenText] = this.buffer.subarray(0, nl).toString('latin1').split(' ');
      const len = Number(lenText);
      if (this.buffer.length < nl + 1 + len) return;
      const output = this.buffer.subarray(nl + 1, nl + 1 + len).toString('utf8');
      this.buffer = this.buffer.subarray(nl + 1 + len);
      const p = this.pending.get(Number(idText));
      if (!p) continue;
      this.pending.delete(Number(idText));
      clearTimeout(p.timer);
      p.resolve({ code: Number(rcText), output });
      if (this.pending.size === 0) this.setRef(false);
    }
  }

  /** Keeps the process alive only while commands are in flight. */
  private setRef(on: boolean): void {
    const c = this.child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout, c.stderr] as { ref?(): void; unref?(): void }[]) {
      if (on) h.ref?.();
      else h.unref?.();
    }
  }

  private fail(err: Error): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

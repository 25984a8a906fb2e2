/**
 * Runs containerd's `ctr` client against one containerd socket and namespace. Used for image import
 * only (the pod lifecycle goes through CRI): `ctr images import` is containerd's own archive importer.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Where and how to reach containerd. */
export interface CtrOptions {
  /** containerd's gRPC socket (`<data-dir>/agent/containerd/containerd.sock`). */
  socket: string;
  /** containerd namespace; CRI uses `k8s.io`. */
  namespace?: string;
  /** The `ctr` program (default: `ctr` on PATH). */
  ctrPath?: string;
  /** Kill ctr after this long (default 10 minutes: large archives take time to unpack). */
  timeoutMs?: number;
}

/** CRI's containerd namespace. */
export const CRI_NAMESPACE = 'k8s.io';

/** A failed `ctr` run; `message` is one readable line. */
export class CtrError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'CtrError';
  }
}

/** The most telling line of ctr's error output, without its `ctr: ` prefix. */
export function ctrErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line = [...lines].reverse().find((l) => l.startsWith('ctr: ')) ?? lines[lines.length - 1];
  return (line ?? '').replace(/^ctr: /, '');
}

/**
 * Runs `ctr -a SOCKET -n NAMESPACE ARGS…`, feeding `input` to its stdin when given, and resolves to
 * its stdout. Rejects with a {@link CtrError} on a non-zero exit, a missing program or the timeout.
 */
export async function runCtr(opts: CtrOptions, args: string[], input?: Readable): Promise<string> {
  const ctr = opts.ctrPath ?? 'ctr';
  const argv = ['-a', opts.socket, '-n', opts.namespace ?? CRI_NAMESPACE, '--connect-timeout', '5s', ...args];
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  return new Promise<string>((resolve, reject) => {
    const child = spawn(ctr, argv, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: CtrError | undefined;
    const timer = setTimeout(() => {
      failure = new CtrError(`ctr ${args.slice(0, 2).join(' ')} timed out after ${timeoutMs} ms`, '', null);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    if (input && child.stdin) {
      const stdin = child.stdin;
      // ctr may exit early (bad archive): its closed stdin must not crash us; its exit code reports it.
      stdin.on('error', () => undefined);
      input.on('error', (e: Error) => {
        failure ??= new CtrError(e.message, '', null);
        stdin.destroy();
        child.kill('SIGKILL');
      });
      input.pipe(stdin);
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === 'ENOENT'
          ? new CtrError(`cannot run ${ctr}: not found (install containerd, which ships ctr)`, '', null)
          : new CtrError(`cannot run ${ctr}: ${e.message}`, '', null),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Whatever ctr did not read (it failed early) is not needed: release the file or decompressor.
      input?.destroy();
      const stderr = Buffer.concat(err).toString();
      if (failure) reject(failure);
      else if (code !== 0)
        reject(new CtrError(ctrErrorLine(stderr) || `ctr exited with code ${code}`, stderr, code));
      else resolve(Buffer.concat(out).toString());
    });
  });
}

/** The names of the images containerd holds in the namespace. */
export async function listImageNames(opts: CtrOptions): Promise<string[]> {
  const out = await runCtr(opts, ['images', 'ls', '-q']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

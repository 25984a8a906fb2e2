/**
 * Applies nft text to the kernel: one `nft -f -` process per transaction, the text on its stdin. nft
 * commits a file as one netlink batch, so a transaction either applies entirely or not at all.
 */
import { spawn } from 'node:child_process';

/** Runs one nft transaction; rejects (with nft's own message) when it was refused. */
export type NftRunner = (script: string) => Promise<void>;

/** The error of a refused transaction: nft's message, with the offending lines. */
export class NftError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'NftError';
  }
}

/**
 * A runner that spawns `argv` (default `['nft']`) with `-f -`. Tests and benchmarks prefix it to run in
 * a namespace: `['nsenter', '--net=/run/netns/x', 'nft']`.
 */
export function nftRunner(argv: readonly string[] = ['nft'], timeoutMs = 60_000): NftRunner {
  const [cmd, ...pre] = argv;
  if (!cmd) throw new Error('nft command is empty');
  return (script) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, [...pre, '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 64_000) stderr += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else {
          const first = stderr.split('\n').find((l) => l.trim()) ?? '';
          reject(new NftError(`nft -f exited ${code ?? signal}: ${first}`, stderr));
        }
      });
      child.stdin.on('error', () => undefined); // nft may exit before reading everything
      child.stdin.end(script);
    });
}

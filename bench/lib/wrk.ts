/**
 * Runs the Debian `wrk` load generator as a child process (without blocking the event loop) and
 * parses its summary: requests/s, p50/p99 latency (`--latency`) and errors (non-2xx/3xx answers plus
 * socket errors).
 */
import { spawn } from 'node:child_process';

/** The figures of one wrk run. */
export interface WrkResult {
  rps: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** One of wrk's durations (`812.00us`, `1.20ms`, `2.01s`) in milliseconds. */
export function wrkMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m || !m[1]) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/** Parses wrk's printed summary. */
export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50Ms = wrkMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99Ms = wrkMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  return { rps, requests, p50Ms, p99Ms, errors: non2xx + sockErrors };
}

/** Options of {@link runWrk}. */
export interface WrkOptions {
  connections: number;
  seconds: number;
  threads?: number;
  /** Sent as the Host header (Ingress routing). */
  host?: string;
  /** Run wrk in this network namespace (`nsenter --net=PATH`, e.g. a pod's /proc/PID/ns/net). */
  netns?: string;
}

/** Runs `wrk --latency` against `url` and returns its figures; throws when wrk fails. */
export async function runWrk(url: string, o: WrkOptions): Promise<WrkResult> {
  const args = [`-t${o.threads ?? 1}`, `-c${o.connections}`, `-d${o.seconds}s`, '--latency'];
  if (o.host) args.push('-H', `Host: ${o.host}`);
  const [cmd, argv] = o.netns
    ? ['nsenter', [`--net=${o.netns}`, '--', 'wrk', ...args, url]]
    : ['wrk', [...args, url]];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  const errs: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => errs.push(c));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`wrk: ${e.message} (install the Debian package wrk)`)));
    child.on('close', (c) => resolve(c ?? -1));
  });
  if (code !== 0) throw new Error(`wrk exited ${code}: ${Buffer.concat(errs).toString('utf8')}`);
  return parseWrk(Buffer.concat(chunks).toString('utf8'));
}

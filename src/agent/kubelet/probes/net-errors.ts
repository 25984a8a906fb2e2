/**
 * Network failures worded as upstream's kubelet (a Go program) words them, so probe and hook
 * messages read the same on k8ts as on any cluster: `dial tcp 10.42.0.5:8080: connect: connection
 * refused`, `dial tcp 10.42.0.5:8080: i/o timeout` …
 */
import { isIP } from 'node:net';

/** `host:port`, with brackets around an IPv6 host (Go's net.JoinHostPort). */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A string quoted as Go's `%q` prints it (close enough for messages: JSON escaping). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Seconds as Go prints a time.Duration: `1s`, `1m30s`. */
export function goSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m < 60) return `${m}m${s}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s}s`;
}

/** The errno code of a Node error, if it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Where a failed connection was going and coming from, when known. */
export interface ConnAddrs {
  /** The address dialled, as `host:port` (resolved when the error says so). */
  remote: string;
  /** The requested host (for lookup failures). */
  host: string;
  /** The local end, as `ip:port`, once connected. */
  local?: string;
}

/** The Go error text of a failed TCP dial or read, from a Node socket error. */
export function goNetError(err: unknown, addrs: ConnAddrs): string {
  const code = errnoCode(err);
  const e = err as { address?: unknown; port?: unknown };
  const remote =
    typeof e.address === 'string' && typeof e.port === 'number'
      ? joinHostPort(e.address, e.port)
      : addrs.remote;
  const dial = (what: string): string => `dial tcp ${remote}: connect: ${what}`;
  switch (code) {
    case 'ECONNREFUSED':
      return dial('connection refused');
    case 'EHOSTUNREACH':
      return dial('no route to host');
    case 'ENETUNREACH':
      return dial('network is unreachable');
    case 'EADDRNOTAVAIL':
      return dial('cannot assign requested address');
    case 'ETIMEDOUT':
      return `dial tcp ${remote}: i/o timeout`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return `dial tcp: lookup ${addrs.host}: no such host`;
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${addrs.host}: server misbehaving`;
    case 'ECONNRESET':
      if (err instanceof Error && err.message === 'socket hang up') return 'EOF';
      return addrs.local
        ? `read tcp ${addrs.local}->${remote}: read: connection reset by peer`
        : 'read: connection reset by peer';
    case 'EPIPE':
      return addrs.local ? `write tcp ${addrs.local}->${remote}: write: broken pipe` : 'write: broken pipe';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

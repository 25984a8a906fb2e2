/**
 * Forwarding of names outside the cluster zone to upstream servers: over UDP with a per-try timeout,
 * retried over TCP when the upstream sets the TC bit, one upstream after the other. Each query goes
 * out with a fresh random ID from a fresh ephemeral port, and only a reply from the upstream's address
 * carrying that ID and the same question is taken. Upstreams come from an explicit list or from the
 * node's /etc/resolv.conf.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIP, connect, type Socket } from 'node:net';
import { canonicalIP } from './names.js';

/** One upstream server. */
export interface Upstream {
  host: string;
  port: number;
}

/** `host:port` (IPv6 in brackets), as used in the `to` metric label. */
export function upstreamText(u: Upstream): string {
  return isIP(u.host) === 6 ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`;
}

/**
 * Reads `1.1.1.1`, `1.1.1.1:5353`, `fd00::1`, `[fd00::1]:5353` (port 53 when none is given); throws
 * on anything else (upstreams are addresses, never names).
 */
export function parseUpstream(s: string): Upstream {
  const t = s.trim().replace(/^dns:\/\//, '');
  let host = t;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    host = bracket[1] ?? '';
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(t) !== 6) {
    const i = t.lastIndexOf(':');
    if (i > 0) {
      host = t.slice(0, i);
      port = Number(t.slice(i + 1));
    }
  }
  if (!isIP(host) || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(
      `invalid DNS upstream ${JSON.stringify(s)}: expected an IP address with an optional port`,
    );
  return { host, port };
}

/** The `nameserver` entries of a resolv.conf text, in order (invalid entries are skipped). */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m?.[1]) continue;
    const addr = m[1].replace(/%.*$/, ''); // drop an IPv6 zone
    try {
      out.push(parseUpstream(addr));
    } catch {
      // not an address we can use
    }
  }
  return out;
}

/** The node's resolv.conf upstreams; none when the file is missing or unreadable. */
export function readResolvConf(path = '/etc/resolv.conf'): Upstream[] {
  try {
    return upstreamsFromResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** Why forwarding failed. */
export class ForwardError extends Error {}

/** Settings of {@link Forwarder}. */
export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Time to wait for one upstream's UDP answer (and again for its TCP answer), ms (default 2000). */
  timeoutMs?: number;
  /** Most queries forwarded at once; more fail at once (default 1000), so a flood cannot take every socket. */
  maxInFlight?: number;
  /** Called after each upstream try: the upstream, and the answer's rcode number or undefined. */
  onTry?: (to: Upstream, rcode: number | undefined) => void;
}

/** Sends queries to the upstreams. */
export class Forwarder {
  readonly upstreams: readonly Upstream[];
  private readonly timeoutMs: number;
  private next = 0;
  private inFlight = 0;

  constructor(private readonly opts: ForwarderOptions) {
    this.upstreams = [...opts.upstreams];
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  /** True when there is somewhere to forward to. */
  get enabled(): boolean {
    return this.upstreams.length > 0;
  }

  /**
   * Forwards one query (wire format) and resolves with the upstream's answer, its ID set back to the
   * query's. Upstreams are tried in turn, starting with the one after the last that failed; rejects
   * with a {@link ForwardError} when none answers.
   */
  async forward(query: Buffer): Promise<Buffer> {
    if (query.length < 12) throw new ForwardError('query too short to forward');
    const n = this.upstreams.length;
    if (n === 0) throw new ForwardError('no upstream DNS servers configured');
    if (this.inFlight >= (this.opts.maxInFlight ?? 1000))
      throw new ForwardError(`too many queries in flight to upstreams (${this.inFlight})`);
    this.inFlight++;
    try {
      return await this.tryAll(query);
    } finally {
      this.inFlight--;
    }
  }

  private async tryAll(query: Buffer): Promise<Buffer> {
    const n = this.upstreams.length;
    const start = this.next;
    const errors: string[] = [];
    for (let i = 0; i < n; i++) {
      const idx = (start + i) % n;
      const up = this.upstreams[idx];
      if (!up) continue;
      try {
        const reply = await this.ask(up, query);
        this.opts.onTry?.(up, (reply[3] ?? 0) & 0x0f);
        reply.writeUInt16BE(query.readUInt16BE(0), 0);
        return reply;
      } catch (err) {
        this.opts.onTry?.(up, undefined);
        this.next = (idx + 1) % n;
        errors.push(`${upstreamText(up)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    throw new ForwardError(`no upstream answered (${errors.join('; ')})`);
  }

  private async ask(up: Upstream, query: Buffer): Promise<Buffer> {
    const id = randomInt(0, 0x10000);
    const q = Buffer.from(query);
    q.writeUInt16BE(id, 0);
    const reply = await udpExchange(up, q, id, this.timeoutMs);
    if (((reply[2] ?? 0) & 0x02) === 0) return reply; // TC not set
    return tcpExchange(up, q, id, this.timeoutMs);
  }
}

/** The question section (bytes after the header up to the end of the first question). */
function questionBytes(msg: Buffer): Buffer | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) === 0) return undefined;
  let off = 12;
  while (off < msg.length) {
    const len = msg[off] ?? 0;
    if (len === 0) {
      off += 1;
      break;
    }
    if ((len & 0xc0) !== 0) return undefined; // the first question is never compressed
    off += len + 1;
  }
  off += 4;
  return off <= msg.length ? msg.subarray(12, off) : undefined;
}

/** True when `reply` answers `query` (same ID, a response, the same first question, ignoring case). */
function answers(query: Buffer, reply: Buffer, id: number): boolean {
  if (reply.length < 12 || reply.readUInt16BE(0) !== id || ((reply[2] ?? 0) & 0x80) === 0) return false;
  const a = questionBytes(query);
  const b = questionBytes(reply);
  if (!a) return true;
  return b !== undefined && a.toString('latin1').toLowerCase() === b.toString('latin1').toLowerCase();
}

function udpExchange(up: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock: UdpSocket = createSocket(isIP(up.host) === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, msg?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      if (err || !msg) reject(err ?? new Error('no answer'));
      else resolve(msg);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms (udp)`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.port !== up.port || canonicalIP(rinfo.address) !== canonicalIP(up.host)) return;
      if (answers(query, msg, id)) finish(undefined, msg);
    });
    sock.send(query, up.port, up.host, (err) => {
      if (err) finish(err);
    });
  });
}

/** One query over a fresh TCP connection (2-byte length framing). */
export function tcpExchange(up: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | undefined, msg?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err || !msg) reject(err ?? new Error('no answer'));
      else resolve(msg);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms (tcp)`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('close', () => finish(new Error('connection closed before an answer')));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length, 0);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) return;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        if (answers(query, msg, id)) return finish(undefined, Buffer.from(msg));
      }
    });
  });
}

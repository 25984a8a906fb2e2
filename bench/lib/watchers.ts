/**
 * Many watch streams on a few HTTP/2 sessions, and the bookkeeping of when each watcher saw each
 * write. Every stream parses what it receives as newline-delimited JSON watch events (as a real
 * client does), and reports `object.metadata.name` of ADDED events (or of bare objects, for the echo
 * fan-out floor).
 */
import type { ClientHttp2Stream } from 'node:http2';
import type { H2Client } from './h2client.js';
import { pollUntil } from './proc.js';

/** When each watcher saw one write. */
export interface Delivery {
  name: string;
  /** performance.now() when the write was sent and when its response arrived. */
  sentAt: number;
  answeredAt: number;
  /** Arrival times at the watchers that have seen it so far. */
  arrivals: number[];
  done: () => void;
}

/** A set of open watch streams. */
export class WatcherPool {
  private readonly streams: ClientHttp2Stream[] = [];
  private readonly pending = new Map<string, Delivery>();
  /** Watchers whose stream answered 200. */
  open = 0;
  /** Streams that failed or ended early, with the first reason. */
  failed = 0;
  firstFailure: string | undefined;
  /** The first event line a watcher received (to size the floor's events alike). */
  sampleEvent: string | undefined;

  constructor(private readonly expected: number) {}

  /** Opens `count` watches, spread round-robin over `clients`, and waits until all answered 200. */
  async openAll(clients: H2Client[], count: number, path: string, timeoutMs = 60_000): Promise<void> {
    for (let i = 0; i < count; i++) {
      const client = clients[i % clients.length];
      if (!client) throw new Error('no client sessions');
      this.attach(client.openStream(path));
    }
    await pollUntil(
      `${count} watch streams to open`,
      timeoutMs,
      async () => (this.open >= count ? true : undefined),
      {
        fatal: () =>
          this.failed > 0
            ? new Error(`${this.failed} watch streams failed: ${this.firstFailure}`)
            : undefined,
      },
    );
  }

  private fail(why: string): void {
    this.failed++;
    this.firstFailure ??= why;
  }

  private attach(stream: ClientHttp2Stream): void {
    this.streams.push(stream);
    let rest = '';
    let closing = false;
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      const status = Number(h[':status']);
      if (status === 200) this.open++;
      else this.fail(`status ${status}`);
    });
    stream.on('data', (chunk: string) => {
      const now = performance.now();
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (line.trim()) this.onLine(line, now);
      }
    });
    stream.on('error', (err) => {
      if (!closing) this.fail(err.message);
    });
    stream.on('end', () => {
      if (!closing) this.fail('stream ended by the server');
    });
    stream.on('close', () => (closing = true));
  }

  private onLine(line: string, now: number): void {
    this.sampleEvent ??= line;
    const ev = JSON.parse(line) as {
      type?: string;
      object?: { metadata?: { name?: string } };
      metadata?: { name?: string };
    };
    if (ev.type !== undefined && ev.type !== 'ADDED') return;
    const name = ev.object?.metadata?.name ?? ev.metadata?.name;
    if (name === undefined) return;
    const d = this.pending.get(name);
    if (!d) return;
    d.arrivals.push(now);
    if (d.arrivals.length >= this.expected) {
      this.pending.delete(name);
      d.done();
    }
  }

  /**
   * Sends one write through `write` and resolves once every watcher saw it (or after `timeoutMs`, with
   * the arrivals seen so far).
   */
  async measure(name: string, write: () => Promise<void>, timeoutMs = 10_000): Promise<Delivery> {
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const d: Delivery = { name, sentAt: performance.now(), answeredAt: 0, arrivals: [], done };
    this.pending.set(name, d);
    d.sentAt = performance.now();
    await write();
    d.answeredAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.pending.delete(name);
    return d;
  }

  /** Closes every stream. */
  closeAll(): void {
    for (const s of this.streams) s.close();
    this.streams.length = 0;
  }
}

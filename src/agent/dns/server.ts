/**
 * The DNS server's sockets: one UDP socket and one TCP listener on the same address and port. UDP
 * datagrams are answered one for one; TCP connections carry length-prefixed messages (RFC 1035
 * 4.2.2), several per connection, answered as they complete (RFC 7766 allows any order), and are
 * closed after an idle period.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { Logger } from '../../util/log.js';
import type { Proto, QueryHandler } from './handler.js';

/** Settings of {@link DnsServer}. */
export interface DnsServerOptions {
  /** Address to bind (an IP address). */
  host: string;
  /** Port; 0 picks a free one (the same for UDP and TCP). */
  port: number;
  handler: QueryHandler;
  log: Logger;
  /** Closes a TCP connection that sent nothing for this long, ms (default 10 s). */
  tcpIdleMs?: number;
  /** Most TCP connections at once; more are refused (default 1000). */
  maxTcpConnections?: number;
}

/** Serves DNS over UDP and TCP. */
export class DnsServer {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly o: DnsServerOptions) {}

  /** The bound address (valid after {@link listen}). */
  get address(): { host: string; port: number } {
    return { host: this.o.host, port: this.boundPort };
  }

  /** Binds both sockets; rejects (with nothing left bound) when either cannot be bound. */
  async listen(): Promise<void> {
    const family = isIP(this.o.host);
    if (family === 0)
      throw new Error(`DNS listen address ${JSON.stringify(this.o.host)} is not an IP address`);
    // With port 0 the TCP listener picks the port and UDP takes the same one; another process may
    // hold that UDP port, so try a few times.
    for (let attempt = 0; ; attempt++) {
      const tcp = await this.listenTcp(this.o.port);
      const port = (tcp.address() as { port: number }).port;
      try {
        this.udp = await this.bindUdp(family === 6 ? 'udp6' : 'udp4', port);
        this.tcp = tcp;
        this.boundPort = port;
        return;
      } catch (err) {
        await new Promise<void>((r) => tcp.close(() => r()));
        if (this.o.port !== 0 || attempt >= 5) throw err;
      }
    }
  }

  /** Closes both sockets and every open TCP connection. */
  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ]);
  }

  // -------------------------------------------------------------------------------------------------

  private bindUdp(type: 'udp4' | 'udp6', port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket({ type, reuseAddr: false });
      const onError = (err: Error): void => {
        sock.close();
        reject(err);
      };
      sock.once('error', onError);
      sock.bind({ address: this.o.host, port, exclusive: true }, () => {
        sock.off('error', onError);
        sock.on('error', (err) => this.o.log.warn({ err }, 'DNS UDP socket error'));
        try {
          sock.setRecvBufferSize(4 << 20);
        } catch {
          // the kernel's limit (net.core.rmem_max) applies; the default buffer still works
        }
        sock.on('message', (msg, rinfo) =>
          this.onDatagram(sock, msg, rinfo.address, rinfo.port, rinfo.family),
        );
        resolve(sock);
      });
    });
  }

  private onDatagram(sock: UdpSocket, msg: Buffer, addr: string, port: number, family: string): void {
    const send = (out: Buffer): void => {
      if (this.udp !== sock) return;
      // No callback: a failed send surfaces as the socket's 'error' event (logged), and a callback per
      // datagram costs measurably at tens of thousands of queries per second.
      sock.send(out, port, addr);
    };
    let r: Buffer | Promise<Buffer> | undefined;
    try {
      r = this.o.handler.handle(msg, 'udp', family === 'IPv6' ? 2 : 1);
    } catch (err) {
      this.o.log.error({ err }, 'DNS query handler threw');
      return;
    }
    if (!r) return;
    if (Buffer.isBuffer(r)) send(r);
    else r.then(send, (err: unknown) => this.o.log.error({ err }, 'DNS query handler failed'));
  }

  private listenTcp(port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((sock) => this.onConnection(sock));
      server.maxConnections = this.o.maxTcpConnections ?? 1000;
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: this.o.host, port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.o.log.warn({ err }, 'DNS TCP listener error'));
        resolve(server);
      });
    });
  }

  private onConnection(sock: Socket): void {
    this.conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.o.tcpIdleMs ?? 10_000, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', (err) => this.o.log.debug({ err }, 'DNS TCP connection error'));
    const family: 1 | 2 = sock.remoteFamily === 'IPv6' ? 2 : 1;
    let buf: Buffer = Buffer.alloc(0);
    const proto: Proto = 'tcp';
    const write = (out: Buffer): void => {
      if (sock.destroyed) return;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(out.length, 0);
      sock.write(Buffer.concat([len, out]));
    };
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        let r: Buffer | Promise<Buffer> | undefined;
        try {
          r = this.o.handler.handle(msg, proto, family);
        } catch (err) {
          this.o.log.error({ err }, 'DNS query handler threw');
          sock.destroy();
          return;
        }
        if (!r) continue;
        if (Buffer.isBuffer(r)) write(r);
        else r.then(write, (err: unknown) => this.o.log.error({ err }, 'DNS query handler failed'));
      }
    });
  }
}

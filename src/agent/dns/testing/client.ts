/**
 * A minimal DNS client and a scriptable upstream server for tests and benchmarks (loopback only).
 */
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { decode, encode, type Answer, type DecodedPacket, type Packet } from 'dns-packet';

/** Sends one query over UDP and resolves with the decoded reply (rejects after `timeoutMs`). */
export function udpQuery(
  host: string,
  port: number,
  query: Packet | Buffer,
  timeoutMs = 2000,
): Promise<DecodedPacket> {
  const msg = Buffer.isBuffer(query) ? query : encode(query);
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no UDP answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('message', (reply) => {
      clearTimeout(timer);
      sock.close();
      try {
        resolve(decode(reply));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    sock.send(msg, port, host);
  });
}

/** Sends queries over one TCP connection and resolves with the decoded replies, in the order sent. */
export function tcpQuery(
  host: string,
  port: number,
  queries: (Packet | Buffer)[],
  timeoutMs = 2000,
): Promise<DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const byId = new Map<number, DecodedPacket>();
    const ids: number[] = [];
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no TCP answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('connect', () => {
      for (const q of queries) {
        const msg = Buffer.isBuffer(q) ? q : encode(q);
        ids.push(msg.readUInt16BE(0));
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length, 0);
        sock.write(Buffer.concat([len, msg]));
      }
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const n = buf.readUInt16BE(0);
        const p = decode(buf.subarray(2, 2 + n));
        buf = buf.subarray(2 + n);
        byId.set(p.id ?? 0, p);
      }
      if (byId.size >= ids.length) {
        clearTimeout(timer);
        sock.destroy();
        resolve(ids.map((id) => byId.get(id) as DecodedPacket));
      }
    });
  });
}

/** A fake upstream server: answers every question with `answer(question)`, over UDP and TCP. */
export interface FakeUpstream {
  port: number;
  /** Questions received, `udp name type` / `tcp name type`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * Starts a fake upstream on 127.0.0.1. `answer` gives the records for a question; when the encoded
 * reply exceeds 512 bytes, the UDP reply is sent empty with TC set (so clients must retry over TCP).
 * `silent` questions (by name) get no reply at all.
 */
export async function startFakeUpstream(
  answer: (name: string, type: string) => Answer[],
  silent: (name: string) => boolean = () => false,
): Promise<FakeUpstream> {
  const seen: string[] = [];
  const reply = (msg: Buffer, proto: string): Buffer | undefined => {
    const q = decode(msg);
    const question = q.questions?.[0];
    if (!question) return undefined;
    seen.push(`${proto} ${question.name} ${question.type}`);
    if (silent(question.name)) return undefined;
    const answers = answer(question.name, question.type);
    const packet: Packet = {
      type: 'response',
      id: q.id ?? 0,
      flags: 0x0100 | 0x0080 | (answers.length === 0 ? 3 : 0),
      questions: [question],
      answers,
    };
    const out = encode(packet);
    if (proto === 'udp' && out.length > 512)
      return encode({ ...packet, answers: [], flags: (packet.flags ?? 0) | 0x0200 });
    return out;
  };
  const tcp: Server = createServer((sock) => {
    let buf: Buffer = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const n = buf.readUInt16BE(0);
        const out = reply(buf.subarray(2, 2 + n), 'tcp');
        buf = buf.subarray(2 + n);
        if (!out) continue;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length, 0);
        sock.write(Buffer.concat([len, out]));
      }
    });
  });
  await new Promise<void>((r) => tcp.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (tcp.address() as { port: number }).port;
  const udp = createSocket('udp4');
  await new Promise<void>((r, j) => {
    udp.once('error', j);
    udp.bind({ address: '127.0.0.1', port }, () => r());
  });
  udp.on('message', (msg, rinfo) => {
    const out = reply(msg, 'udp');
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  return {
    port,
    seen,
    close: () =>
      Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]).then(() => undefined),
  };
}

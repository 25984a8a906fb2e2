import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Channel, Deframer, GrpcError, Status, type ChannelEvents, type ChannelOptions } from './grpc.js';
import { frame, startFakeGrpc, type FakeGrpcServer } from './testing/fake-grpc.js';
import { freePort } from '../testing/etcd.js';

const servers: FakeGrpcServer[] = [];
const channels: Channel[] = [];

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

interface Recorded extends ChannelEvents {
  failures: string[];
}

function events(): Recorded {
  const failures: string[] = [];
  return {
    failures,
    onConnectionFailed: (_ch, err) => failures.push(err.message),
    onWarning: () => undefined,
  };
}

function open(endpoint: string, opts: ChannelOptions = {}, timeoutMs = 5000, ev = events()): Channel {
  const ch = new Channel(endpoint, opts, ev, timeoutMs);
  channels.push(ch);
  return ch;
}

async function fake(handler: Parameters<typeof startFakeGrpc>[0]): Promise<FakeGrpcServer> {
  const s = await startFakeGrpc(handler);
  servers.push(s);
  return s;
}

function failure(p: Promise<unknown>): Promise<GrpcError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => {
      if (!(err instanceof GrpcError)) throw err;
      return err;
    },
  );
}

describe('gRPC channel', () => {
  it('sends a unary request and returns the answer, with the method path and gRPC headers', async () => {
    const server = await fake((call) =>
      call.reply(Buffer.concat([Buffer.from('re:'), call.messages[0] ?? Buffer.alloc(0)])),
    );
    const ch = open(server.endpoint, { headers: { hasleader: 'true' } });
    const answer = await ch.unary('/etcdserverpb.KV/Range', frame(Buffer.from('hello')));
    expect(answer.toString()).toBe('re:hello');
    const seen = server.calls[0];
    expect(seen?.path).toBe('/etcdserverpb.KV/Range');
    expect(seen?.headers['content-type']).toBe('application/grpc');
    expect(seen?.headers['te']).toBe('trailers');
    expect(seen?.headers['grpc-timeout']).toBe('5000m');
    expect(seen?.headers['hasleader']).toBe('true');
  });

  it('answers many concurrent calls over one connection', async () => {
    const server = await fake((call) => call.reply(call.messages[0] ?? Buffer.alloc(0)));
    const ch = open(server.endpoint);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ch.unary('/x.Y/Z', frame(Buffer.from(String(i))))),
    );
    expect(answers.map((a) => a.toString())).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it('handles an empty answer message and a large one split over many frames', async () => {
    const big = Buffer.alloc(3 << 20, 7);
    const server = await fake((call) => call.reply(call.messages[0]?.[0] === 1 ? big : Buffer.alloc(0)));
    const ch = open(server.endpoint);
    expect((await ch.unary('/x.Y/Z', frame(Buffer.from([0])))).length).toBe(0);
    expect((await ch.unary('/x.Y/Z', frame(Buffer.from([1])))).equals(big)).toBe(true);
  });

  it('reports an error status from trailers, with the decoded message, as sent', async () => {
    const server = await fake((call) =>
      call.fail(Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'),
    );
    const err = await failure(open(server.endpoint).unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.code).toBe(Status.OUT_OF_RANGE);
    expect(err.details).toBe('etcdserver: mvcc: required revision has been compacted');
    expect(err.message).toContain('required revision has been compacted');
    expect(err.sent).toBe(true);
  });

  it('reports an error status sent as trailers-only', async () => {
    const server = await fake((call) => call.failTrailersOnly(Status.UNAVAILABLE, 'etcdserver: no leader'));
    const err = await failure(open(server.endpoint).unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.details).toBe('etcdserver: no leader');
    expect(err.sent).toBe(true);
  });

  it('says a call to an endpoint nobody listens on was never sent', async () => {
    const ev = events();
    const ch = open(`http://127.0.0.1:${await freePort()}`, {}, 5000, ev);
    const err = await failure(ch.unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.sent).toBe(false);
    expect(ev.failures.length).toBe(1);
  });

  it('says a call was sent when the connection breaks while etcd works on it', async () => {
    const server = await fake(() => server.dropConnections());
    const err = await failure(open(server.endpoint).unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.sent).toBe(true);
  });

  it('says a call the server refused (REFUSED_STREAM) was never sent', async () => {
    const server = await fake((call) => call.stream.close(0x7));
    const err = await failure(open(server.endpoint).unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.sent).toBe(false);
  });

  it('gives up on a call after its deadline', async () => {
    const server = await fake(() => undefined);
    const ch = open(server.endpoint, {}, 100);
    const t0 = Date.now();
    const err = await failure(ch.unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reconnects after the server dropped the connection', async () => {
    const server = await fake((call) => call.reply(Buffer.from('ok')));
    const ev = events();
    const ch = open(server.endpoint, {}, 5000, ev);
    expect((await ch.unary('/x.Y/Z', frame(Buffer.alloc(0)))).toString()).toBe('ok');
    server.dropConnections();
    // The drop may or may not be noticed before the next call; either way a later call works.
    for (let i = 0; ; i++) {
      try {
        expect((await ch.unary('/x.Y/Z', frame(Buffer.alloc(0)))).toString()).toBe('ok');
        break;
      } catch (err) {
        if (i > 5) throw err;
      }
    }
  });

  it('drops a connection whose peer stops answering keepalive pings', async () => {
    // A TCP server that accepts and then says nothing: HTTP/2 never gets its settings or pings.
    const accepted: net.Socket[] = [];
    const silent = net.createServer((sock) => accepted.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const ev = events();
      const ch = open(`http://127.0.0.1:${port}`, { keepaliveMs: 50, keepaliveTimeoutMs: 100 }, 10_000, ev);
      const t0 = Date.now();
      const err = await failure(ch.unary('/x.Y/Z', frame(Buffer.alloc(0))));
      expect(err.code).toBe(Status.UNAVAILABLE);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(ev.failures.join()).toMatch(/keepalive/);
    } finally {
      for (const c of channels.splice(0)) c.close();
      for (const sock of accepted) sock.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails a call with a non-gRPC HTTP answer', async () => {
    const server = await fake((call) => {
      call.stream.respond({ ':status': 503, 'content-type': 'text/plain' }, { endStream: true });
    });
    const err = await failure(open(server.endpoint).unary('/x.Y/Z', frame(Buffer.alloc(0))));
    expect(err.code).toBe(Status.UNAVAILABLE);
    expect(err.details).toMatch(/HTTP status 503/);
  });

  it('streams messages both ways, reassembling messages split across chunks', async () => {
    const server = await fake((call) => {
      // Three messages in one write, the last split in two writes.
      const all = Buffer.concat([
        frame(Buffer.from('a')),
        frame(Buffer.from('bb')),
        frame(Buffer.from('ccc')),
      ]);
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      call.stream.write(all.subarray(0, all.length - 2));
      setTimeout(() => call.stream.write(all.subarray(all.length - 2)), 20);
    });
    const ch = open(server.endpoint);
    const got: string[] = [];
    const ended: (GrpcError | undefined)[] = [];
    const s = ch.stream('/etcdserverpb.Watch/Watch', {
      onMessage: (m) => got.push(m.toString()),
      onEnd: (err) => ended.push(err),
    });
    s.write(frame(Buffer.from('first')));
    for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['a', 'bb', 'ccc']);
    expect(server.calls[0]?.messages.map((m) => m.toString())).toEqual(['first']);
    server.dropConnections();
    for (let i = 0; i < 100 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ended[0]?.code).toBe(Status.UNAVAILABLE);
  });

  it('runs no stream callbacks after cancel', async () => {
    const server = await fake((call) => call.send(Buffer.from('x')));
    const ch = open(server.endpoint);
    let calls = 0;
    const s = ch.stream('/etcdserverpb.Watch/Watch', { onMessage: () => calls++, onEnd: () => calls++ });
    s.cancel();
    s.write(frame(Buffer.from('ignored')));
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(0);
  });
});

describe('gRPC deframer', () => {
  const framed = Buffer.concat([
    frame(Buffer.from('one')),
    frame(Buffer.alloc(0)),
    frame(Buffer.alloc(70_000, 9)),
  ]);

  it('splits messages however the bytes are chunked', () => {
    for (const size of [1, 2, 3, 4, 5, 6, 7, 1000, 65_536, framed.length]) {
      const d = new Deframer();
      const got: Buffer[] = [];
      for (let i = 0; i < framed.length; i += size) d.push(framed.subarray(i, i + size), (m) => got.push(m));
      expect(
        got.map((m) => m.length),
        `chunks of ${size}`,
      ).toEqual([3, 0, 70_000]);
      expect(got[0]?.toString()).toBe('one');
    }
  });

  it('joins a large message once, not per chunk', () => {
    const big = frame(Buffer.alloc(8 << 20, 1));
    const d = new Deframer();
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < big.length; i += 16_384) d.push(big.subarray(i, i + 16_384), () => n++);
    expect(n).toBe(1);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('refuses a compressed message', () => {
    const c = frame(Buffer.from('z'));
    c[0] = 1;
    expect(() => new Deframer().push(c, () => undefined)).toThrow(/compressed/);
  });
});

describe('gRPC channel and GOAWAY', () => {
  it('finishes a call in flight when the server sends GOAWAY after it, and uses a new connection next', async () => {
    const server = await fake((call) => {
      call.stream.session?.goaway(0, call.stream.id ?? 0);
      setTimeout(() => call.reply(Buffer.from('late')), 20);
    });
    const ch = open(server.endpoint);
    expect((await ch.unary('/x.Y/Z', frame(Buffer.alloc(0)))).toString()).toBe('late');
    server.handler = (call) => call.reply(Buffer.from('again'));
    expect((await ch.unary('/x.Y/Z', frame(Buffer.alloc(0)))).toString()).toBe('again');
  });
});

/**
 * A scriptable gRPC server on loopback (HTTP/2 without TLS) for unit tests of the etcd client:
 * each call is handed to a test-supplied handler that answers, fails, stalls or breaks the
 * connection, so failure modes a real etcd shows only rarely can be tested deterministically.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/** One incoming call, as the handler sees it. */
export interface FakeCall {
  path: string;
  headers: http2.IncomingHttpHeaders;
  stream: http2.ServerHttp2Stream;
  /** The request messages received so far (unframed). */
  messages: Buffer[];
  /** Answers OK with these messages (framed here), status in trailers. */
  reply(...msgs: Buffer[]): void;
  /** Answers with an error status in trailers after the response headers. */
  fail(code: number, message: string): void;
  /** Answers with the status in the response headers only ("trailers-only"). */
  failTrailersOnly(code: number, message: string): void;
  /** Sends one message without ending the call (streams). */
  send(msg: Buffer): void;
}

/** How the server treats a call: called once the request's first message (or its end) arrived. */
export type FakeHandler = (call: FakeCall) => void;

/** A running fake server. */
export interface FakeGrpcServer {
  endpoint: string;
  /** Every call seen, in arrival order. */
  calls: FakeCall[];
  handler: FakeHandler;
  /** Destroys every open connection (as a crash would). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Frames a message the gRPC way. */
export function frame(msg: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

/** Starts a fake server on a free loopback port. */
export async function startFakeGrpc(handler: FakeHandler): Promise<FakeGrpcServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  const fake: FakeGrpcServer = {
    endpoint: '',
    calls: [],
    handler,
    dropConnections() {
      for (const s of sessions) s.destroy();
      sessions.clear();
    },
    async close() {
      fake.dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    let responded = false;
    const respond = (): void => {
      if (responded) return;
      responded = true;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    };
    const finish = (code: number, message: string): void => {
      respond();
      stream.once('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) }),
      );
      stream.end();
    };
    const call: FakeCall = {
      path: String(headers[':path']),
      headers,
      stream,
      messages: [],
      reply(...msgs) {
        respond();
        for (const m of msgs) stream.write(frame(m));
        finish(0, '');
      },
      fail(code, message) {
        finish(code, message);
      },
      failTrailersOnly(code, message) {
        responded = true;
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': String(code),
            'grpc-message': encodeURIComponent(message),
          },
          { endStream: true },
        );
      },
      send(msg) {
        respond();
        stream.write(frame(msg));
      },
    };
    fake.calls.push(call);
    let pending = Buffer.alloc(0);
    let handled = false;
    const handle = (): void => {
      if (handled) return;
      handled = true;
      fake.handler(call);
    };
    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const len = pending.readUInt32BE(1);
        if (pending.length < 5 + len) break;
        call.messages.push(pending.subarray(5, 5 + len));
        pending = pending.subarray(5 + len);
        handle();
      }
    });
    stream.on('end', handle);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

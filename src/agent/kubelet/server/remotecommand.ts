/**
 * exec and attach over WebSocket `v5.channel.k8s.io` (what kubectl 1.30+ speaks), translated to the
 * SPDY `v4.channel.k8s.io` protocol of the container runtime's streaming server (containerd 1.6
 * serves WebSocket only up to v4, which cannot half-close stdin, so `kubectl cp` into a pod needs
 * SPDY behind the translation).
 *
 * v5 framing: every binary message starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 error,
 * 4 resize); a message `[255, n]` closes channel n (stdin EOF). The server first sends an empty message
 * on its lowest writable channel, and ends with the Status JSON on channel 3 and a normal close.
 * SPDY side: one stream per channel named by its `streamtype` header; the runtime writes the Status
 * (with the exit code) on the error stream.
 */
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';

/** The v5 channel protocol name. */
export const V5_PROTOCOL = 'v5.channel.k8s.io';
/** The SPDY remote-command protocol asked of the runtime. */
export const V4_PROTOCOL = 'v4.channel.k8s.io';

const CH_STDIN = 0;
const CH_STDOUT = 1;
const CH_STDERR = 2;
const CH_ERROR = 3;
const CH_RESIZE = 4;
const CH_CLOSE = 255;

/** Which streams a session has. */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The SPDY streams of one remote-command session. */
export interface RemoteCommandStreams {
  error: SpdyStream;
  stdin?: SpdyStream;
  stdout?: SpdyStream;
  stderr?: SpdyStream;
  resize?: SpdyStream;
}

/** Opens the session's streams on a runtime connection (as a v4 client) and waits for the replies. */
export async function openRemoteCommandStreams(
  conn: SpdyConnection,
  opts: StreamOptions,
  timeoutMs = 30_000,
): Promise<RemoteCommandStreams> {
  const open = (type: string): SpdyStream => conn.openStream({ streamtype: [type] });
  const streams: RemoteCommandStreams = { error: open('error') };
  if (opts.stdin) streams.stdin = open('stdin');
  if (opts.stdout) streams.stdout = open('stdout');
  if (opts.stderr && !opts.tty) streams.stderr = open('stderr');
  if (opts.tty) streams.resize = open('resize');
  // The client only reads the error stream.
  streams.error.end();
  const all = Object.values(streams) as SpdyStream[];
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(all.map((s) => s.waitReply())),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out creating streams')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return streams;
}

function ended(s: Readable | undefined): Promise<void> {
  if (!s || s.readableEnded || s.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    s.once('end', resolve);
    s.once('close', resolve);
  });
}

/** A success Status, as the runtime writes it. */
const SUCCESS = JSON.stringify({ metadata: {}, status: 'Success' });

/** A failure Status for an error of the translation itself. */
export function internalErrorStatus(message: string): string {
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  });
}

/** Highest buffered WebSocket output before the runtime's output is paused. */
const WS_HIGH_WATER = 4 * 1024 * 1024;

/**
 * Runs one session: pipes the WebSocket channels to the SPDY streams and back, then sends the
 * runtime's Status on channel 3 and closes the WebSocket. Resolves when the session is over.
 */
export async function bridgeV5(
  ws: WebSocket,
  conn: SpdyConnection,
  streams: RemoteCommandStreams,
): Promise<void> {
  let pendingOut = 0;
  const paused = new Set<Readable>();
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState !== ws.OPEN) return;
    const msg = Buffer.allocUnsafe(data.length + 1);
    msg[0] = channel;
    data.copy(msg, 1);
    pendingOut += msg.length;
    ws.send(msg, { binary: true }, () => {
      pendingOut -= msg.length;
      if (pendingOut < WS_HIGH_WATER / 4) {
        for (const s of paused) s.resume();
        paused.clear();
      }
    });
  };
  const forward = (from: Readable | undefined, channel: number): void => {
    from?.on('data', (chunk: Buffer) => {
      send(channel, chunk);
      if (pendingOut > WS_HIGH_WATER) {
        from.pause();
        paused.add(from);
      }
    });
  };

  // Tell the client the session is up: an empty message on the lowest writable channel.
  send(streams.stdout ? CH_STDOUT : streams.stderr ? CH_STDERR : CH_ERROR, Buffer.alloc(0));
  forward(streams.stdout, CH_STDOUT);
  forward(streams.stderr, CH_STDERR);
  const errorChunks: Buffer[] = [];
  streams.error.on('data', (c: Buffer) => errorChunks.push(c));

  const inputs: Record<number, Writable | undefined> = {
    [CH_STDIN]: streams.stdin,
    [CH_RESIZE]: streams.resize,
  };
  let clientGone = false;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0] ?? -1;
    if (channel === CH_CLOSE) {
      const target = inputs[data[1] ?? -1];
      if (target && !target.writableEnded) target.end();
      return;
    }
    const target = inputs[channel];
    if (!target || target.writableEnded || data.length < 2) return;
    if (!target.write(data.subarray(1))) {
      ws.pause();
      target.once('drain', () => ws.resume());
    }
  });
  const clientClosed = new Promise<void>((resolve) => {
    ws.once('close', () => {
      clientGone = true;
      resolve();
    });
  });
  ws.on('error', () => undefined);

  const sessionOver = Promise.all([ended(streams.error), ended(streams.stdout), ended(streams.stderr)]);
  await Promise.race([sessionOver, clientClosed]);
  if (clientGone) {
    conn.destroy();
    return;
  }
  const status = Buffer.concat(errorChunks).toString('utf8').trim();
  send(CH_ERROR, Buffer.from(status || SUCCESS));
  conn.close();
  ws.close(1000);
  // Wait for the client to acknowledge the close (it drains the output first), bounded.
  await Promise.race([clientClosed, new Promise((r) => setTimeout(r, 15 * 60_000).unref())]);
  ws.terminate();
}

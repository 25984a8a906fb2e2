/**
 * For tests: a stand-in for the container runtime's streaming server (what containerd serves at the
 * URLs CRI Exec/Attach/PortForward return), speaking SPDY `v4.channel.k8s.io` and
 * `portforward.k8s.io` as a server, with local processes as "containers" and loopback ports as the
 * pod's ports. Plus a {@link StreamingRuntime} over it whose containers are registered by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { headerValue } from '../spdy/frames.js';
import { SpdyConnection, type SpdyStream } from '../spdy/connection.js';
import {
  KubeletHttpError,
  type ContainerLogTarget,
  type ContainerRef,
  type PortForwardRequest,
  type StreamingRuntime,
  type StreamRequest,
} from '../types.js';

const REMOTE_COMMAND_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

type Session =
  | { kind: 'exec'; req: StreamRequest }
  | { kind: 'attach'; req: StreamRequest; process: ChildProcess }
  | { kind: 'portforward' };

/** The Status a v4 server writes for an exit code. */
export function exitStatus(cmd: string[], code: number): string {
  if (code === 0) return JSON.stringify({ metadata: {}, status: 'Success' });
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}

/** A fake CRI streaming server on 127.0.0.1. */
export class FakeStreamingServer {
  private server: Server | undefined;
  private readonly sessions = new Map<string, Session>();
  private base = '';
  /** Every process exec started, so tests can stop stragglers. */
  readonly processes = new Set<ChildProcess>();
  private readonly sockets = new Set<Duplex>();

  async start(): Promise<void> {
    const server = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      this.upgrade(req, socket, head);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    this.base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const p of this.processes) if (p.exitCode === null) p.kill('SIGKILL');
    const s = this.server;
    if (s) {
      s.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  /** A single-use URL for a session. */
  register(session: Session): string {
    const token = randomBytes(8).toString('hex');
    this.sessions.set(token, session);
    const path = session.kind === 'portforward' ? 'portforward' : session.kind;
    return `${this.base}/${path}/${token}`;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const token = (req.url ?? '').split('/')[2] ?? '';
    const session = this.sessions.get(token);
    this.sessions.delete(token);
    const fail = (code: number, text: string): void => {
      socket.end(
        `HTTP/1.1 ${code} Error\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      );
    };
    if (!session) return fail(404, 'invalid token');
    if (String(req.headers['upgrade']).toLowerCase() !== 'spdy/3.1')
      return fail(400, 'only SPDY/3.1 is served');
    const offered = String(req.headers['x-stream-protocol-version'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const supported = session.kind === 'portforward' ? ['portforward.k8s.io'] : REMOTE_COMMAND_PROTOCOLS;
    const protocol = offered.find((p) => supported.includes(p));
    if (!protocol)
      return fail(
        403,
        `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(supported)}`,
      );
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
    );
    if (head.length) socket.unshift(head);
    const conn = new SpdyConnection(socket, 'server');
    conn.on('error', () => undefined);
    if (session.kind === 'portforward') this.servePortForward(conn);
    else this.serveRemoteCommand(conn, session);
  }

  private serveRemoteCommand(conn: SpdyConnection, session: Exclude<Session, { kind: 'portforward' }>): void {
    const { req } = session;
    const expected =
      1 + Number(req.stdin) + Number(req.stdout) + Number(req.stderr && !req.tty) + Number(req.tty);
    const streams = new Map<string, SpdyStream>();
    conn.on('stream', (s) => {
      s.reply();
      streams.set(headerValue(s.headers, 'streamtype') ?? '', s);
      if (streams.size === expected) void this.run(conn, session, streams);
    });
  }

  private async run(
    conn: SpdyConnection,
    session: Exclude<Session, { kind: 'portforward' }>,
    streams: Map<string, SpdyStream>,
  ): Promise<void> {
    const error = streams.get('error');
    const stdin = streams.get('stdin');
    const stdout = streams.get('stdout');
    const stderr = streams.get('stderr');
    streams.get('resize')?.resume();
    if (session.kind === 'attach') {
      const p = session.process;
      if (stdout) p.stdout?.pipe(stdout, { end: false });
      if (stderr) p.stderr?.pipe(stderr, { end: false });
      if (stdin) stdin.pipe(p.stdin as NodeJS.WritableStream, { end: false });
      conn.on('close', () => {
        if (stdout) p.stdout?.unpipe(stdout);
        if (stderr) p.stderr?.unpipe(stderr);
      });
      return;
    }
    const [cmd, ...args] = session.req.cmd;
    const child = spawn(cmd ?? 'true', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.processes.add(child);
    child.on('error', () => undefined);
    child.stdin.on('error', () => undefined);
    if (stdin) stdin.pipe(child.stdin);
    else child.stdin.end();
    const outDone = new Promise<void>((r) => child.stdout.once('end', r));
    const errDone = new Promise<void>((r) => child.stderr.once('end', r));
    if (stdout) child.stdout.pipe(stdout, { end: false });
    else child.stdout.resume();
    const errTarget = stderr ?? (session.req.tty ? stdout : undefined);
    if (errTarget) child.stderr.pipe(errTarget, { end: false });
    else child.stderr.resume();
    const code = await new Promise<number>((resolve) => {
      child.once('close', (c) => resolve(c ?? 137));
      child.once('error', () => resolve(126));
    });
    await Promise.all([outDone, errDone]);
    this.processes.delete(child);
    error?.end(exitStatus(session.req.cmd, code));
    stdout?.end();
    stderr?.end();
    setTimeout(() => conn.close(), 20);
  }

  private servePortForward(conn: SpdyConnection): void {
    const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
    conn.on('stream', (s) => {
      s.reply();
      const id = headerValue(s.headers, 'requestid') ?? '';
      const type = headerValue(s.headers, 'streamtype');
      const pair = pairs.get(id) ?? {};
      pairs.set(id, pair);
      if (type === 'error') pair.error = s;
      else pair.data = s;
      if (!pair.data || !pair.error) return;
      pairs.delete(id);
      const port = Number(headerValue(s.headers, 'port'));
      const { data, error } = pair;
      error.resume();
      const sock = connect(port, '127.0.0.1');
      sock.on('connect', () => {
        data.pipe(sock);
        sock.pipe(data);
      });
      sock.on('error', (err) => {
        error.end(`error forwarding port ${port} to pod fake: ${err.message}`);
        data.end();
      });
    });
  }
}

/** A registered fake container. */
export interface FakeContainer {
  id: string;
  logPath: string;
  running: boolean;
  /** The main process, for attach. */
  process?: ChildProcess;
}

/** A {@link StreamingRuntime} over a {@link FakeStreamingServer}. */
export class FakeRuntime implements StreamingRuntime {
  readonly containers = new Map<string, FakeContainer>();
  /** Previous instances (for `--previous`), by the same key. */
  readonly previous = new Map<string, FakeContainer>();
  readonly pods = new Set<string>();

  constructor(private readonly streaming: FakeStreamingServer) {}

  add(namespace: string, pod: string, container: string, c: FakeContainer): void {
    this.pods.add(`${namespace}/${pod}`);
    this.containers.set(`${namespace}/${pod}/${container}`, c);
  }

  private find(ref: ContainerRef, podMessage: string): FakeContainer {
    if (!this.pods.has(`${ref.namespace}/${ref.pod}`)) throw new KubeletHttpError(404, podMessage);
    const c = this.containers.get(`${ref.namespace}/${ref.pod}/${ref.container}`);
    if (!c) throw new KubeletHttpError(404, `container not found ("${ref.container}")`);
    return c;
  }

  async containerLog(ref: ContainerRef, opts: { previous: boolean }): Promise<ContainerLogTarget> {
    const key = `${ref.namespace}/${ref.pod}/${ref.container}`;
    if (opts.previous) {
      const p = this.previous.get(key);
      if (!p)
        throw new KubeletHttpError(
          400,
          `previous terminated container "${ref.container}" in pod "${ref.pod}" not found`,
        );
      return { containerId: p.id, logPath: p.logPath };
    }
    const c = this.find(ref, `pod "${ref.pod}" does not exist`);
    return { containerId: c.id, logPath: c.logPath };
  }

  async containerRunning(id: string): Promise<boolean> {
    for (const c of this.containers.values()) if (c.id === id) return c.running;
    return false;
  }

  async exec(req: StreamRequest): Promise<string> {
    const c = this.find(req, 'pod does not exist');
    if (!c.running) throw new KubeletHttpError(404, `container not found ("${req.container}")`);
    return this.streaming.register({ kind: 'exec', req });
  }

  async attach(req: StreamRequest): Promise<string> {
    const c = this.find(req, 'pod does not exist');
    if (!c.running || !c.process) throw new KubeletHttpError(404, `container not found ("${req.container}")`);
    return this.streaming.register({ kind: 'attach', req, process: c.process });
  }

  async portForward(req: PortForwardRequest): Promise<string> {
    if (!this.pods.has(`${req.namespace}/${req.pod}`)) throw new KubeletHttpError(404, 'pod does not exist');
    return this.streaming.register({ kind: 'portforward' });
  }
}

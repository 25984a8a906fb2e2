/**
 * The kubelet's HTTPS API (port 10250): container logs, exec, attach, port-forward, stats, pods and
 * health, for the API server (and, through it, kubectl) and for authorized users. Every request is
 * authenticated (client certificate of the cluster's client CA, or a bearer token) and authorized as
 * `nodes/<subresource>` of this node before it is served.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../util/log.js';
import { isUpgradeRequest } from '../../../util/http-upgrade.js';
import { isIP } from 'node:net';
import {
  authenticateRequest,
  forbiddenMessage,
  isNodePeerRead,
  requestAttributes,
  ROUTES_PATH,
} from './auth.js';
import { readContainerLog, type LogReadOptions } from './logs/reader.js';
import { V5_PROTOCOL } from './remotecommand.js';
import {
  isWebSocket,
  offeredProtocols,
  passThrough,
  rejectUpgrade,
  serveTunnel,
  serveV5,
  SPDY_TUNNEL_PREFIX,
  wasAnswered,
} from './streaming.js';
import {
  KubeletHttpError,
  type KubeletAuthorizer,
  type KubeletTokenAuthenticator,
  type KubeletUser,
  type PodsProvider,
  type RoutesProvider,
  type StatsProvider,
  type StreamingRuntime,
  type StreamRequest,
} from './types.js';

/** Options of {@link KubeletServer}. */
export interface KubeletServerOptions {
  /** This node's name (the `name` of every `nodes/<sub>` authorization). */
  nodeName: string;
  /** Address to listen on (default all) and port (10250; 0 picks a free one). */
  bindAddress?: string;
  port: number;
  /** Serving certificate and key (signed by the cluster's server CA), and the client CA to trust. */
  tls: { certPem: string; keyPem: string; clientCaPem: string };
  runtime: StreamingRuntime;
  authorize: KubeletAuthorizer;
  /** Checks bearer tokens (TokenReview); without it only client certificates authenticate. */
  authenticateToken?: KubeletTokenAuthenticator;
  stats?: StatsProvider;
  pods?: PodsProvider;
  /** The node's own metrics (service proxy, cluster DNS) in Prometheus text format, on `/metrics`. */
  metrics?: () => Promise<string>;
  /**
   * Whether this node still sends new connections to a pod address, on `/k8ts/routes` (nodes ask
   * each other before stopping a pod); absent: that path answers 404.
   */
  routes?: RoutesProvider;
  /** The clock of `sinceSeconds` (tests inject one). */
  now?: () => number;
  /** How often a followed log looks for more without a file event (default 1 s). */
  logPollMs?: number;
  log: Logger;
}

/** The longest `/k8ts/routes` long-poll (a caller asks again for more). */
export const MAX_ROUTES_WAIT_MS = 30_000;

/** A request's route: which endpoint and its path parameters. */
type Route =
  | { kind: 'logs'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string }
  | { kind: 'healthz' | 'summary' | 'resourceMetrics' | 'metrics' | 'pods' | 'routes' }
  | { kind: 'notFound' };

function route(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, a, b, c, d] = parts;
  if (head === 'containerLogs' && parts.length === 4 && a && b && c)
    return { kind: 'logs', namespace: a, pod: b, container: c };
  if ((head === 'exec' || head === 'attach') && a && b) {
    if (parts.length === 4 && c) return { kind: head, namespace: a, pod: b, container: c };
    if (parts.length === 5 && c && d) return { kind: head, namespace: a, pod: b, uid: c, container: d };
  }
  if (head === 'portForward' && a && b && (parts.length === 3 || parts.length === 4))
    return { kind: 'portForward', namespace: a, pod: b, uid: c };
  if (path === '/healthz') return { kind: 'healthz' };
  if (path === '/stats/summary' || path === '/stats/summary/') return { kind: 'summary' };
  if (path === '/metrics/resource') return { kind: 'resourceMetrics' };
  if (path === '/metrics') return { kind: 'metrics' };
  if (path === '/pods' || path === '/pods/') return { kind: 'pods' };
  if (path === ROUTES_PATH) return { kind: 'routes' };
  return { kind: 'notFound' };
}

/** `1` and `true` turn a stream flag on (the API server sends `1`, direct clients `true`). */
function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new KubeletHttpError(400, `${name}: invalid value ${JSON.stringify(v)}`);
  return n;
}

/** The log options of a `/containerLogs` query, validated as upstream's ValidatePodLogOptions. */
export function logOptions(q: URLSearchParams, now: number): LogReadOptions & { previous: boolean } {
  const tailLines = intParam(q, 'tailLines');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime') || undefined;
  const errs: string[] = [];
  if (tailLines !== undefined && tailLines < 0)
    errs.push(`tailLines: Invalid value: ${tailLines}: must be greater than or equal to 0`);
  if (limitBytes !== undefined && limitBytes < 1)
    errs.push(`limitBytes: Invalid value: ${limitBytes}: must be greater than 0`);
  if (sinceSeconds !== undefined && sinceTime !== undefined)
    errs.push('Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
  else if (sinceSeconds !== undefined && sinceSeconds < 1)
    errs.push(`sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
  let since: number | undefined;
  if (sinceSeconds !== undefined) since = now - sinceSeconds * 1000;
  if (sinceTime !== undefined) {
    since = Date.parse(sinceTime);
    if (Number.isNaN(since)) errs.push(`sinceTime: Invalid value: "${sinceTime}": must be an RFC 3339 time`);
  }
  if (errs.length) throw new KubeletHttpError(422, errs.join(', '));
  return {
    follow: flag(q, 'follow'),
    previous: flag(q, 'previous'),
    timestamps: flag(q, 'timestamps'),
    tailLines,
    limitBytes,
    since,
  };
}

/** The kubelet HTTPS server. */
export class KubeletServer {
  private server: Server | undefined;
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly opts: KubeletServerOptions) {}

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const { tls } = this.opts;
    const server = createServer({
      key: tls.keyPem,
      cert: tls.certPem,
      ca: tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (err) => this.opts.log.debug({ err }, 'upgraded connection error'));
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
      this.handleUpgrade(req, socket, head).catch((err: unknown) => {
        const e = err instanceof KubeletHttpError ? err : new KubeletHttpError(500, String(err));
        if (e.status >= 500) this.opts.log.warn({ err, path: req.url }, 'streaming request failed');
        if (socket.writable && !wasAnswered(socket)) rejectUpgrade(req, socket, e.status, e.message);
        else socket.destroy();
      });
    });
    server.on('tlsClientError', (err) => this.opts.log.debug({ err }, 'TLS handshake failed'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
      for (const socket of this.upgraded) socket.destroy();
    });
  }

  private fail(res: ServerResponse, err: unknown): void {
    const e =
      err instanceof KubeletHttpError
        ? err
        : new KubeletHttpError(500, err instanceof Error ? err.message : String(err));
    if (e.status >= 500) this.opts.log.warn({ err }, 'kubelet request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    const body = `${e.message}\n`;
    res.writeHead(e.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  /** Authenticates and authorizes; throws 401/403 as upstream's kubelet words them. */
  private async admit(req: IncomingMessage, path: string): Promise<KubeletUser> {
    const user = await authenticateRequest(req, this.opts.authenticateToken);
    if (!user) throw new KubeletHttpError(401, 'Unauthorized');
    if (isNodePeerRead(user, (req.method ?? 'GET').toUpperCase(), path)) return user;
    const [first, ...fallbacks] = requestAttributes(req.method ?? 'GET', path, this.opts.nodeName);
    if (!first) throw new KubeletHttpError(403, 'Forbidden');
    for (const attrs of [first, ...fallbacks]) {
      const { allowed } = await this.opts.authorize(user, attrs);
      if (allowed) return user;
    }
    throw new KubeletHttpError(403, forbiddenMessage(user, first));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    await this.admit(req, url.pathname);
    const r = route(url.pathname);
    switch (r.kind) {
      case 'healthz':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      case 'logs':
        return this.serveLogs(req, res, r, url.searchParams);
      case 'summary': {
        if (!this.opts.stats) throw new KubeletHttpError(404, 'stats are not available');
        const doc = await this.opts.stats.summary({
          onlyCpuAndMemory: flag(url.searchParams, 'only_cpu_and_memory'),
        });
        const body = JSON.stringify(doc);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case 'resourceMetrics': {
        if (!this.opts.stats) throw new KubeletHttpError(404, 'stats are not available');
        const text = await this.opts.stats.resourceMetrics();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
        return;
      }
      case 'metrics': {
        const text = this.opts.metrics ? await this.opts.metrics() : '';
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
        return;
      }
      case 'pods': {
        const list = this.opts.pods
          ? await this.opts.pods()
          : { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] };
        const body = JSON.stringify(list);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case 'routes':
        return this.serveRoutes(req, res, url.searchParams);
      case 'exec':
      case 'attach':
      case 'portForward':
        throw new KubeletHttpError(400, 'unable to upgrade: missing upgrade headers in request');
      default:
        throw new KubeletHttpError(404, '404 page not found');
    }
  }

  /**
   * `GET /k8ts/routes?ip=ADDRESS&waitMs=N`: long-polls (at most {@link MAX_ROUTES_WAIT_MS}) until this
   * node sends no new connection to ADDRESS, and answers `{"routed": false}`, or `{"routed": true}`
   * when the wait ran out first.
   */
  private async serveRoutes(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    if (!this.opts.routes) throw new KubeletHttpError(404, '404 page not found');
    const ip = q.get('ip') ?? '';
    if (!isIP(ip))
      throw new KubeletHttpError(400, `ip: invalid value ${JSON.stringify(ip)}: want an IP address`);
    const waitMs = intParam(q, 'waitMs') ?? 0;
    if (waitMs < 0) throw new KubeletHttpError(400, `waitMs: invalid value ${waitMs}: must not be negative`);
    const ac = new AbortController();
    const onClose = (): void => ac.abort();
    res.on('close', onClose);
    let routed: boolean;
    try {
      routed = await this.opts.routes(ip, Math.min(waitMs, MAX_ROUTES_WAIT_MS), ac.signal);
    } finally {
      res.off('close', onClose);
    }
    if (ac.signal.aborted) return;
    const body = JSON.stringify({ routed });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async serveLogs(
    req: IncomingMessage,
    res: ServerResponse,
    r: { namespace: string; pod: string; container: string },
    q: URLSearchParams,
  ): Promise<void> {
    const opts = logOptions(q, (this.opts.now ?? Date.now)());
    const target = await this.opts.runtime.containerLog(
      { namespace: r.namespace, pod: r.pod, container: r.container },
      { previous: opts.previous },
    );
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    };
    try {
      await readContainerLog(
        target.logPath,
        opts,
        async (chunk) => {
          start();
          if (!res.write(chunk)) {
            await new Promise<void>((resolve) => {
              res.once('drain', resolve);
              res.once('close', resolve);
            });
          }
        },
        {
          isRunning: () => this.opts.runtime.containerRunning(target.containerId),
          signal: ac.signal,
          pollMs: this.opts.logPollMs,
        },
      );
    } catch (err) {
      if (!started) throw err;
      this.opts.log.warn({ err, pod: r.pod, container: r.container }, 'reading container log failed');
    }
    start();
    res.end();
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    await this.admit(req, url.pathname);
    const r = route(url.pathname);
    if (r.kind !== 'exec' && r.kind !== 'attach' && r.kind !== 'portForward') {
      throw new KubeletHttpError(404, '404 page not found');
    }
    if (!isUpgradeRequest(req.headers)) {
      throw new KubeletHttpError(400, 'unable to upgrade: missing upgrade headers in request');
    }
    const q = url.searchParams;
    const protocols = isWebSocket(req) ? offeredProtocols(req) : [];
    if (r.kind === 'portForward') {
      const ports = (q.getAll('port').join(',') || '')
        .split(',')
        .filter(Boolean)
        .map((p) => Number(p));
      const target = new URL(
        await this.opts.runtime.portForward({ namespace: r.namespace, pod: r.pod, uid: r.uid, ports }),
      );
      const tunnelled = protocols
        .filter((p) => p.startsWith(SPDY_TUNNEL_PREFIX))
        .map((p) => p.slice(SPDY_TUNNEL_PREFIX.length));
      if (tunnelled.length) return serveTunnel(req, socket, head, target, tunnelled);
      return passThrough(req, socket, head, target);
    }
    const stream: StreamRequest = {
      namespace: r.namespace,
      pod: r.pod,
      uid: r.uid,
      container: r.container,
      cmd: q.getAll('command'),
      tty: flag(q, 'tty'),
      stdin: flag(q, 'input') || flag(q, 'stdin'),
      stdout: flag(q, 'output') || flag(q, 'stdout'),
      stderr: flag(q, 'error') || flag(q, 'stderr'),
    };
    if (stream.tty) stream.stderr = false;
    if (!stream.stdin && !stream.stdout && !stream.stderr) {
      throw new KubeletHttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
    }
    if (r.kind === 'exec' && stream.cmd.length === 0) {
      throw new KubeletHttpError(400, 'you must specify at least one command for the container');
    }
    const target = new URL(
      r.kind === 'exec' ? await this.opts.runtime.exec(stream) : await this.opts.runtime.attach(stream),
    );
    if (protocols.includes(V5_PROTOCOL)) {
      return serveV5(req, socket, head, target, stream, this.opts.log);
    }
    return passThrough(req, socket, head, target);
  }
}

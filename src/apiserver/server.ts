/**
 * The API server: HTTPS only (HTTP/2 and HTTP/1.1 on one port), and the request pipeline
 * authentication → authorization → handler, with metrics and structured logs per request.
 */
import type { IncomingMessage } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { apiErrors, ApiError } from '../api/errors.js';
import type { AuthorizationAttributes, Authenticator, Authorizer, UserInfo } from '../auth/types.js';
import { VERSION } from '../version.js';
import { responseOnSocket } from '../util/http-upgrade.js';
import type { Logger } from '../util/log.js';
import {
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.js';
import { answersOnStream, StreamRequest, StreamResponse } from './h2-stream.js';
import { runHealth, type HealthCheck } from './health.js';
import {
  toApiError,
  writeJSONText,
  writeStatus,
  writeStatusTo,
  type HttpRequest,
  type HttpResponse,
  type RequestContext,
} from './http.js';
import type { HandlerDeps } from './handlers/context.js';
import { handleResource } from './handlers/resource.js';
import type { ApiMetrics, RequestLabels } from './metrics.js';
import { metricVerb } from './metrics.js';
import { authorizationName, parseRequestInfo } from './request-info.js';

/** Subresources whose requests stay open (upstream's long-running request check). */
const LONG_RUNNING_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** Paths anyone may read without credentials (upstream's system:public-info-viewer). */
const PUBLIC_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;

export interface TlsMaterial {
  key: string;
  cert: string;
  /** CA certificates that client certificates must chain to. */
  clientCA: string;
}

/** Serves extra non-resource paths (OpenAPI); returns false when the path is not its own. */
export type ExtraRoute = (ctx: RequestContext) => Promise<boolean>;

export interface ApiServerOptions {
  bindAddress: string;
  port: number;
  tls: TlsMaterial;
  /** host:port advertised in /api's serverAddressByClientCIDRs. */
  advertiseAddress: string;
  handlers: HandlerDeps;
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** Denial text for a 403 (upstream wording), e.g. `User "jane" cannot list resource "pods" …`. */
  forbiddenReason(attrs: AuthorizationAttributes): string;
  anonymousUser: UserInfo;
  metrics: ApiMetrics;
  health: { livez: HealthCheck[]; readyz: HealthCheck[] };
  extraRoutes?: ExtraRoute[];
  log: Logger;
}

export class ApiServer {
  private server: Http2SecureServer | undefined;
  private readonly certUsers = new WeakMap<object, UserInfo | null>();
  private readonly discoveryCache = new Map<string, string>();

  constructor(private readonly opts: ApiServerOptions) {}

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const { tls } = this.opts;
    const server = createSecureServer({
      key: tls.key,
      cert: tls.cert,
      ca: tls.clientCA,
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: 1000 },
      minVersion: 'TLSv1.2',
    });
    const onRequest = (req: HttpRequest, res: HttpResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        this.opts.log.error({ err }, 'request handler failed');
        writeStatusTo(res, toApiError(err).status);
      });
    };
    server.on('request', onRequest);
    // Listening for 'request' made Node add its compatibility layer as the 'stream' listener. Plain
    // API requests skip it and are answered on the stream (./h2-stream.ts); the rest go through it.
    const compat = server.listeners('stream');
    if (compat.length === 1 && typeof compat[0] === 'function') {
      const viaCompat = compat[0] as (...args: unknown[]) => void;
      server.removeListener('stream', viaCompat);
      server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) => {
        if (!answersOnStream(headers)) {
          viaCompat.call(server, stream, headers, ...rest);
          return;
        }
        const res = new StreamResponse(stream);
        onRequest(
          new StreamRequest(stream, headers) as unknown as HttpRequest,
          res as unknown as HttpResponse,
        );
      });
    }
    // HTTP/1.1 upgrades (exec, attach, port-forward over WebSocket or SPDY) run the same pipeline
    // with the raw socket at hand; an ordinary response can still be written on it.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (err) => this.opts.log.debug({ err }, 'upgraded connection error'));
      const res = responseOnSocket(req, socket);
      this.handle(req, res, { socket, head }).catch((err: unknown) => {
        this.opts.log.error({ err }, 'upgrade handler failed');
        if (!res.headersSent) writeStatusTo(res, toApiError(err).status);
        else socket.destroy();
      });
    });
    server.on('sessionError', (err) => this.opts.log.debug({ err }, 'http2 session error'));
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

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      // Long-running requests (watches) would hold close() open.
      setTimeout(resolve, 2000).unref();
    });
  }

  private async authenticate(req: HttpRequest): Promise<UserInfo | undefined> {
    const authz = req.headers['authorization'];
    if (typeof authz === 'string' && authz.length > 0) {
      return this.opts.authenticator.authenticate({
        clientCertificates: [],
        headers: req.headers as Record<string, string | string[] | undefined>,
      });
    }
    const socket = ((req as Http2ServerRequest).stream?.session?.socket ?? req.socket) as TLSSocket;
    const known = this.certUsers.get(socket);
    if (known !== undefined) return known ?? undefined;
    let user: UserInfo | undefined;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate(true);
      const chain: Buffer[] = [];
      let c: typeof cert | undefined = cert;
      const seen = new Set<string>();
      while (c && c.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(c.raw);
        c = c.issuerCertificate;
      }
      if (chain.length)
        user = await this.opts.authenticator.authenticate({ clientCertificates: chain, headers: {} });
    }
    this.certUsers.set(socket, user ?? null);
    return user;
  }

  private async handle(
    req: HttpRequest,
    res: HttpResponse,
    upgrade?: { socket: Duplex; head: Buffer },
  ): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
    const info = parseRequestInfo(method, path, query);
    const accept = typeof req.headers['accept'] === 'string' ? req.headers['accept'] : '';
    let user: UserInfo | undefined;
    try {
      user = await this.authenticate(req);
    } catch (err) {
      this.opts.log.warn({ err }, 'authentication error');
    }
    const ctx: RequestContext = {
      req,
      res,
      method,
      path,
      query,
      info,
      user: user ?? this.opts.anonymousUser,
      warnings: [],
      accept,
      upgrade,
    };
    const long =
      info.verb === 'watch' || (info.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(info.subresource));
    const labels: RequestLabels = {
      verb: metricVerb(method, info.verb),
      dry_run: query.has('dryRun') ? 'All' : '',
      group: info.apiGroup,
      version: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      scope: info.isResourceRequest
        ? info.name
          ? 'resource'
          : info.namespace
            ? 'namespace'
            : 'cluster'
        : '',
      component: 'apiserver',
    };
    if (long)
      this.opts.metrics.watchers.inc({
        verb: labels.verb,
        group: labels.group,
        version: labels.version,
        resource: labels.resource,
        subresource: labels.subresource,
        scope: labels.scope,
        component: 'apiserver',
      });
    try {
      if (!user && !PUBLIC_PATHS.test(path)) throw apiErrors.unauthorized();
      if (user) await this.authorize(ctx);
      await this.route(ctx);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.code >= 500) this.opts.log.error({ err, method, path }, 'request failed');
      writeStatus(ctx, apiErr);
    } finally {
      const code = String(res.statusCode);
      this.opts.metrics.requests.record(
        labels,
        code,
        long ? undefined : (performance.now() - started) / 1000,
      );
      if (long) {
        this.opts.metrics.watchers.dec({
          verb: labels.verb,
          group: labels.group,
          version: labels.version,
          resource: labels.resource,
          subresource: labels.subresource,
          scope: labels.scope,
          component: 'apiserver',
        });
      }
      if (this.opts.log.isLevelEnabled('debug')) {
        this.opts.log.debug(
          { method, path, code, user: ctx.user.username, ms: Math.round(performance.now() - started) },
          'request',
        );
      }
    }
  }

  private async authorize(ctx: RequestContext): Promise<void> {
    const { info } = ctx;
    const attrs: AuthorizationAttributes = {
      user: ctx.user,
      verb: info.isResourceRequest ? info.verb : ctx.method.toLowerCase(),
      resourceRequest: info.isResourceRequest,
      path: ctx.path,
      namespace: info.namespace,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      name: info.isResourceRequest ? authorizationName(info, ctx.query) : '',
    };
    if (!info.isResourceRequest && PUBLIC_PATHS.test(ctx.path)) return;
    const result = await this.opts.authorizer.authorize(attrs);
    if (result.decision === 'allow') return;
    const reason = this.opts.forbiddenReason(attrs);
    if (!info.isResourceRequest) throw apiErrors.forbiddenMessage(`forbidden: ${reason}`, {});
    const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
    throw apiErrors.forbidden({ group: info.apiGroup, resource }, attrs.name, reason);
  }

  private async route(ctx: RequestContext): Promise<void> {
    const { info, path } = ctx;
    if (info.isResourceRequest) return handleResource(this.opts.handlers, ctx);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      for (const r of this.opts.extraRoutes ?? []) if (await r(ctx)) return;
      throw apiErrors.pathNotFound();
    }
    const health = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(path);
    if (health) {
      const endpoint = health[1] ?? 'healthz';
      const checks = endpoint === 'livez' ? this.opts.health.livez : this.opts.health.readyz;
      const r = await runHealth(endpoint, checks, health[2] ?? '', ctx.query);
      ctx.res.writeHead(r.code, {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      });
      ctx.res.end(r.body);
      return;
    }
    if (path === '/version' || path === '/version/') {
      writeJSONText(ctx, 200, JSON.stringify(VERSION, null, 2));
      return;
    }
    if (path === '/metrics') {
      const body = await this.opts.metrics.registry.metrics();
      ctx.res.writeHead(200, { 'content-type': this.opts.metrics.registry.contentType });
      ctx.res.end(body);
      return;
    }
    if (this.serveDiscovery(ctx)) return;
    for (const r of this.opts.extraRoutes ?? []) if (await r(ctx)) return;
    if (path === '/') {
      writeJSONText(
        ctx,
        200,
        JSON.stringify(
          {
            paths: [
              '/api',
              '/api/v1',
              '/apis',
              '/healthz',
              '/livez',
              '/metrics',
              '/openapi/v2',
              '/openapi/v3',
              '/readyz',
              '/version',
            ],
          },
          null,
          2,
        ),
      );
      return;
    }
    throw apiErrors.pathNotFound();
  }

  /** Discovery documents, built once per form and cached as text. */
  private serveDiscovery(ctx: RequestContext): boolean {
    const parts = ctx.path.split('/').filter(Boolean);
    const agg = wantsAggregated(ctx.accept);
    let key: string;
    let build: () => Record<string, unknown> | undefined;
    let contentType = 'application/json';
    if (parts[0] === 'api' && parts.length === 1) {
      if (agg) {
        key = `agg-core-${agg}`;
        build = () => aggregatedDiscovery(true, agg);
        contentType = `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`;
      } else {
        key = 'api';
        build = () => apiVersions(this.opts.advertiseAddress);
      }
    } else if (parts[0] === 'apis' && parts.length === 1) {
      if (agg) {
        key = `agg-apis-${agg}`;
        build = () => aggregatedDiscovery(false, agg);
        contentType = `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`;
      } else {
        key = 'apis';
        build = apiGroupList;
      }
    } else if (parts[0] === 'api' && parts.length === 2) {
      key = `api/${parts[1] ?? ''}`;
      build = () => apiResourceList('', parts[1] ?? '');
    } else if (parts[0] === 'apis' && parts.length === 2) {
      key = `apis/${parts[1] ?? ''}`;
      build = () => apiGroupDoc(parts[1] ?? '');
    } else if (parts[0] === 'apis' && parts.length === 3) {
      key = `apis/${parts[1] ?? ''}/${parts[2] ?? ''}`;
      build = () => apiResourceList(parts[1] ?? '', parts[2] ?? '');
    } else {
      return false;
    }
    let text = this.discoveryCache.get(key);
    if (text === undefined) {
      const doc = build();
      if (!doc) throw apiErrors.pathNotFound();
      text = JSON.stringify(doc);
      this.discoveryCache.set(key, text);
    }
    writeJSONText(ctx, 200, text, contentType);
    return true;
  }
}

export { ApiError };

/**
 * Health-check node ports of LoadBalancer Services with `externalTrafficPolicy: Local`.
 *
 * The API server gives such a Service a `spec.healthCheckNodePort`; every node's proxy answers HTTP on
 * it, on the node's addresses, so that an external load balancer sends traffic only to nodes that
 * hold a ready endpoint of the Service (Local policy drops traffic on the others). The answer is what
 * upstream's kube-proxy gives: 200 when the node has at least one ready local endpoint and the proxy
 * is healthy, else 503, with a JSON body naming the Service and the count of local endpoints.
 */
import http from 'node:http';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../util/log.js';
import type { ServicePortModel } from './model.js';

/** What one Service's health check needs: its port and its ready endpoints on this node. */
export interface HealthCheckTarget {
  port: number;
  localEndpoints: number;
}

/**
 * The health check of `svc` on node `nodeName`, or undefined when it has none: LoadBalancer,
 * externalTrafficPolicy Local and a health-check node port. `ports` is the proxy's model of the
 * Service; local ready endpoints are counted once per address and port, over all its ports.
 */
export function healthCheckOf(
  svc: Service,
  ports: readonly ServicePortModel[],
  nodeName: string,
): HealthCheckTarget | undefined {
  const spec = svc.spec ?? {};
  const port = spec.healthCheckNodePort ?? 0;
  if (spec.type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local') return undefined;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const local = new Set<string>();
  for (const p of ports)
    for (const ep of p.endpoints) if (ep.ready && ep.nodeName === nodeName) local.add(`${ep.ip}:${ep.port}`);
  return { port, localEndpoints: local.size };
}

/** Options of {@link ServiceHealthServers}. */
export interface ServiceHealthServersOptions {
  /** Addresses to listen on (the node's addresses, where NodePorts answer too). */
  nodeIPs: string[];
  logger: Logger;
  /** Whether the proxy itself is healthy (its rules are programmed); reported in every answer. */
  proxyHealthy: () => boolean;
  /** Called when a port cannot be opened (the proxy records a Warning event on the Service). */
  onListenError?: (service: string, port: number, err: Error) => void;
}

interface Instance {
  port: number;
  localEndpoints: number;
  servers: http.Server[];
}

/** One HTTP listener per health-checked Service (and node address), kept in line with the Services. */
export class ServiceHealthServers {
  private readonly instances = new Map<string, Instance>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: ServiceHealthServersOptions) {}

  /** The open health checks, `ns/name` → port and local endpoints (tests and metrics). */
  get targets(): ReadonlyMap<string, HealthCheckTarget> {
    const out = new Map<string, HealthCheckTarget>();
    for (const [key, i] of this.instances) out.set(key, { port: i.port, localEndpoints: i.localEndpoints });
    return out;
  }

  /**
   * Queues {@link set}: changes are applied one after another, in the order they were made, so two
   * quick changes of one Service never open its port twice. Resolves when this one is applied.
   */
  update(key: string, target: HealthCheckTarget | undefined): Promise<void> {
    const next = this.chain.then(() => this.set(key, target));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Brings one Service's health check in line: opens its port when new or moved, updates its endpoint
   * count, closes it when `target` is undefined (Service gone, or no longer LoadBalancer/Local).
   */
  async set(key: string, target: HealthCheckTarget | undefined): Promise<void> {
    if (this.closed) return;
    const cur = this.instances.get(key);
    if (cur && target && cur.port === target.port) {
      cur.localEndpoints = target.localEndpoints;
      return;
    }
    if (cur) {
      this.instances.delete(key);
      await closeAll(cur.servers);
    }
    if (!target) return;
    const inst: Instance = { port: target.port, localEndpoints: target.localEndpoints, servers: [] };
    try {
      for (const ip of this.opts.nodeIPs) inst.servers.push(await this.listen(key, ip, target.port));
    } catch (err) {
      await closeAll(inst.servers);
      this.opts.logger.error({ err, service: key, port: target.port }, 'could not open health check port');
      this.opts.onListenError?.(key, target.port, err as Error);
      return;
    }
    if (this.closed) {
      await closeAll(inst.servers);
      return;
    }
    this.instances.set(key, inst);
    this.opts.logger.info({ service: key, port: target.port }, 'health check port open');
  }

  /** Closes every listener. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    const all = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(all.map((i) => closeAll(i.servers)));
  }

  private listen(key: string, ip: string, port: number): Promise<http.Server> {
    const [namespace = '', name = ''] = key.split('/');
    const server = http.createServer((req, res) => {
      const count = this.instances.get(key)?.localEndpoints ?? 0;
      const healthy = this.opts.proxyHealthy();
      const body = JSON.stringify(
        { service: { namespace, name }, localEndpoints: count, serviceProxyHealthy: healthy },
        null,
        2,
      );
      res.writeHead(count > 0 && healthy ? 200 : 503, {
        'Content-Type': 'application/json',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(body);
      req.resume();
    });
    server.keepAliveTimeout = 5000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: ip, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) =>
          this.opts.logger.warn({ err, service: key, port }, 'health check server error'),
        );
        resolve(server);
      });
    });
  }
}

function closeAll(servers: http.Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  ).then(() => undefined);
}

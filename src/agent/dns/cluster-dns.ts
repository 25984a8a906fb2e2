/**
 * The node's cluster DNS server: watches Services and EndpointSlices through informers, keeps the
 * {@link DnsCache} current one event at a time, and serves the cluster zone over UDP and TCP on the
 * node's address (port 10053 by convention; the kube-dns Service's endpoints point there). Other
 * names go to the upstream servers (the node's /etc/resolv.conf unless a list is given).
 */
import { createInformer } from '../../client/informer.js';
import { ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../client/types.js';
import { componentLogger, type Logger } from '../../util/log.js';
import { DnsCache } from './cache.js';
import { Forwarder, parseUpstream, readResolvConf, upstreamText, type Upstream } from './forwarder.js';
import { QueryHandler } from './handler.js';
import { DnsMetrics } from './metrics.js';
import { canonicalIP } from './names.js';
import type { PodMode } from './resolver.js';
import { DnsServer } from './server.js';
import { serviceOf, sliceOf, trimService, trimSlice } from './types.js';

/** The port every agent serves DNS on (the kube-dns EndpointSlice points here). */
export const DEFAULT_DNS_PORT = 10053;

/** Settings of {@link ClusterDns}. */
export interface ClusterDnsOptions {
  client: Client;
  /** Where to serve: the node's IP and port {@link DEFAULT_DNS_PORT} in the agent; port 0 in tests. */
  listen: { host: string; port: number };
  /** The cluster domain (default `cluster.local`). */
  zone?: string;
  /**
   * Upstream servers for other names (`1.1.1.1`, `10.0.0.2:53`, `[fd00::1]:53`). Omitted: the
   * `nameserver` lines of {@link resolvConf}. Empty: no forwarding (such names get REFUSED).
   */
  upstreams?: string[];
  /** resolv.conf read when `upstreams` is omitted (default /etc/resolv.conf). */
  resolvConf?: string;
  /** TTL of every answer, seconds (default 5, like CoreDNS's kubernetes plugin). */
  ttl?: number;
  /** Pod records `a-b-c-d.<ns>.pod.<zone>` (default `insecure`: any well-formed address answers). */
  podMode?: PodMode;
  /** Shuffle the addresses of multi-address answers (headless Services; default true). */
  shuffle?: boolean;
  /** Wait per upstream try, ms (default 2000). */
  forwardTimeoutMs?: number;
  logger?: Logger;
  /**
   * Informers to read Services and EndpointSlices from, shared with other parts of the agent
   * (src/client/shared-informers.ts); their transform must keep what {@link trimService} and
   * {@link trimSlice} keep. Omitted: the server watches both itself, with those transforms.
   */
  informers?: { services: Informer; slices: Informer };
}

/** The cluster DNS server of one node. */
export class ClusterDns {
  readonly cache: DnsCache;
  readonly metrics: DnsMetrics;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly services: Informer;
  private readonly slices: Informer;
  private server: DnsServer | undefined;
  private forwarder: Forwarder | undefined;

  constructor(private readonly o: ClusterDnsOptions) {
    const zone = (o.zone ?? 'cluster.local').toLowerCase().replace(/^\.+|\.+$/g, '');
    this.log = o.logger ?? componentLogger('dns');
    this.cache = new DnsCache(zone);
    this.metrics = new DnsMetrics(`dns://${upstreamText(o.listen)}`);
    this.services =
      o.informers?.services ??
      createInformer(o.client, SERVICES, {
        transform: trimService,
        logger: this.log.child({ resource: 'services' }),
      });
    this.slices =
      o.informers?.slices ??
      createInformer(o.client, ENDPOINTSLICES, {
        transform: trimSlice,
        logger: this.log.child({ resource: 'endpointslices' }),
      });
    const cache = this.cache;
    this.services.addHandlers({
      add: (obj: ApiObject) => cache.upsertService(serviceOf(obj)),
      update: (_old: ApiObject, obj: ApiObject) => cache.upsertService(serviceOf(obj)),
      delete: (obj: ApiObject) => cache.deleteService(obj.metadata.namespace ?? '', obj.metadata.name ?? ''),
    });
    this.slices.addHandlers({
      add: (obj: ApiObject) => cache.upsertSlice(sliceOf(obj)),
      update: (_old: ApiObject, obj: ApiObject) => cache.upsertSlice(sliceOf(obj)),
      delete: (obj: ApiObject) => cache.deleteSlice(obj.metadata.namespace ?? '', obj.metadata.name ?? ''),
    });
  }

  /** Starts the informers, waits until both have synced, then binds the sockets. */
  async start(): Promise<void> {
    try {
      await this.startInner();
    } catch (err) {
      this.abort.abort(); // no informers left running behind a failed start
      throw err;
    }
  }

  private async startInner(): Promise<void> {
    const signal = this.abort.signal;
    this.services.start(signal);
    this.slices.start(signal);
    await Promise.all([this.services.waitForSync(signal), this.slices.waitForSync(signal)]);
    const upstreams = this.upstreams();
    this.forwarder = new Forwarder({
      upstreams,
      timeoutMs: this.o.forwardTimeoutMs,
      onTry: (to, rcode) =>
        this.metrics.recordForward(upstreamText(to), rcode === undefined ? '' : rcodeName(rcode)),
    });
    const server = new DnsServer({
      host: this.o.listen.host,
      port: this.o.listen.port,
      log: this.log,
      handler: new QueryHandler({
        cache: this.cache,
        resolver: { ttl: this.o.ttl ?? 5, podMode: this.o.podMode ?? 'insecure' },
        forwarder: this.forwarder,
        metrics: this.metrics,
        log: this.log,
        shuffle: this.o.shuffle ?? true,
      }),
    });
    await server.listen();
    this.server = server;
    this.log.info(
      {
        address: upstreamText(server.address),
        zone: this.cache.zone,
        services: this.cache.serviceCount,
        upstreams: upstreams.map(upstreamText),
      },
      'cluster DNS serving',
    );
  }

  /** Closes the sockets and stops the informers. */
  async stop(): Promise<void> {
    this.abort.abort();
    const s = this.server;
    this.server = undefined;
    await s?.close();
  }

  /** The bound address (its port is the real one when 0 was asked). */
  get address(): { host: string; port: number } {
    return this.server?.address ?? { ...this.o.listen };
  }

  /** The upstreams in use (after {@link start}). */
  get upstreamServers(): readonly Upstream[] {
    return this.forwarder?.upstreams ?? [];
  }

  /** CoreDNS-named metrics in the Prometheus text format. */
  metricsText(): string {
    return this.metrics.render();
  }

  /**
   * The configured upstreams, less any that would loop back to this server or to the cluster DNS
   * Service itself (a node whose resolv.conf names the cluster DNS).
   */
  private upstreams(): Upstream[] {
    const list =
      this.o.upstreams !== undefined
        ? this.o.upstreams.map(parseUpstream)
        : readResolvConf(this.o.resolvConf);
    const self = new Set<string>();
    self.add(`${canonicalIP(this.o.listen.host) ?? this.o.listen.host}:${this.o.listen.port}`);
    for (const ip of this.cache.service('kube-system', 'kube-dns')?.svc.clusterIPs ?? [])
      self.add(`${canonicalIP(ip) ?? ip}:53`);
    return list.filter((u) => {
      const key = `${canonicalIP(u.host) ?? u.host}:${u.port}`;
      if (!self.has(key)) return true;
      this.log.warn({ upstream: upstreamText(u) }, 'ignoring a DNS upstream that points back at cluster DNS');
      return false;
    });
  }
}

function rcodeName(n: number): string {
  return ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][n] ?? String(n);
}

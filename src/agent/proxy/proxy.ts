/**
 * The node agent's service proxy: informers on Services and EndpointSlices feed a set of "dirty"
 * Services; a sync loop turns them into nft commands and applies them in one transaction.
 *
 * - The first sync (and one every `fullResyncPeriodMs`) replaces the whole table; later syncs write
 *   only what changed (map elements and the changed Services' chains and sets).
 * - Syncs are rate-limited: at most one per `minSyncPeriodMs` (default 1 s), at once when idle.
 * - A refused transaction leaves the kernel as it was. The proxy then applies the dirty Services one
 *   at a time, so a Service the kernel refuses is held back (and retried with backoff) while every
 *   other Service is programmed.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createInformer } from '../../client/informer.js';
import { ENDPOINTSLICES, SERVICES } from '../../client/resources.js';
import type { ApiObject, Client, Informer } from '../../client/types.js';
import { EventRecorder } from '../../client/events.js';
import { componentLogger, type Logger } from '../../util/log.js';
import { nftRunner, type NftRunner } from './apply.js';
import { conntrackRunner, staleUdpFlows, type ConntrackRunner } from './conntrack.js';
import { healthCheckOf, ServiceHealthServers } from './health.js';
import { ProxyMetrics } from './metrics.js';
import { buildServicePorts, isIPv4, isIPv4CIDR, serviceKeyOf, sliceServiceKey } from './model.js';
import { emptyState, renderDiff, renderFull, renderResync, resolveElements, type TableState } from './nft.js';
import { serviceFragment, type Fragment, type NodeContext } from './rules.js';

/** A Service as the proxy caches it. */
export type ServiceObject = Service & ApiObject;
/** An EndpointSlice as the proxy caches it. */
export type SliceObject = EndpointSlice & ApiObject;

/** EndpointSlice annotation: when the change behind this version of the slice happened. */
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Options of {@link ServiceProxy}. */
export interface ServiceProxyOptions {
  client: Client;
  nodeName: string;
  /** The node's IPv4 addresses: NodePorts answer on these (not on 127.0.0.1). */
  nodeIPs: string[];
  /** The pod network; traffic to a ClusterIP from outside it is masqueraded. */
  clusterCIDR?: string;
  logger?: Logger;
  /** Minimum time between two syncs (default {@link DEFAULT_MIN_SYNC_PERIOD_MS}). */
  minSyncPeriodMs?: number;
  /** Rewrite every rule and map element this often (default 1 h; 0 = only at start). */
  fullResyncPeriodMs?: number;
  /** nft table name (family ip); default `k8ts-proxy`. */
  table?: string;
  /** How nft transactions are applied (default: `nft -f -` in this network namespace). */
  nft?: NftRunner;
  /** How stale UDP conntrack entries are deleted (default: `conntrack` in this network namespace). */
  conntrack?: ConntrackRunner;
  /** Retry delays after failures: first, and cap (default 500 ms, 30 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  metrics?: ProxyMetrics;
  /**
   * Serve the health-check node ports of LoadBalancer Services with externalTrafficPolicy Local on
   * the node's addresses (default true).
   */
  healthCheckNodePorts?: boolean;
  /**
   * Informers to read Services and EndpointSlices from, shared with other parts of the agent
   * (src/client/shared-informers.ts); their transform must keep what the proxy reads (every field
   * but managedFields and the last-applied annotation). Omitted: the proxy watches both itself.
   */
  informers?: { services: Informer<ServiceObject>; slices: Informer<SliceObject> };
}

/**
 * Default minimum time between syncs. Under steady churn a change waits at most this long plus one
 * sync; 500 ms keeps change → kernel under the 1 s goal (bench/proxy-sync.ts) with at most two nft
 * processes a second.
 */
export const DEFAULT_MIN_SYNC_PERIOD_MS = 500;

/** Default nft table name. */
export const DEFAULT_TABLE = 'k8ts-proxy';

/** A Service the kernel refused, held back until `at`. */
interface HeldBack {
  at: number;
  failures: number;
}

/** The service proxy of one node. */
export class ServiceProxy {
  readonly metrics: ProxyMetrics;
  private readonly log: Logger;
  private readonly table: string;
  private readonly nft: NftRunner;
  private readonly conntrack: ConntrackRunner;
  private readonly node: NodeContext;
  private readonly nodeIPs: string[];
  private readonly minSyncMs: number;
  private readonly fullResyncMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private abort: AbortController | undefined;
  private services: Informer<ServiceObject> | undefined;
  private slices: Informer<SliceObject> | undefined;
  /** What the kernel holds; undefined until a full sync succeeds (and after a failure of unknown effect). */
  private applied: TableState | undefined;
  /** Service key → earliest unsynced change time (ms since epoch). */
  private dirty = new Map<string, number>();
  private heldBack = new Map<string, HeldBack>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private running: Promise<void> | undefined;
  private lastSyncStart = -Infinity;
  private lastFullSync = 0;
  private failures = 0;
  private stopped = false;
  /** Problems already logged per Service (logged again only when they change). */
  private reported = new Map<string, string>();
  private syncWaiters: (() => void)[] = [];
  /** Rejects start() when the first sync cannot work at all (no nft binary). */
  private startFailed: ((err: Error) => void) | undefined;
  /** The endpoint addresses of {@link routedFor} (see {@link routes}). */
  private routedIPs: ReadonlySet<string> = new Set();
  private routedFor: TableState | undefined;
  /** Health-check node ports (undefined when turned off). */
  readonly health: ServiceHealthServers | undefined;

  constructor(private readonly opts: ServiceProxyOptions) {
    this.log = opts.logger ?? componentLogger('proxy');
    this.table = opts.table ?? DEFAULT_TABLE;
    this.nft = opts.nft ?? nftRunner();
    this.conntrack = opts.conntrack ?? conntrackRunner();
    this.metrics = opts.metrics ?? new ProxyMetrics();
    this.minSyncMs = opts.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_PERIOD_MS;
    this.fullResyncMs = opts.fullResyncPeriodMs ?? 3_600_000;
    this.retryInitialMs = opts.retryInitialMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
    this.nodeIPs = opts.nodeIPs.filter((ip) => {
      if (isIPv4(ip)) return true;
      this.log.warn({ ip }, 'node address is not IPv4: NodePorts are not served on it');
      return false;
    });
    this.node = { nodeName: opts.nodeName };
    if (opts.healthCheckNodePorts !== false) {
      const recorder = new EventRecorder(opts.client, opts.nodeName, this.log, undefined, 'kube-proxy');
      this.health = new ServiceHealthServers({
        nodeIPs: this.nodeIPs,
        logger: this.log,
        proxyHealthy: () => this.applied !== undefined && this.failures === 0,
        onListenError: (key, port, err) => {
          const [namespace, name = ''] = key.split('/');
          void recorder.record(
            {
              kind: 'Service',
              apiVersion: 'v1',
              namespace,
              name,
              uid: this.services?.get(key)?.metadata.uid,
            },
            'Warning',
            'FailedToStartServiceHealthcheck',
            `node ${opts.nodeName} failed to start healthcheck "${key}" on port ${port}: ${err.message}`,
          );
        },
      });
    }
    if (opts.clusterCIDR !== undefined) {
      if (isIPv4CIDR(opts.clusterCIDR)) this.node.clusterCIDR = opts.clusterCIDR;
      else
        this.log.warn(
          { clusterCIDR: opts.clusterCIDR },
          'cluster CIDR is not IPv4: off-cluster masquerading is off',
        );
    }
  }

  /** Starts the informers; resolves once the first full sync is in the kernel. */
  async start(): Promise<void> {
    if (this.abort) throw new Error('service proxy already started');
    this.abort = new AbortController();
    const { client } = this.opts;
    const signal = this.abort.signal;
    const shared = this.opts.informers;
    this.services =
      shared?.services ??
      createInformer<ServiceObject>(client, SERVICES, { logger: this.log, transform: slim });
    this.slices =
      shared?.slices ??
      createInformer<SliceObject>(client, ENDPOINTSLICES, { logger: this.log, transform: slim });
    this.slices.addIndex('service', (s) => {
      const key = sliceServiceKey(s);
      return key ? [key] : [];
    });
    const svcChanged = (s: ServiceObject): void =>
      this.markDirty(serviceKeyOf(s.metadata.namespace, s.metadata.name));
    this.services.addHandlers({ add: svcChanged, update: (_o, n) => svcChanged(n), delete: svcChanged });
    const sliceChanged = (s: SliceObject): void => {
      const key = sliceServiceKey(s);
      if (key) this.markDirty(key, triggerTime(s));
    };
    this.slices.addHandlers({
      add: sliceChanged,
      update: (o, n) => {
        const before = sliceServiceKey(o);
        if (before && before !== sliceServiceKey(n)) this.markDirty(before);
        sliceChanged(n);
      },
      delete: sliceChanged,
    });
    this.services.start(signal);
    this.slices.start(signal);
    await Promise.all([this.services.waitForSync(signal), this.slices.waitForSync(signal)]);
    // The first sync replaces the table; it is retried like any other until it succeeds.
    await new Promise<void>((resolve, reject) => {
      this.syncWaiters.push(resolve);
      this.startFailed = reject;
      signal.addEventListener(
        'abort',
        () => reject(new Error('service proxy stopped before its first sync')),
        {
          once: true,
        },
      );
      this.schedule(0);
    });
  }

  /** Stops watching and syncing; the rules stay in the kernel (see {@link cleanup}). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.health?.close();
  }

  /** Removes everything the proxy installed (its whole nft table). Call after {@link stop}. */
  async cleanup(): Promise<void> {
    await this.nft(`add table ip ${this.table}\ndelete table ip ${this.table}\n`);
    this.applied = undefined;
  }

  /** The proxy's metrics in Prometheus text format (for the agent's /metrics). */
  metricsText(): Promise<string> {
    return this.metrics.text();
  }

  /** True when the rules in the kernel send new connections of some Service to `ip`. */
  routes(ip: string): boolean {
    const state = this.applied;
    if (this.routedFor !== state) {
      // Rebuilt once per programmed state: drains poll this every 50 ms, syncs change it rarely.
      const all = new Set<string>();
      for (const f of state?.fragments.values() ?? []) for (const a of f.routed) all.add(a);
      this.routedIPs = all;
      this.routedFor = state;
    }
    return this.routedIPs.has(ip);
  }

  /**
   * Resolves once the kernel's rules send no new connection to `ip` (true), or after `timeoutMs`
   * (false): the kubelet waits for this before it stops a deleted pod.
   */
  async waitUnrouted(ip: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.routes(ip)) {
      if (Date.now() >= deadline || this.stopped) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** True when no change waits to be programmed (tests and benchmarks poll it). */
  idle(): boolean {
    return this.dirty.size === 0 && this.running === undefined && this.applied !== undefined;
  }

  // -------------------------------------------------------------------------------------------------

  private markDirty(key: string, at = Date.now()): void {
    const prev = this.dirty.get(key);
    if (prev === undefined || at < prev) this.dirty.set(key, at);
    this.heldBack.delete(key); // a new version may be fine: try it at once
    if (this.applied !== undefined) this.schedule(this.lastSyncStart + this.minSyncMs - performance.now());
  }

  /** Runs a sync after `delayMs` unless one is due sooner or running (it reschedules when done). */
  private schedule(delayMs: number): void {
    if (this.stopped || this.running) return;
    const due = performance.now() + Math.max(0, delayMs);
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.running = this.runSync().finally(() => {
          this.running = undefined;
          this.afterSync();
        });
      },
      Math.max(0, delayMs),
    );
  }

  private afterSync(): void {
    if (this.stopped) return;
    const now = Date.now();
    let due = Infinity;
    for (const key of this.dirty.keys()) {
      const held = this.heldBack.get(key);
      due = Math.min(due, held ? held.at - now : 0);
    }
    if (this.applied === undefined || this.failures > 0) due = Math.min(due, this.retryDelay());
    if (this.fullResyncMs > 0) due = Math.min(due, this.lastFullSync + this.fullResyncMs - now);
    if (due === Infinity) return;
    this.schedule(Math.max(due, this.lastSyncStart + this.minSyncMs - performance.now()));
  }

  private retryDelay(): number {
    if (this.failures === 0) return 0;
    return Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.failures - 1));
  }

  /** The fragment of one Service from the caches (undefined when it has nothing to program). */
  private fragmentOf(key: string): Fragment | undefined {
    const svc = this.services?.get(key);
    if (!svc) {
      this.reported.delete(key);
      void this.health?.update(key, undefined);
      return undefined;
    }
    const slices = this.slices?.byIndex('service', key) ?? [];
    const { ports, problems } = buildServicePorts(svc, slices);
    void this.health?.update(key, healthCheckOf(svc, ports, this.node.nodeName));
    const summary = problems.join('; ');
    if (summary && this.reported.get(key) !== summary)
      this.log.warn({ service: key, problems }, 'service partly skipped');
    if (summary) this.reported.set(key, summary);
    else this.reported.delete(key);
    return ports.length > 0 ? serviceFragment(ports, this.node) : undefined;
  }

  private stateWith(
    base: ReadonlyMap<string, Fragment>,
    changes: Map<string, Fragment | undefined>,
  ): TableState {
    const fragments = new Map(base);
    for (const [key, frag] of changes) {
      if (frag) fragments.set(key, frag);
      else fragments.delete(key);
    }
    const { elements, conflicts } = resolveElements(fragments);
    for (const c of conflicts)
      this.log.warn({ conflict: c }, 'address and port already used by another service');
    return { fragments, elements, nodeIPs: this.nodeIPs };
  }

  private async runSync(): Promise<void> {
    const started = performance.now();
    this.lastSyncStart = started;
    const now = Date.now();
    const full =
      this.applied === undefined || (this.fullResyncMs > 0 && now - this.lastFullSync >= this.fullResyncMs);
    // The Services this sync handles, with when they changed (undefined: not changed, just resynced).
    const batch = new Map<string, number | undefined>();
    if (full) {
      for (const svc of this.services?.list() ?? []) {
        batch.set(serviceKeyOf(svc.metadata.namespace, svc.metadata.name), undefined);
      }
      // Before the first sync nothing was programmed: the initial objects are not changes to time.
      if (this.applied !== undefined) for (const [key, at] of this.dirty) batch.set(key, at);
      else for (const key of this.dirty.keys()) batch.set(key, undefined);
      for (const key of this.applied?.fragments.keys() ?? []) if (!batch.has(key)) batch.set(key, undefined);
      this.dirty.clear();
      this.heldBack.clear();
    } else {
      for (const [key, at] of this.dirty) {
        const held = this.heldBack.get(key);
        if (held && held.at > now) continue;
        batch.set(key, at);
      }
      for (const key of batch.keys()) this.dirty.delete(key);
    }
    const changes = new Map<string, Fragment | undefined>();
    for (const key of batch.keys()) changes.set(key, this.fragmentOf(key));
    const before = this.applied;
    try {
      if (full) {
        const next = this.stateWith(new Map(), changes);
        try {
          // The first sync clears what an earlier run left; later full syncs keep affinity entries.
          await this.nft(
            this.applied ? renderResync(this.table, this.applied, next) : renderFull(this.table, next),
          );
          this.applied = next;
        } catch (err) {
          // Something in the whole table was refused: install the bare table, then the Services one
          // by one, so that only the bad ones are left out.
          this.log.warn({ err }, 'full sync refused; applying services one at a time');
          await this.nft(renderFull(this.table, emptyState(this.nodeIPs)));
          this.applied = emptyState(this.nodeIPs);
          await this.applyOneByOne(changes, batch);
        }
        this.lastFullSync = Date.now();
      } else if (changes.size > 0) {
        const prev = this.applied ?? emptyState(this.nodeIPs);
        const next = this.stateWith(prev.fragments, changes);
        const text = renderDiff(this.table, prev, next);
        try {
          if (text) await this.nft(text);
          this.applied = next;
        } catch (err) {
          if (changes.size === 1) throw err;
          this.log.warn({ err, services: changes.size }, 'sync refused; applying services one at a time');
          await this.applyOneByOne(changes, batch);
        }
      }
      this.failures = 0;
      const done = Date.now();
      if (before && this.applied) await this.clearStaleFlows(before, this.applied);
      for (const [key, at] of batch) {
        if (at === undefined || this.dirty.has(key) || this.heldBack.has(key)) continue;
        this.metrics.programmingDuration.observe(Math.max(0, done - at) / 1000);
      }
      this.metrics.syncDuration.observe((performance.now() - started) / 1000);
      this.metrics.lastSync.set(done / 1000);
      this.metrics.services.set(this.applied?.fragments.size ?? 0);
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      this.startFailed = undefined;
      for (const w of waiters) w();
    } catch (err) {
      this.failures++;
      this.metrics.syncFailures.inc();
      // Nothing of this batch is known to be programmed: it stays dirty for the retry.
      for (const [key, at] of batch) {
        const prev = this.dirty.get(key);
        const when = at ?? now;
        if (prev === undefined || when < prev) this.dirty.set(key, when);
      }
      if (full) this.applied = undefined;
      this.log.error({ err, retryInMs: this.retryDelay() }, 'syncing proxy rules failed');
      if (this.startFailed && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        // nft is not installed: retrying cannot help
        this.startFailed(new Error(`service proxy cannot program the kernel: ${(err as Error).message}`));
        void this.stop();
      }
    }
  }

  /** Deletes UDP conntrack entries the sync made stale (best effort: failures are only logged). */
  private async clearStaleFlows(prev: TableState, next: TableState): Promise<void> {
    for (const args of staleUdpFlows(prev, next)) {
      try {
        await this.conntrack(args);
      } catch (err) {
        this.log.warn({ err, args }, 'could not clear stale UDP conntrack entries');
      }
    }
  }

  /** Applies each changed Service in its own transaction; refused ones are held back with backoff. */
  private async applyOneByOne(
    changes: Map<string, Fragment | undefined>,
    batch: Map<string, number | undefined>,
  ): Promise<void> {
    for (const [key, frag] of changes) {
      const prev = this.applied ?? emptyState(this.nodeIPs);
      const next = this.stateWith(prev.fragments, new Map([[key, frag]]));
      const text = renderDiff(this.table, prev, next);
      try {
        if (text) await this.nft(text);
        this.applied = next;
      } catch (err) {
        const held = this.heldBack.get(key);
        const failures = (held?.failures ?? 0) + 1;
        const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (failures - 1));
        this.heldBack.set(key, { at: Date.now() + delay, failures });
        this.dirty.set(key, batch.get(key) ?? Date.now());
        this.metrics.syncFailures.inc();
        this.log.error({ err, service: key, retryInMs: delay }, 'rules of service refused by the kernel');
      }
    }
  }
}

/** Drops what the proxy never reads and may be large (managed fields, last-applied configuration). */
function slim<T extends ApiObject>(obj: T): T {
  delete obj.metadata.managedFields;
  const ann = obj.metadata.annotations;
  if (ann && 'kubectl.kubernetes.io/last-applied-configuration' in ann) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = ann;
    obj.metadata.annotations = rest;
  }
  return obj;
}

/** When the change behind this slice happened (its trigger-time annotation), else now. */
function triggerTime(slice: EndpointSlice): number {
  const raw = slice.metadata?.annotations?.[TRIGGER_TIME_ANNOTATION];
  const t = raw ? Date.parse(raw) : NaN;
  const now = Date.now();
  return Number.isFinite(t) && t <= now ? t : now;
}

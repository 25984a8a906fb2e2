/**
 * The in-memory indexes the cluster DNS server answers from: Services by namespace/name, their
 * EndpointSlices merged into one published endpoint list per Service, endpoint names of headless
 * Services, and reverse (PTR) targets by address. Informer events update them one Service at a
 * time: a change to a Service or to one of its slices recomputes only that Service's view.
 */
import { canonicalIP, dashedIP, ipFamily } from './names.js';
import type { DnsService, DnsSlice, ServicePort } from './types.js';

/** An address with its family. */
export interface Addr {
  ip: string;
  family: 4 | 6;
}

/** One published endpoint address of a Service. */
export interface EndpointRecord extends Addr {
  /** Its DNS label, lower case: the endpoint's hostname, or the dashed address when it has none. */
  host: string;
  /** The ports of the slice(s) that list this address. */
  ports: ServicePort[];
}

/** What DNS knows of one Service. */
export interface ServiceView {
  svc: DnsService;
  /** The ClusterIPs (canonical text) with their families. */
  clusterAddrs: Addr[];
  /**
   * Published endpoints (ready ones; all when the Service publishes not-ready addresses), one per
   * address, sorted by address.
   */
  endpoints: EndpointRecord[];
  /** Endpoints of a headless Service by lower-case host label. */
  byHost: Map<string, EndpointRecord[]>;
}

type Key = string;

function keyOf(namespace: string, name: string): Key {
  return `${namespace}/${name}`;
}

/** The indexes, with incremental updates. Names are compared in lower case. */
export class DnsCache {
  private readonly services = new Map<Key, DnsService>();
  private readonly slices = new Map<Key, DnsSlice>();
  private readonly slicesByService = new Map<Key, Set<Key>>();
  private readonly views = new Map<Key, ServiceView>();
  private readonly namespaces = new Map<string, number>();
  /** address → PTR target (fqdn, lower case) → how many records name it. */
  private readonly ptr = new Map<string, Map<string, number>>();
  /** The PTR entries each Service contributed, to take them back on change. */
  private readonly ptrByService = new Map<Key, [string, string][]>();
  private changes = 0;
  private lastChange: number;

  /**
   * @param zone the cluster domain, lower case, without trailing dot (`cluster.local`)
   * @param now clock (ms) for the SOA serial
   */
  constructor(
    readonly zone: string,
    private readonly now: () => number = Date.now,
  ) {
    this.lastChange = now();
  }

  /** SOA serial: the time of the last change in seconds (32-bit). */
  get serial(): number {
    return Math.floor(this.lastChange / 1000) >>> 0;
  }

  /** How many updates the cache has taken. */
  get generation(): number {
    return this.changes;
  }

  /** Adds or replaces a Service. */
  upsertService(svc: DnsService): void {
    const key = keyOf(svc.namespace.toLowerCase(), svc.name.toLowerCase());
    if (!this.services.has(key)) this.namespaces.set(svc.namespace.toLowerCase(), this.nsCount(svc) + 1);
    this.services.set(key, svc);
    this.rebuild(key);
  }

  /** Removes a Service (its slices stay cached until they are deleted). */
  deleteService(namespace: string, name: string): void {
    const ns = namespace.toLowerCase();
    const key = keyOf(ns, name.toLowerCase());
    if (!this.services.delete(key)) return;
    const left = (this.namespaces.get(ns) ?? 1) - 1;
    if (left > 0) this.namespaces.set(ns, left);
    else this.namespaces.delete(ns);
    this.rebuild(key);
  }

  /** Adds or replaces an EndpointSlice. */
  upsertSlice(slice: DnsSlice): void {
    const key = keyOf(slice.namespace, slice.name);
    const old = this.slices.get(key);
    const oldSvc = old ? this.serviceKeyOf(old) : undefined;
    this.slices.set(key, slice);
    const svcKey = this.serviceKeyOf(slice);
    if (oldSvc && oldSvc !== svcKey) {
      this.slicesByService.get(oldSvc)?.delete(key);
      this.rebuild(oldSvc);
    }
    if (svcKey) {
      let set = this.slicesByService.get(svcKey);
      if (!set) this.slicesByService.set(svcKey, (set = new Set()));
      set.add(key);
      this.rebuild(svcKey);
    }
  }

  /** Removes an EndpointSlice. */
  deleteSlice(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    const old = this.slices.get(key);
    if (!old) return;
    this.slices.delete(key);
    const svcKey = this.serviceKeyOf(old);
    if (!svcKey) return;
    const set = this.slicesByService.get(svcKey);
    set?.delete(key);
    if (set && set.size === 0) this.slicesByService.delete(svcKey);
    this.rebuild(svcKey);
  }

  /** The view of a Service by (case-insensitive) namespace and name. */
  service(namespace: string, name: string): ServiceView | undefined {
    return this.views.get(keyOf(namespace.toLowerCase(), name.toLowerCase()));
  }

  /** True when some Service lives in the namespace (its `<ns>.svc.<zone>` name exists). */
  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace.toLowerCase());
  }

  /** PTR targets (fqdn, lower case, no trailing dot) of an address in canonical text. */
  ptrTargets(ip: string): string[] {
    const m = this.ptr.get(ip);
    return m ? [...m.keys()].sort() : [];
  }

  /** Number of Services cached. */
  get serviceCount(): number {
    return this.services.size;
  }

  // -------------------------------------------------------------------------------------------------

  private nsCount(svc: DnsService): number {
    return this.namespaces.get(svc.namespace.toLowerCase()) ?? 0;
  }

  private serviceKeyOf(slice: DnsSlice): Key | undefined {
    return slice.serviceName
      ? keyOf(slice.namespace.toLowerCase(), slice.serviceName.toLowerCase())
      : undefined;
  }

  /** Recomputes the view and the PTR entries of one Service. */
  private rebuild(key: Key): void {
    this.changes++;
    this.lastChange = this.now();
    for (const [ip, target] of this.ptrByService.get(key) ?? []) this.dropPtr(ip, target);
    this.ptrByService.delete(key);
    const svc = this.services.get(key);
    if (!svc) {
      this.views.delete(key);
      return;
    }
    const view = this.viewOf(svc, key);
    this.views.set(key, view);
    const base = `${svc.name}.${svc.namespace}.svc.${this.zone}`.toLowerCase();
    const entries: [string, string][] = [];
    for (const a of view.clusterAddrs) entries.push([a.ip, base]);
    if (svc.headless) for (const ep of view.endpoints) entries.push([ep.ip, `${ep.host}.${base}`]);
    for (const [ip, target] of entries) this.addPtr(ip, target);
    if (entries.length > 0) this.ptrByService.set(key, entries);
  }

  private viewOf(svc: DnsService, key: Key): ServiceView {
    const byIP = new Map<string, EndpointRecord>();
    for (const sliceKey of this.slicesByService.get(key) ?? []) {
      const slice = this.slices.get(sliceKey);
      if (!slice || (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6')) continue;
      for (const ep of slice.endpoints) {
        if (!ep.ready && !svc.publishNotReadyAddresses) continue;
        for (const addr of ep.addresses) {
          const ip = canonicalIP(addr);
          const family = ip ? ipFamily(ip) : undefined;
          if (!ip || !family) continue;
          const seen = byIP.get(ip);
          if (seen) {
            for (const p of slice.ports)
              if (
                !seen.ports.some((q) => q.name === p.name && q.port === p.port && q.protocol === p.protocol)
              )
                seen.ports.push(p);
            continue;
          }
          const host = (ep.hostname ?? dashedIP(ip)).toLowerCase();
          byIP.set(ip, { ip, family, host, ports: [...slice.ports] });
        }
      }
    }
    const endpoints = [...byIP.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
    const byHost = new Map<string, EndpointRecord[]>();
    if (svc.headless)
      for (const ep of endpoints) {
        const list = byHost.get(ep.host);
        if (list) list.push(ep);
        else byHost.set(ep.host, [ep]);
      }
    const clusterAddrs: Addr[] = [];
    for (const raw of svc.clusterIPs) {
      const ip = canonicalIP(raw);
      const family = ip ? ipFamily(ip) : undefined;
      if (ip && family) clusterAddrs.push({ ip, family });
    }
    return { svc, clusterAddrs, endpoints, byHost };
  }

  private addPtr(ip: string, target: string): void {
    let m = this.ptr.get(ip);
    if (!m) this.ptr.set(ip, (m = new Map()));
    m.set(target, (m.get(target) ?? 0) + 1);
  }

  private dropPtr(ip: string, target: string): void {
    const m = this.ptr.get(ip);
    if (!m) return;
    const n = (m.get(target) ?? 0) - 1;
    if (n > 0) m.set(target, n);
    else m.delete(target);
    if (m.size === 0) this.ptr.delete(ip);
  }
}

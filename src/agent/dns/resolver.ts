/**
 * The cluster DNS resolver: a pure function from the {@link DnsCache} and one question to an answer,
 * following the Kubernetes DNS-based service discovery specification (schema 1.1.0):
 *
 * - `<svc>.<ns>.svc.<zone>`: A/AAAA of the ClusterIPs; of the published endpoints for a headless
 *   Service (NXDOMAIN when it has none); CNAME to the target of an ExternalName Service.
 * - `<host>.<svc>.<ns>.svc.<zone>`: A/AAAA of a headless Service's endpoint by hostname (or dashed
 *   address when it has no hostname), e.g. StatefulSet pods.
 * - `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: SRV per named port (ClusterIP: one, at the Service
 *   name; headless: one per endpoint, at its endpoint name), with the targets' addresses added.
 *   SRV at the bare Service name lists every port (an extension, as CoreDNS does).
 * - PTR of ClusterIPs and headless endpoint addresses (in-addr.arpa, ip6.arpa).
 * - `<a-b-c-d>.<ns>.pod.<zone>`: the dashed address itself (the deprecated "insecure" pod records).
 * - `dns-version.<zone>` TXT, SOA and NS at the zone apex, `ns.dns.<zone>` = the kube-dns ClusterIPs.
 *
 * A name that exists without records of the asked type (including empty non-terminals such as
 * `<ns>.svc.<zone>`) gets NOERROR with no answer and the zone's SOA in the authority section;
 * a name that does not exist gets NXDOMAIN with the SOA. Names are matched case-insensitively and
 * answers carry the owner name as asked. Names outside the cluster zone, and reverse names of
 * addresses the cache does not know, are left to the forwarder.
 */
import type { Answer, SrvAnswer } from 'dns-packet';
import type { Addr, DnsCache, EndpointRecord, ServiceView } from './cache.js';
import { canonicalIP, ipFamily, ipOfDashed, ipOfReverseName, isReverseName } from './names.js';

/** The schema version served at `dns-version.<zone>`. */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** How `<dashed-ip>.<ns>.pod.<zone>` names are answered. */
export type PodMode = 'insecure' | 'disabled';

/** Settings of {@link resolve}. */
export interface ResolverOptions {
  /** TTL of every record, seconds (also the SOA minimum). */
  ttl: number;
  /** Pod records: `insecure` answers any well-formed dashed address; `disabled` answers NXDOMAIN. */
  podMode: PodMode;
}

/** One question: owner name (any case, with or without trailing dot) and record type. */
export interface DnsQuestion {
  name: string;
  type: string;
}

/** What the resolver decided. */
export type Resolution =
  | {
      kind: 'answer';
      rcode: 'NOERROR' | 'NXDOMAIN';
      answers: Answer[];
      authorities: Answer[];
      additionals: Answer[];
      /**
       * Set when the answer ends in a CNAME to a name outside the cluster zone: the server may ask the
       * upstreams for `chase` and append what they answer.
       */
      chase?: string;
    }
  | { kind: 'forward' };

type AnswerResolution = Extract<Resolution, { kind: 'answer' }>;

/** One SRV record to give: its target name, port, and the target's addresses. */
interface SrvTarget {
  target: string;
  port: number;
  addrs: Addr[];
}

const MAX_CNAME_CHAIN = 8;

function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** True when `name` (lower case, no trailing dot) is `zone` or below it. */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** Resolves one question from the cache. */
export function resolve(cache: DnsCache, q: DnsQuestion, opts: ResolverOptions): Resolution {
  return new Lookup(cache, opts).run(trimDot(q.name), q.type.toUpperCase(), 0);
}

class Lookup {
  private readonly zone: string;

  constructor(
    private readonly cache: DnsCache,
    private readonly opts: ResolverOptions,
  ) {
    this.zone = cache.zone;
  }

  run(owner: string, type: string, depth: number): Resolution {
    const lname = owner.toLowerCase();
    if (inZone(lname, this.zone)) return this.clusterName(owner, lname, type, depth);
    if (isReverseName(lname)) return this.reverse(owner, lname, type);
    return { kind: 'forward' };
  }

  // ----- records ------------------------------------------------------------------------------------

  private rr(name: string, type: 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'NS', data: string): Answer {
    return { name, type, class: 'IN', ttl: this.opts.ttl, data };
  }

  private addr(name: string, a: Addr): Answer {
    return this.rr(name, a.family === 6 ? 'AAAA' : 'A', a.ip);
  }

  private soa(owner = this.zone): Answer {
    return {
      name: owner,
      type: 'SOA',
      class: 'IN',
      ttl: this.opts.ttl,
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.cache.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.opts.ttl,
      },
    };
  }

  private answer(answers: Answer[], additionals: Answer[] = []): AnswerResolution {
    if (answers.length === 0) return this.nodata();
    return { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  private nodata(soaOwner?: string): AnswerResolution {
    return {
      kind: 'answer',
      rcode: 'NOERROR',
      answers: [],
      authorities: [this.soa(soaOwner)],
      additionals: [],
    };
  }

  private nxdomain(): AnswerResolution {
    return { kind: 'answer', rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
  }

  /** A and/or AAAA records of `addrs` at `owner`, as `type` asks. */
  private addresses(owner: string, addrs: readonly Addr[], type: string): Answer[] {
    const out: Answer[] = [];
    for (const a of addrs)
      if ((a.family === 4 && wants(type, 'A')) || (a.family === 6 && wants(type, 'AAAA')))
        out.push(this.addr(owner, a));
    return out;
  }

  // ----- the cluster zone ---------------------------------------------------------------------------

  private clusterName(owner: string, lname: string, type: string, depth: number): Resolution {
    const rel = lname === this.zone ? [] : lname.slice(0, -this.zone.length - 1).split('.');
    // Labels from the right: r[0] is the label just below the zone.
    const r = rel.reverse();
    const [top] = r;
    if (top === undefined) return this.apex(owner, type);
    if (top === 'svc') return this.services(owner, r.slice(1), type, depth);
    if (top === 'pod') return this.pods(owner, r.slice(1), type);
    if (top === 'dns-version' && r.length === 1) {
      if (!wants(type, 'TXT')) return this.nodata();
      return this.answer([
        { name: owner, type: 'TXT', class: 'IN', ttl: this.opts.ttl, data: DNS_SCHEMA_VERSION },
      ]);
    }
    if (top === 'dns' && r.length === 1) return this.nodata();
    if (top === 'dns' && r.length === 2 && r[1] === 'ns') return this.answer(this.nameserver(owner, type));
    return this.nxdomain();
  }

  private apex(owner: string, type: string): Resolution {
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    if (wants(type, 'SOA')) answers.push({ ...this.soa(), name: owner });
    if (wants(type, 'NS')) {
      const ns = `ns.dns.${this.zone}`;
      answers.push(this.rr(owner, 'NS', ns));
      additionals.push(...this.nameserver(ns, 'ANY'));
    }
    return this.answer(answers, additionals);
  }

  /** Addresses of `ns.dns.<zone>`: the ClusterIPs of kube-system/kube-dns. */
  private nameserver(owner: string, type: string): Answer[] {
    return this.addresses(owner, this.cache.service('kube-system', 'kube-dns')?.clusterAddrs ?? [], type);
  }

  /** Names under `svc.<zone>`; `r` holds the labels from the right: ns, service, then more. */
  private services(owner: string, r: string[], type: string, depth: number): Resolution {
    const [ns, name] = r;
    if (ns === undefined) return this.nodata();
    if (name === undefined) return this.cache.hasNamespace(ns) ? this.nodata() : this.nxdomain();
    const view = this.cache.service(ns, name);
    if (!view) return this.nxdomain();
    if (r.length === 2) return this.serviceName(owner, view, type, depth);
    if (r.length === 3) {
      const label = r[2] ?? '';
      if (label.startsWith('_'))
        return this.srvRecords(view, '', label.slice(1)).length > 0 ? this.nodata() : this.nxdomain();
      const eps = view.svc.headless ? view.byHost.get(label) : undefined;
      if (!eps) return this.nxdomain();
      return this.answer(this.addresses(owner, eps, type));
    }
    if (r.length === 4) {
      const proto = r[2] ?? '';
      const port = r[3] ?? '';
      if (!proto.startsWith('_') || !port.startsWith('_')) return this.nxdomain();
      const srv = this.srvRecords(view, port.slice(1), proto.slice(1));
      if (srv.length === 0) return this.nxdomain();
      if (!wants(type, 'SRV')) return this.nodata();
      return this.srvAnswer(owner, srv);
    }
    return this.nxdomain();
  }

  /** `<svc>.<ns>.svc.<zone>` itself. */
  private serviceName(owner: string, view: ServiceView, type: string, depth: number): Resolution {
    const { svc } = view;
    if (svc.type === 'ExternalName') {
      if (!svc.externalName) return this.nodata();
      return this.cname(owner, svc.externalName, type, depth);
    }
    if (svc.headless) {
      if (view.endpoints.length === 0) return this.nxdomain();
      const answers = this.addresses(owner, view.endpoints, type);
      if (type === 'SRV') return this.srvAnswer(owner, this.srvRecords(view, undefined, undefined));
      return this.answer(answers);
    }
    if (type === 'SRV') return this.srvAnswer(owner, this.srvRecords(view, undefined, undefined));
    return this.answer(this.addresses(owner, view.clusterAddrs, type));
  }

  /** A CNAME at `owner` to `target`, followed inside the cluster zone. */
  private cname(owner: string, target: string, type: string, depth: number): Resolution {
    const answers: Answer[] = [this.rr(owner, 'CNAME', target)];
    if (type === 'CNAME') return this.answer(answers);
    const ltarget = target.toLowerCase();
    if (!inZone(ltarget, this.zone)) {
      if (isReverseName(ltarget)) return this.answer(answers);
      return { ...this.answer(answers), chase: target };
    }
    if (depth >= MAX_CNAME_CHAIN) return this.answer(answers);
    const next = this.run(target, type, depth + 1);
    if (next.kind === 'forward') return this.answer(answers);
    return {
      kind: 'answer',
      rcode: next.rcode,
      answers: [...answers, ...next.answers],
      authorities: next.answers.length > 0 ? [] : next.authorities,
      additionals: next.additionals,
      ...(next.chase ? { chase: next.chase } : {}),
    };
  }

  /**
   * The SRV data of a Service: per port (ClusterIP: named ports of the Service; headless: the
   * endpoints' ports) matching `port`/`proto` (case-insensitive; undefined matches every port,
   * named or not).
   */
  private srvRecords(view: ServiceView, port: string | undefined, proto: string | undefined): SrvTarget[] {
    const base = `${view.svc.name}.${view.svc.namespace}.svc.${this.zone}`.toLowerCase();
    const match = (p: { name: string; protocol: string }): boolean =>
      (port === undefined ? true : p.name !== '' && (port === '' || p.name.toLowerCase() === port)) &&
      (proto === undefined || p.protocol.toLowerCase() === proto);
    if (view.svc.type === 'ExternalName') return [];
    if (!view.svc.headless)
      return view.svc.ports
        .filter(match)
        .map((p) => ({ target: base, port: p.port, addrs: view.clusterAddrs }));
    const out: SrvTarget[] = [];
    const byTarget = new Map<string, EndpointRecord[]>();
    for (const ep of view.endpoints) {
      const list = byTarget.get(ep.host);
      if (list) list.push(ep);
      else byTarget.set(ep.host, [ep]);
    }
    for (const [host, eps] of byTarget) {
      const ports = new Map<string, number>();
      for (const ep of eps)
        for (const p of ep.ports) if (match(p)) ports.set(`${p.port}/${p.protocol}`, p.port);
      for (const p of ports.values())
        out.push({
          target: `${host}.${base}`,
          port: p,
          addrs: eps,
        });
    }
    return out;
  }

  private srvAnswer(owner: string, srv: SrvTarget[]): Resolution {
    const weight = srv.length > 0 ? Math.max(1, Math.floor(100 / srv.length)) : 0;
    const answers: SrvAnswer[] = srv.map((s) => ({
      name: owner,
      type: 'SRV',
      class: 'IN',
      ttl: this.opts.ttl,
      data: { priority: 0, weight, port: s.port, target: s.target },
    }));
    const additionals: Answer[] = [];
    const seen = new Set<string>();
    for (const s of srv)
      for (const a of s.addrs) {
        const k = `${s.target} ${a.ip}`;
        if (seen.has(k)) continue;
        seen.add(k);
        additionals.push(this.addr(s.target, a));
      }
    return this.answer(answers, additionals);
  }

  /** Names under `pod.<zone>`; `r` holds the labels from the right: ns, then the dashed address. */
  private pods(owner: string, r: string[], type: string): Resolution {
    if (this.opts.podMode === 'disabled') return r.length === 0 ? this.nodata() : this.nxdomain();
    if (r.length < 2) return this.nodata();
    if (r.length > 2) return this.nxdomain();
    const ip = ipOfDashed(r[1] ?? '');
    const family = ip ? ipFamily(ip) : undefined;
    if (!ip || !family) return this.nxdomain();
    return this.answer(this.addresses(owner, [{ ip, family }], type));
  }

  // ----- reverse names ------------------------------------------------------------------------------

  private reverse(owner: string, lname: string, type: string): Resolution {
    const ip = ipOfReverseName(lname);
    const targets = ip ? this.cache.ptrTargets(canonicalIP(ip) ?? ip) : [];
    if (targets.length === 0) return { kind: 'forward' };
    if (!wants(type, 'PTR')) return this.nodata(lname.endsWith('.ip6.arpa') ? 'ip6.arpa' : 'in-addr.arpa');
    return this.answer(targets.map((t) => this.rr(owner, 'PTR', t)));
  }
}

function wants(asked: string, type: string): boolean {
  return asked === type || asked === 'ANY';
}

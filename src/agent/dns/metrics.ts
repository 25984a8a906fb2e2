/**
 * Request metrics of the cluster DNS server with CoreDNS's names and labels, so dashboards built for
 * CoreDNS read them: coredns_dns_requests_total, coredns_dns_responses_total,
 * coredns_dns_request_duration_seconds, coredns_forward_requests_total and
 * coredns_forward_responses_total. Kept as plain counters (a map lookup per request) and rendered
 * in the Prometheus text format (0.0.4) on demand by {@link DnsMetrics.render}.
 */

/** Upper bounds (seconds) of the duration histogram: 0.25 ms doubling 16 times, as CoreDNS. */
export const DNS_DURATION_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** Query types CoreDNS labels by name; others count as `other`. */
const KNOWN_TYPES = new Set([
  'A',
  'AAAA',
  'NS',
  'PTR',
  'SOA',
  'SRV',
  'TXT',
  'CNAME',
  'MX',
  'HTTPS',
  'SVCB',
  'ANY',
  'DS',
  'DNSKEY',
  'NAPTR',
  'AXFR',
  'IXFR',
]);

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

/** A counter cell. */
interface Cell {
  n: number;
}

/**
 * The series one kind of request counts into, resolved once (e.g. kept beside a remembered reply),
 * so counting a request builds no label strings.
 */
export interface RequestSeries {
  /** Counts one request that took `seconds`. */
  observe(seconds: number): void;
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map(
      (k) => `${k}="${(labels[k] ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    );
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

/** The counters of one DNS server. */
export class DnsMetrics {
  private readonly requests = new Map<string, Cell>();
  private readonly responses = new Map<string, Cell>();
  private readonly seriesCache = new Map<string, RequestSeries>();
  private readonly durations = new Map<string, Histogram>();
  private readonly fwdRequests = new Map<string, number>();
  private readonly fwdResponses = new Map<string, number>();

  /** @param server the `server` label, e.g. `dns://10.0.0.5:10053` */
  constructor(private readonly server: string) {}

  /** The label value CoreDNS gives a query type. */
  static typeLabel(type: string): string {
    if (type === 'UNKNOWN_65') return 'HTTPS';
    if (type === 'UNKNOWN_64') return 'SVCB';
    return KNOWN_TYPES.has(type) ? type : 'other';
  }

  /**
   * Counts one answered request.
   * @param proto `udp` or `tcp`
   * @param family 1 (IPv4) or 2 (IPv6), of the client's address
   * @param plugin which part answered: `kubernetes`, `forward` or '' (errors)
   */
  record(proto: string, family: 1 | 2, type: string, rcode: string, plugin: string, seconds: number): void {
    this.series(proto, family, type, rcode, plugin).observe(seconds);
  }

  /** The series of requests with these labels (see {@link record}). */
  series(proto: string, family: 1 | 2, type: string, rcode: string, plugin: string): RequestSeries {
    const key = `${proto}\u0000${family}\u0000${type}\u0000${rcode}\u0000${plugin}`;
    const cached = this.seriesCache.get(key);
    if (cached) return cached;
    const t = DnsMetrics.typeLabel(type);
    const req = cell(this.requests, `${proto}\u0000${family}\u0000${t}`);
    const resp = cell(this.responses, `${rcode}\u0000${plugin}`);
    let h = this.durations.get(t);
    if (!h)
      this.durations.set(
        t,
        (h = { buckets: new Array<number>(DNS_DURATION_BUCKETS.length).fill(0), sum: 0, count: 0 }),
      );
    const hist = h;
    const s: RequestSeries = {
      observe: (seconds: number): void => {
        req.n++;
        resp.n++;
        let b = 0;
        while (b < DNS_DURATION_BUCKETS.length && seconds > (DNS_DURATION_BUCKETS[b] ?? Infinity)) b++;
        if (b < hist.buckets.length) hist.buckets[b] = (hist.buckets[b] ?? 0) + 1;
        hist.sum += seconds;
        hist.count++;
      },
    };
    this.seriesCache.set(key, s);
    return s;
  }

  /** Counts one query sent to upstream `to` (`host:port`) and what came back (`rcode`, or '' for none). */
  recordForward(to: string, rcode: string): void {
    inc(this.fwdRequests, to);
    if (rcode) inc(this.fwdResponses, `${to}\u0000${rcode}`);
  }

  /** Total requests answered so far. */
  get total(): number {
    let n = 0;
    for (const v of this.requests.values()) n += v.n;
    return n;
  }

  /** The metrics in the Prometheus text format. */
  render(): string {
    const base = { server: this.server, view: '', zone: '.' };
    const out: string[] = [];
    out.push('# HELP coredns_dns_requests_total Counter of DNS requests made per zone, protocol and family.');
    out.push('# TYPE coredns_dns_requests_total counter');
    for (const [k, v] of sorted(this.requests)) {
      const [proto = '', family = '', type = ''] = k.split('\u0000');
      out.push(`coredns_dns_requests_total${labelText({ ...base, proto, family, type })} ${v.n}`);
    }
    out.push('# HELP coredns_dns_responses_total Counter of response status codes.');
    out.push('# TYPE coredns_dns_responses_total counter');
    for (const [k, v] of sorted(this.responses)) {
      const [rcode = '', plugin = ''] = k.split('\u0000');
      out.push(`coredns_dns_responses_total${labelText({ ...base, rcode, plugin })} ${v.n}`);
    }
    out.push(
      '# HELP coredns_dns_request_duration_seconds Histogram of the time (in seconds) each request took per zone.',
    );
    out.push('# TYPE coredns_dns_request_duration_seconds histogram');
    for (const [type, h] of sorted(this.durations)) {
      let acc = 0;
      DNS_DURATION_BUCKETS.forEach((le, i) => {
        acc += h.buckets[i] ?? 0;
        out.push(
          `coredns_dns_request_duration_seconds_bucket${labelText({ ...base, type, le: num(le) })} ${acc}`,
        );
      });
      out.push(
        `coredns_dns_request_duration_seconds_bucket${labelText({ ...base, type, le: '+Inf' })} ${h.count}`,
      );
      out.push(`coredns_dns_request_duration_seconds_sum${labelText({ ...base, type })} ${num(h.sum)}`);
      out.push(`coredns_dns_request_duration_seconds_count${labelText({ ...base, type })} ${h.count}`);
    }
    out.push('# HELP coredns_forward_requests_total Counter of requests made per upstream.');
    out.push('# TYPE coredns_forward_requests_total counter');
    for (const [to, v] of sorted(this.fwdRequests))
      out.push(`coredns_forward_requests_total${labelText({ to })} ${v}`);
    out.push('# HELP coredns_forward_responses_total Counter of responses received per upstream.');
    out.push('# TYPE coredns_forward_responses_total counter');
    for (const [k, v] of sorted(this.fwdResponses)) {
      const [to = '', rcode = ''] = k.split('\u0000');
      out.push(`coredns_forward_responses_total${labelText({ rcode, to })} ${v}`);
    }
    return `${out.join('\n')}\n`;
  }
}

function cell(m: Map<string, Cell>, k: string): Cell {
  let c = m.get(k);
  if (!c) m.set(k, (c = { n: 0 }));
  return c;
}

function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function sorted<V>(m: Map<string, V>): [string, V][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

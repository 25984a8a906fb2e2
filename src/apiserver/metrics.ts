/**
 * Prometheus metrics on /metrics, with upstream's names: apiserver_request_total and
 * apiserver_request_duration_seconds by verb, group, version, resource, subresource, scope and code.
 *
 * Those two are counted on every request, so they are kept here in plain per-series records (one map
 * lookup and a few additions per request) and handed to prom-client's registry, which formats them,
 * only when /metrics is read. prom-client's own Counter and Histogram validate and hash their label
 * objects on every call, which cost about 4% of the server's instructions per create.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The labels of one API request, in upstream's order. */
export interface RequestLabels {
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

/** Upper bounds (seconds) of apiserver_request_duration_seconds, as upstream. */
export const DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

const REQUESTS_HELP =
  'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.';
const DURATION_HELP =
  'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.';

/** One label set: its request counts by code and its latency histogram. */
interface Series {
  labels: RequestLabels;
  codes: Map<string, number>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/** One exported sample, in the form prom-client's registry formats. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What prom-client's registry reads from a metric. */
interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

function seriesKey(l: RequestLabels): string {
  return `${l.verb}\u0000${l.dry_run}\u0000${l.group}\u0000${l.version}\u0000${l.resource}\u0000${l.subresource}\u0000${l.scope}\u0000${l.component}`;
}

/** apiserver_request_total and apiserver_request_duration_seconds, recorded cheaply. */
export class RequestMetrics {
  private readonly series = new Map<string, Series>();

  /** Counts one finished request (`code`) and, unless `seconds` is undefined, its latency. */
  record(labels: RequestLabels, code: string, seconds: number | undefined): void {
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = {
        labels: { ...labels },
        codes: new Map(),
        buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, s);
    }
    s.codes.set(code, (s.codes.get(code) ?? 0) + 1);
    if (seconds === undefined) return;
    let b = 0;
    while (b < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[b] ?? Infinity)) b++;
    s.buckets[b] = (s.buckets[b] ?? 0) + 1;
    s.sum += seconds;
    s.count++;
  }

  /** apiserver_request_total, for prom-client's registry. */
  readonly requests = {
    name: 'apiserver_request_total',
    help: REQUESTS_HELP,
    type: 'counter' as const,
    aggregator: 'sum' as const,
    get: (): Promise<MetricData> => {
      const values: Sample[] = [];
      for (const s of this.series.values())
        for (const [code, n] of s.codes) values.push({ labels: { ...s.labels, code }, value: n });
      const { name, help, type, aggregator } = this.requests;
      return Promise.resolve({ name, help, type, aggregator, values });
    },
  };

  /** apiserver_request_duration_seconds, for prom-client's registry (cumulative buckets, +Inf, sum, count). */
  readonly duration = {
    name: 'apiserver_request_duration_seconds',
    help: DURATION_HELP,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    get: (): Promise<MetricData> => {
      const name = this.duration.name;
      const values: Sample[] = [];
      for (const s of this.series.values()) {
        if (s.count === 0) continue;
        let acc = 0;
        DURATION_BUCKETS.forEach((le, i) => {
          acc += s.buckets[i] ?? 0;
          values.push({ labels: { le, ...s.labels }, value: acc, metricName: `${name}_bucket` });
        });
        values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${name}_bucket` });
        values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` });
        values.push({ labels: { ...s.labels }, value: s.count, metricName: `${name}_count` });
      }
      const { help, type, aggregator } = this.duration;
      return Promise.resolve({ name, help, type, aggregator, values });
    },
  };
}

export class ApiMetrics {
  readonly registry = new Registry();
  /** Request counts and latencies (apiserver_request_total, apiserver_request_duration_seconds). */
  readonly requests = new RequestMetrics();
  readonly watchers: Gauge<string>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // The registry only needs name, help, type, aggregator and get() (it formats what get() returns).
    type Registered = Parameters<Registry['registerMetric']>[0];
    this.registry.registerMetric(this.requests.requests as unknown as Registered);
    this.registry.registerMetric(this.requests.duration as unknown as Registered);
    this.watchers = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      registers: [this.registry],
    });
  }
}

/** Upstream's metric verb: LIST, WATCH, GET, POST, PUT, PATCH, DELETE … */
export function metricVerb(method: string, verb: string): string {
  if (verb === 'list') return 'LIST';
  if (verb === 'watch') return 'WATCH';
  if (verb === 'get') return 'GET';
  if (verb === 'deletecollection') return 'DELETE';
  return method.toUpperCase();
}

/**
 * Prometheus metrics on /metrics, with upstream's names: apiserver_request_total and
 * apiserver_request_duration_seconds by verb, group, version, resource, subresource, scope and code.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<string>;
  readonly duration: Histogram<string>;
  readonly watchers: Gauge<string>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [
        'verb',
        'dry_run',
        'group',
        'version',
        'resource',
        'subresource',
        'scope',
        'component',
        'code',
      ],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      buckets: [
        0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
      ],
      registers: [this.registry],
    });
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

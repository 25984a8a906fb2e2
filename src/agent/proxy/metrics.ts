/**
 * The proxy's Prometheus metrics, under upstream kube-proxy's names and bucket layouts:
 * `kubeproxy_sync_proxy_rules_duration_seconds` (how long one sync took, computing and applying) and
 * `kubeproxy_network_programming_duration_seconds` (from an endpoints change to its rules being in
 * the kernel). Also a few gauges/counters that explain the first two.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

function linear(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * width);
}

/** Upper bounds of the sync duration: 1 ms doubling 15 times, as upstream. */
export const SYNC_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
/** Upper bounds of the network programming duration, as upstream (0.25 s … 300 s). */
export const PROGRAMMING_BUCKETS = [
  ...linear(0.25, 0.25, 2),
  ...linear(1, 1, 59),
  ...linear(60, 5, 12),
  ...linear(120, 30, 7),
];

/** The proxy's metrics, in a registry of their own (the agent merges it into its endpoint). */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly syncDuration = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'Time one sync of the proxy rules took, from reading the caches to the kernel accepting the rules.',
    buckets: SYNC_BUCKETS,
    registers: [this.registry],
  });
  readonly programmingDuration = new Histogram({
    name: 'kubeproxy_network_programming_duration_seconds',
    help: 'Time from a change of a Service or its endpoints to the rules for it being in the kernel.',
    buckets: PROGRAMMING_BUCKETS,
    registers: [this.registry],
  });
  readonly lastSync = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: 'When the proxy rules were last synced successfully (Unix time).',
    registers: [this.registry],
  });
  readonly syncFailures = new Counter({
    name: 'k8ts_proxy_sync_failures_total',
    help: 'Syncs of the proxy rules the kernel refused or that could not run.',
    registers: [this.registry],
  });
  readonly services = new Gauge({
    name: 'k8ts_proxy_services',
    help: 'Services whose rules are programmed.',
    registers: [this.registry],
  });

  /** The metrics in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

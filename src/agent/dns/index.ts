/** Cluster DNS of the node agent: see {@link ClusterDns}. */
export { ClusterDns, DEFAULT_DNS_PORT, type ClusterDnsOptions } from './cluster-dns.js';
export { DnsMetrics } from './metrics.js';
export { DNS_SCHEMA_VERSION, type PodMode } from './resolver.js';

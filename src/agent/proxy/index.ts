/** The node agent's service proxy (nftables): see README.md. */
export { ServiceProxy, DEFAULT_TABLE, type ServiceProxyOptions } from './proxy.js';
export { ProxyMetrics } from './metrics.js';
export { nftRunner, NftError, type NftRunner } from './apply.js';
export { buildState, generateRuleset } from './generate.js';

/** Node, pod and container stats for the kubelet server (`/stats/summary`, `/metrics/resource`). */
export {
  createStatsProvider,
  CriStatsProvider,
  type StatsProviderOptions,
  type StatsRuntime,
} from './provider.js';
export { resourceMetricsText } from './prometheus.js';
export type * from './types.js';

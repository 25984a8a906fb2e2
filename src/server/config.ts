/**
 * The configuration of `k8ts server`, with upstream/k3s-like defaults.
 */
import { DEFAULT_AGENT_CONFIG, type AgentConfig } from '../agent/config.js';
import type { ControllerOptions } from '../controllers/framework/types.js';

export interface ServerConfig {
  /** State, certificates and the kubeconfig live here. */
  dataDir: string;
  /** Address the API server listens on ('0.0.0.0' for all IPv4 interfaces). */
  bindAddress: string;
  httpsPort: number;
  /** Extra names and IPs for the serving certificate. */
  tlsSans: string[];
  /** '' for the embedded SQLite; `http(s)://host:2379[,…]` for etcd. */
  datastoreEndpoint: string;
  /** TLS files for an https etcd. */
  datastoreCaFile: string;
  datastoreCertFile: string;
  datastoreKeyFile: string;
  clusterCidr: string;
  serviceCidr: string;
  /** Static bearer tokens (upstream CSV format). */
  tokenAuthFile: string;
  /** Encrypt Secrets at rest (default on). */
  secretsEncryption: boolean;
  /**
   * SQLite's `synchronous` pragma. NORMAL (WAL): an acknowledged write survives `kill -9` of the
   * server; FULL additionally survives power loss, at the cost of an fsync per commit group.
   */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  /** Storage compaction interval. */
  compactionIntervalMs: number;
  /** Run no node agent in this process. */
  disableAgent: boolean;
  /** The local node agent (its dataDir follows the server's). */
  agent: AgentConfig;
  /** Controller tunables. */
  controllers: ControllerOptions;
  /** Controllers to run: upstream names, `*` for all, `-name` to turn one off (default all). */
  enabledControllers: string[];
  /** A KubeSchedulerConfiguration file ('' for the built-in profiles). */
  schedulerConfigFile: string;
}

export const DEFAULT_CONFIG: ServerConfig = {
  dataDir: '/var/lib/k8ts',
  bindAddress: '0.0.0.0',
  httpsPort: 6443,
  tlsSans: [],
  datastoreEndpoint: '',
  datastoreCaFile: '',
  datastoreCertFile: '',
  datastoreKeyFile: '',
  clusterCidr: '10.42.0.0/16',
  serviceCidr: '10.43.0.0/16',
  tokenAuthFile: '',
  secretsEncryption: true,
  sqliteSynchronous: 'NORMAL',
  compactionIntervalMs: 5 * 60 * 1000,
  disableAgent: false,
  agent: { ...DEFAULT_AGENT_CONFIG, controlPlane: true },
  controllers: {
    nodeMonitorGracePeriodMs: 15_000,
    defaultNotReadyTolerationSeconds: 10,
    defaultUnreachableTolerationSeconds: 10,
    terminatedPodGcThreshold: 12_500,
    resourceQuotaSyncPeriodMs: 5 * 60_000,
  },
  enabledControllers: ['*'],
  schedulerConfigFile: '',
};

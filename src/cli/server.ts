/**
 * `k8ts server`: the flags, and the action that starts the control plane and waits for a signal.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type ServerConfig } from '../server/config.js';
import { AGENT_FLAG_OPTIONS, AGENT_FLAGS_HELP, agentConfigFromFlags } from './agent-flags.js';

const HELP = `Run the k8ts control plane (the Kubernetes API server on embedded SQLite or etcd, and the
controllers) and a node agent that runs this machine's pods.

Usage:
  k8ts server [flags]

Flags:
  --data-dir DIR              state, certificates and kubeconfig (default ${DEFAULT_CONFIG.dataDir})
  --bind-address IP           address to listen on (default ${DEFAULT_CONFIG.bindAddress})
  --https-port PORT           HTTPS port of the API server (default ${DEFAULT_CONFIG.httpsPort})
  --tls-san NAME|IP           extra name or IP for the serving certificate (repeatable)
  --datastore-endpoint URL    etcd endpoints, http(s)://host:2379[,host:2379…] (default: embedded SQLite)
  --datastore-cafile FILE     CA of an https etcd
  --datastore-certfile FILE   client certificate for an https etcd
  --datastore-keyfile FILE    client key for an https etcd
  --cluster-cidr CIDR         pod network range (default ${DEFAULT_CONFIG.clusterCidr})
  --service-cidr CIDR         service ClusterIP range (default ${DEFAULT_CONFIG.serviceCidr})
  --token-auth-file FILE      static bearer tokens, CSV: token,user,uid,"group1,group2"
  --secrets-encryption BOOL   encrypt Secrets at rest (default true)
  --sqlite-synchronous MODE   normal (default): every acknowledged write survives a crash of the
                              process; full: also a power loss (an fsync per commit, slower)
  --disable-agent             run no node agent (control plane only)
  --controllers LIST          controllers to run, comma-separated: '*' for all (default), 'name' to
                              turn one on, '-name' to turn one off (e.g. '*,-cronjob'); the
                              scheduler is 'scheduler'
  --node-monitor-grace-period DUR
                              a node whose Lease and status were not renewed for this long is marked
                              Ready=Unknown and tainted unreachable (default ${DEFAULT_CONFIG.controllers.nodeMonitorGracePeriodMs / 1000}s)
  --default-not-ready-toleration-seconds N
  --default-unreachable-toleration-seconds N
                              tolerationSeconds given to pods that set none for the not-ready and
                              unreachable NoExecute taints: how long their pods stay on a failed node
                              (default ${DEFAULT_CONFIG.controllers.defaultNotReadyTolerationSeconds} and ${DEFAULT_CONFIG.controllers.defaultUnreachableTolerationSeconds}; upstream 300)
  --terminated-pod-gc-threshold N
                              terminated pods kept before the oldest are deleted (default
                              ${DEFAULT_CONFIG.controllers.terminatedPodGcThreshold}; 0 keeps them all)
  --resource-quota-sync-period DURATION
                              how often every ResourceQuota's usage is recomputed in full; deletions
                              free quota at once regardless (default 5m)
  --scheduler-config FILE     KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) with the
                              scheduler's profiles (default: profiles default-scheduler and
                              bin-packing-scheduler)

Node agent flags:
${AGENT_FLAGS_HELP}  -h, --help                  show this help
`;

/** Parses `k8ts server` flags; throws an Error with a one-line message on bad input. */
export function parseServerFlags(argv: string[]): ServerConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'bind-address': { type: 'string' },
      'https-port': { type: 'string' },
      'tls-san': { type: 'string', multiple: true },
      'datastore-endpoint': { type: 'string' },
      'datastore-cafile': { type: 'string' },
      'datastore-certfile': { type: 'string' },
      'datastore-keyfile': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'token-auth-file': { type: 'string' },
      'secrets-encryption': { type: 'string' },
      'sqlite-synchronous': { type: 'string' },
      // Hidden: tests compact storage history quickly.
      'compaction-interval': { type: 'string' },
      'disable-agent': { type: 'boolean' },
      controllers: { type: 'string' },
      'node-monitor-grace-period': { type: 'string' },
      'default-not-ready-toleration-seconds': { type: 'string' },
      'default-unreachable-toleration-seconds': { type: 'string' },
      'terminated-pod-gc-threshold': { type: 'string' },
      'resource-quota-sync-period': { type: 'string' },
      'scheduler-config': { type: 'string' },
      ...AGENT_FLAG_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  if (values['data-dir'] !== undefined) config.dataDir = values['data-dir'];
  if (values['bind-address'] !== undefined) config.bindAddress = values['bind-address'];
  if (values['https-port'] !== undefined) {
    const port = Number(values['https-port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`invalid --https-port ${JSON.stringify(values['https-port'])}: must be 0-65535`);
    config.httpsPort = port;
  }
  config.tlsSans = (values['tls-san'] ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (values['datastore-endpoint'] !== undefined) config.datastoreEndpoint = values['datastore-endpoint'];
  if (values['datastore-cafile'] !== undefined) config.datastoreCaFile = values['datastore-cafile'];
  if (values['datastore-certfile'] !== undefined) config.datastoreCertFile = values['datastore-certfile'];
  if (values['datastore-keyfile'] !== undefined) config.datastoreKeyFile = values['datastore-keyfile'];
  if (values['cluster-cidr'] !== undefined) config.clusterCidr = values['cluster-cidr'];
  if (values.controllers !== undefined)
    config.enabledControllers = values.controllers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const controllers = { ...DEFAULT_CONFIG.controllers };
  if (values['node-monitor-grace-period'] !== undefined)
    controllers.nodeMonitorGracePeriodMs = parseDuration(
      values['node-monitor-grace-period'],
      '--node-monitor-grace-period',
    );
  const count = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n))
      throw new Error(`invalid --${flag} ${JSON.stringify(text)}: want a whole number >= 0`);
    return n;
  };
  controllers.defaultNotReadyTolerationSeconds =
    count('default-not-ready-toleration-seconds', values['default-not-ready-toleration-seconds']) ??
    controllers.defaultNotReadyTolerationSeconds;
  controllers.defaultUnreachableTolerationSeconds =
    count('default-unreachable-toleration-seconds', values['default-unreachable-toleration-seconds']) ??
    controllers.defaultUnreachableTolerationSeconds;
  controllers.terminatedPodGcThreshold =
    count('terminated-pod-gc-threshold', values['terminated-pod-gc-threshold']) ??
    controllers.terminatedPodGcThreshold;
  config.controllers = controllers;
  if (values['resource-quota-sync-period'] !== undefined)
    config.controllers = {
      ...config.controllers,
      resourceQuotaSyncPeriodMs: parseDuration(
        values['resource-quota-sync-period'],
        '--resource-quota-sync-period',
      ),
    };
  if (values['scheduler-config'] !== undefined) config.schedulerConfigFile = values['scheduler-config'];
  if (values['service-cidr'] !== undefined) config.serviceCidr = values['service-cidr'];
  if (values['token-auth-file'] !== undefined) config.tokenAuthFile = values['token-auth-file'];
  if (values['secrets-encryption'] !== undefined) {
    const v = values['secrets-encryption'];
    if (v !== 'true' && v !== 'false')
      throw new Error(`invalid --secrets-encryption ${JSON.stringify(v)}: must be true or false`);
    config.secretsEncryption = v === 'true';
  }
  if (values['sqlite-synchronous'] !== undefined) {
    const v = values['sqlite-synchronous'].toUpperCase();
    if (v !== 'NORMAL' && v !== 'FULL')
      throw new Error(
        `invalid --sqlite-synchronous ${JSON.stringify(values['sqlite-synchronous'])}: must be normal or full`,
      );
    config.sqliteSynchronous = v;
  }
  if (values['compaction-interval'] !== undefined)
    config.compactionIntervalMs = parseDuration(values['compaction-interval'], '--compaction-interval');
  config.disableAgent = values['disable-agent'] === true;
  config.agent = agentConfigFromFlags(values, config.dataDir, true, SERVER_PARTS);
  // `--disable servicelb` on a server turns off the built-in LoadBalancer controller (like k3s).
  const disabled = (values.disable ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (disabled.includes('servicelb'))
    config.enabledControllers = [...config.enabledControllers, '-servicelb'];
  return config;
}

/** What `--disable` may name on a server beyond the node parts. */
const SERVER_PARTS = ['servicelb'] as const;

/** Parses a Go-style duration such as 500ms, 10s, 5m or 1h30m. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text.trim());
  if (!m || text.trim() === '')
    throw new Error(`invalid ${flag} ${JSON.stringify(text)}: want a duration such as 30s or 5m`);
  const [, h, min, sec, ms] = m;
  const total =
    Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(sec ?? 0) * 1000 + Number(ms ?? 0);
  if (total <= 0) throw new Error(`invalid ${flag} ${JSON.stringify(text)}: must be positive`);
  return total;
}

export async function runServerCommand(argv: string[]): Promise<number> {
  let config: ServerConfig | 'help';
  try {
    config = parseServerFlags(argv);
  } catch (err) {
    process.stderr.write(
      `error: ${err instanceof Error ? err.message : String(err)}\nRun 'k8ts server --help' for usage.\n`,
    );
    return 1;
  }
  if (config === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const { parseCidr } = await import('../util/cidr.js');
  try {
    parseCidr(config.clusterCidr);
    parseCidr(config.serviceCidr);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (config.schedulerConfigFile) {
    // A bad scheduler configuration stops the server before anything starts.
    const { loadSchedulerConfig } = await import('../scheduler/config.js');
    try {
      await loadSchedulerConfig(config.schedulerConfigFile);
    } catch (err) {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }
  // Start-up would grow V8's young generation to its maximum and leave it so while idle.
  const { holdYoungGenerationSmall } = await import('../util/heap.js');
  const releaseYoungGeneration = holdYoungGenerationSmall();
  const { runServer } = await import('../server/run.js');
  let running;
  try {
    running = await runServer(config);
  } catch (err) {
    process.stderr.write(
      `error: k8ts server failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  process.stdout.write(
    `k8ts server is running on https://${config.bindAddress}:${running.port}\nexport KUBECONFIG=${running.kubeconfigPath}\n`,
  );
  releaseYoungGeneration();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.stop();
  // Everything is stopped; a connection still closing must not hold the process for long.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

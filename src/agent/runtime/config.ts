/**
 * The containerd (config version 2, containerd 1.6/1.7) configuration the agent generates under
 * `<data-dir>/agent/containerd/`: its own root, state and socket, the CRI plugin with the local pause
 * image, runc with cgroupfs, overlayfs, CNI from `/usr/lib/cni` with the agent's conf dir, and
 * registry host configs from `agent/etc/certs.d`.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The pause image the agent builds locally when it cannot pull one. */
export const DEFAULT_SANDBOX_IMAGE = 'k8ts.local/pause:3.10';

/** Where Debian's containernetworking-plugins installs the CNI plugins. */
export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';

/** Files and directories of the agent's containerd. */
export interface ContainerdPaths {
  /** `<data-dir>/agent/containerd` */
  dir: string;
  /** containerd's persistent root (content, snapshots, metadata). */
  root: string;
  /** containerd's state (task bundles, FIFOs, sandbox network namespaces). */
  state: string;
  /** The gRPC (and CRI) socket. */
  socket: string;
  /** The generated `containerd.toml`. */
  configFile: string;
  /** PID of the containerd the agent runs, so a restarted agent can stop an orphan. */
  pidFile: string;
}

/** The containerd paths under a k8ts data dir. */
export function containerdPaths(dataDir: string): ContainerdPaths {
  const dir = path.join(path.resolve(dataDir), 'agent', 'containerd');
  return {
    dir,
    root: path.join(dir, 'root'),
    state: path.join(dir, 'state'),
    socket: path.join(dir, 'containerd.sock'),
    configFile: path.join(dir, 'containerd.toml'),
    pidFile: path.join(dir, 'containerd.pid'),
  };
}

/** Inputs of {@link containerdConfig}. */
export interface ContainerdConfigOptions {
  /** The k8ts data dir (`--data-dir`). */
  dataDir: string;
  /** Image of the pod sandbox (pause) container; must be fully qualified. */
  sandboxImage?: string;
  /** Directory of the CNI plugin binaries (default `/usr/lib/cni`). */
  cniBinDir?: string;
  /** Directory of the CNI network config (default `<data-dir>/agent/cni`). */
  cniConfDir?: string;
  /** containerd registry host configs (default `<data-dir>/agent/etc/certs.d`). */
  registryConfigPath?: string;
  /** Address of the exec/attach/port-forward streaming server (default 127.0.0.1: the kubelet proxies it). */
  streamServerAddress?: string;
  /** Its port; 0 picks a free one at each start (the URLs returned by Exec etc. carry it). */
  streamServerPort?: number;
  /** Skip AppArmor profiles (default: when the kernel has no AppArmor enabled). */
  disableApparmor?: boolean;
  /** Snapshotter (default overlayfs). */
  snapshotter?: string;
  /** containerd's log level (default {@link containerdLogLevel}). */
  logLevel?: ContainerdLogLevel;
  /**
   * A Unix socket for containerd's debug server (Go's pprof and expvar pages: memory profiles).
   * Default: none, unless the environment sets {@link DEBUG_SOCKET_ENV} (then `<dir>/debug.sock`).
   */
  debugAddress?: string;
}

/** Environment variable: when `1`, the agent's containerd serves its debug pages on `debug.sock`. */
export const DEBUG_SOCKET_ENV = 'K8TS_CONTAINERD_DEBUG';

/** Levels containerd's `[debug] level` takes. */
export type ContainerdLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * containerd's level for the agent's own log level (K8TS_LOG_LEVEL): warnings and errors only, unless
 * the agent itself logs at debug or trace. containerd's info lines (several per container start) are
 * debug for us, and reading them cost the agent ~5 % CPU while pods start.
 */
export function containerdLogLevel(
  agentLevel: string | undefined = process.env['K8TS_LOG_LEVEL'],
): ContainerdLogLevel {
  return agentLevel === 'debug' || agentLevel === 'trace' ? agentLevel : 'warn';
}

/**
 * Plugins the agent never uses; not loading them saves memory and start-up noise. (The legacy
 * `io.containerd.runtime.v1.linux` must stay: containerd 1.6's tasks service requires it.)
 *
 * - The task monitor (`io.containerd.monitor.v1.cgroups`) keeps, for every task (two per pod: the
 *   sandbox and each container), a cgroup handle, Prometheus series and an OOM eventfd, to serve
 *   containerd's own metrics endpoint, which the agent does not open. The CRI plugin gets OOM kills
 *   from the shims' events and stats from the shims, not from it; the tasks service runs without a
 *   monitor.
 * - The restart monitor (`io.containerd.internal.v1.restart`) restarts containers labelled for it
 *   (`ctr run --restart`); the kubelet does the restarting.
 * - The `native` snapshotter (full copies): the CRI plugin uses overlayfs.
 */
const DISABLED_PLUGINS = [
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.native',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
  'io.containerd.monitor.v1.cgroups',
  'io.containerd.internal.v1.restart',
];

/** {@link DISABLED_PLUGINS} but the snapshotter in use. */
export function disabledPlugins(snapshotter: string): string[] {
  return DISABLED_PLUGINS.filter((p) => p !== `io.containerd.snapshotter.v1.${snapshotter}`);
}

/**
 * Go's GC target for containerd (and the shims it starts, which inherit its environment) when the
 * agent's own environment sets none: containerd's heap is mostly short-lived garbage around a small
 * live set, and Go's default (100: the heap may grow to twice the live data) let it take ~7 MiB
 * more with 50 pods than at 50.
 */
export const CONTAINERD_GOGC = '50';

/** containerd's environment: the agent's, with {@link CONTAINERD_GOGC} unless GOGC is set. */
export function containerdEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return base['GOGC'] === undefined ? { ...base, GOGC: CONTAINERD_GOGC } : base;
}

/** True when the running kernel enforces AppArmor. */
export function apparmorEnabled(): boolean {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

/** A TOML basic string (JSON's escapes are valid TOML). */
function str(value: string): string {
  return JSON.stringify(value);
}

/** The text of `containerd.toml` for these options (pure but for the AppArmor default). */
export function containerdConfig(opts: ContainerdConfigOptions): string {
  const paths = containerdPaths(opts.dataDir);
  const agentDir = path.dirname(paths.dir);
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const disableApparmor = opts.disableApparmor ?? !apparmorEnabled();
  const debugAddress =
    opts.debugAddress ??
    (process.env[DEBUG_SOCKET_ENV] === '1' ? path.join(paths.dir, 'debug.sock') : undefined);
  const lines = [
    '# Generated by k8ts: changes are overwritten when the agent starts.',
    'version = 2',
    `root = ${str(paths.root)}`,
    `state = ${str(paths.state)}`,
    `disabled_plugins = [${disabledPlugins(opts.snapshotter ?? 'overlayfs')
      .map(str)
      .join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${str(paths.socket)}`,
    '',
    '[debug]',
    `  level = ${str(opts.logLevel ?? containerdLogLevel())}`,
    ...(debugAddress ? [`  address = ${str(debugAddress)}`] : []),
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${str(path.join(paths.root, 'opt'))}`,
    '',
    `[${cri}]`,
    `  sandbox_image = ${str(opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE)}`,
    // The root user here may lack CAP_SYS_RESOURCE: never ask to lower an oom_score_adj.
    '  restrict_oom_score_adj = true',
    `  disable_apparmor = ${disableApparmor}`,
    '  enable_selinux = false',
    '  enable_unprivileged_ports = true',
    '  enable_unprivileged_icmp = true',
    '  netns_mounts_under_state_dir = true',
    `  stream_server_address = ${str(opts.streamServerAddress ?? '127.0.0.1')}`,
    `  stream_server_port = ${str(String(opts.streamServerPort ?? 0))}`,
    '',
    `[${cri}.containerd]`,
    `  snapshotter = ${str(opts.snapshotter ?? 'overlayfs')}`,
    '  default_runtime_name = "runc"',
    '',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    '',
    `[${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    '',
    `[${cri}.cni]`,
    `  bin_dir = ${str(opts.cniBinDir ?? DEFAULT_CNI_BIN_DIR)}`,
    `  conf_dir = ${str(opts.cniConfDir ?? path.join(agentDir, 'cni'))}`,
    '',
    `[${cri}.registry]`,
    `  config_path = ${str(opts.registryConfigPath ?? path.join(agentDir, 'etc', 'certs.d'))}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes `containerd.toml` (atomically) and creates the directories containerd and the CRI plugin
 * expect; returns the paths.
 */
export function writeContainerdConfig(opts: ContainerdConfigOptions): ContainerdPaths {
  const paths = containerdPaths(opts.dataDir);
  const agentDir = path.dirname(paths.dir);
  for (const dir of [
    paths.root,
    paths.state,
    opts.cniConfDir ?? path.join(agentDir, 'cni'),
    opts.registryConfigPath ?? path.join(agentDir, 'etc', 'certs.d'),
  ]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const tmp = `${paths.configFile}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, containerdConfig(opts), { mode: 0o600 });
  fs.renameSync(tmp, paths.configFile);
  return paths;
}

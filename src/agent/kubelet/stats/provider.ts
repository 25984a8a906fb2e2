/**
 * The kubelet's stats provider over the CRI: `/stats/summary` from ListPodSandbox, ListContainers and
 * ListPodSandboxStats (ListContainerStats when the runtime does not implement pod sandbox stats),
 * ImageFsInfo, and node figures from the kernel; `/metrics/resource` from the CPU-and-memory Summary.
 *
 * `usageNanoCores` is computed here from the cumulative CPU counters, keeping the previous sample of
 * each container, pod and the node (see rate.ts). containerd 1.6 also fills it, but over the interval
 * since *any* client last asked (its pod and container stats even share one sample), so ours is
 * preferred; the runtime's figure is used only when it is positive and we have no sample yet.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { ImageService, RuntimeService } from '../../cri/client.js';
import { CriCode, isCriError } from '../../cri/client.js';
import type { Container, ContainerStats as CriContainerStats, PodSandbox } from '../../cri/types.js';
import { componentLogger } from '../../../util/log.js';
import { KubeletHttpError, type StatsProvider } from '../server/types.js';
import { DirUsageCache, statFs, type FsInfo } from './fs-usage.js';
import { HostReader } from './host.js';
import { nodeStats } from './node.js';
import { podStats, type PodSample, type PodSources } from './pods.js';
import { resourceMetricsText } from './prometheus.js';
import { CpuRates } from './rate.js';
import type { Summary } from './types.js';

/** The CRI calls the stats provider makes. */
export type StatsRuntime = Pick<
  RuntimeService,
  'listPodSandbox' | 'listContainers' | 'listPodSandboxStats' | 'listContainerStats'
>;

/** Options of {@link createStatsProvider}. */
export interface StatsProviderOptions {
  runtime: StatsRuntime;
  images: Pick<ImageService, 'imageFsInfo'>;
  /** The agent's data dir (`--data-dir`): its filesystem, pod logs and pod volumes. */
  dataDir: string;
  nodeName: string;
  /** Clock, ms since the epoch (tests inject one). */
  now?: () => number;
  /** The cgroup path pods run under (the agent's `cgroupRoot`, default `/k8ts`). */
  cgroupRoot?: string;
  /** Where /proc is (tests give a fake tree). */
  procRoot?: string;
  /** Where the cgroup filesystem is mounted (default /sys/fs/cgroup). */
  cgroupFsRoot?: string;
  /** How long a directory's measured usage is reused (default 10 s). */
  dirUsageTtlMs?: number;
  log?: Logger;
}

/** Stats from the CRI and the kernel (see the module comment). */
export class CriStatsProvider implements StatsProvider {
  private readonly rates = new CpuRates();
  private readonly now: () => number;
  private readonly host: HostReader;
  private readonly dirUsage: DirUsageCache;
  private readonly log: Logger;
  /** Set once the runtime answered Unimplemented to ListPodSandboxStats. */
  private noSandboxStats = false;

  constructor(private readonly opts: StatsProviderOptions) {
    this.now = opts.now ?? Date.now;
    this.host = new HostReader(opts.procRoot);
    this.dirUsage = new DirUsageCache(opts.dirUsageTtlMs ?? 10_000, this.now);
    this.log = opts.log ?? componentLogger('stats', { node: opts.nodeName });
  }

  /** The stats/v1alpha1 Summary (CPU and memory only with `onlyCpuAndMemory`). */
  async summary(opts: { onlyCpuAndMemory: boolean }): Promise<Summary> {
    const full = !opts.onlyCpuAndMemory;
    const nowMs = this.now();
    const statfsCache = new Map<string, Promise<FsInfo | undefined>>();
    const fsInfo = (p: string): Promise<FsInfo | undefined> => {
      let hit = statfsCache.get(p);
      if (!hit) statfsCache.set(p, (hit = statFs(p)));
      return hit;
    };
    const agentDir = path.join(this.opts.dataDir, 'agent');
    const [samples, node, nodeFs] = await Promise.all([
      this.podSamples().catch((err: unknown) => {
        // As upstream's kubelet words a failed summary.
        const msg = err instanceof Error ? err.message : String(err);
        throw new KubeletHttpError(500, `Internal Error: failed to list pod stats: ${msg}`);
      }),
      nodeStats(
        {
          nodeName: this.opts.nodeName,
          host: this.host,
          cgroupFsRoot: this.opts.cgroupFsRoot ?? '/sys/fs/cgroup',
          podsCgroup: `${this.opts.cgroupRoot ?? '/k8ts'}/kubepods`,
          dataDir: this.opts.dataDir,
          images: this.opts.images,
          rates: this.rates,
          fsInfo,
          log: this.log,
        },
        full,
        nowMs,
      ),
      full ? fsInfo(this.opts.dataDir) : undefined,
    ]);
    const src: PodSources = {
      rates: this.rates,
      fsInfo,
      dirUsage: (p) => this.dirUsage.usage(p),
      logsRoot: path.join(agentDir, 'pod-logs'),
      podsRoot: path.join(agentDir, 'pods'),
      nodeFs,
    };
    const pods = await Promise.all(samples.map((s) => podStats(src, s, full, nowMs)));
    pods.sort((a, b) => {
      const ka = `${a.podRef.namespace}/${a.podRef.name}/${a.podRef.uid}`;
      const kb = `${b.podRef.namespace}/${b.podRef.name}/${b.podRef.uid}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    this.rates.prune(nowMs * 1e6);
    this.dirUsage.prune();
    return { node, pods };
  }

  /** The Prometheus text of /metrics/resource. */
  async resourceMetrics(): Promise<string> {
    let summary: Summary | undefined;
    try {
      summary = await this.summary({ onlyCpuAndMemory: true });
    } catch (err) {
      this.log.error({ err }, 'error getting the summary for /metrics/resource');
    }
    return resourceMetricsText(summary);
  }

  /** The node's pods as the runtime sees them: the sandboxes that count and their running containers. */
  private async podSamples(): Promise<PodSample[]> {
    const [{ items: sandboxList }, { containers: containerList }] = await Promise.all([
      this.opts.runtime.listPodSandbox({}),
      this.opts.runtime.listContainers({}),
    ]);
    const sandboxes = new Map(currentSandboxes(sandboxList).map((s) => [s.id, s]));
    const running = new Map(runningContainers(containerList).map((c) => [c.id, c]));
    const containersOf = (stats: CriContainerStats[]): PodSample['containers'] =>
      stats.flatMap((s) => {
        const container = running.get(s.attributes?.id ?? '');
        return container ? [{ stats: s, container }] : [];
      });

    if (!this.noSandboxStats) {
      try {
        const { stats } = await this.opts.runtime.listPodSandboxStats({});
        const out: PodSample[] = [];
        for (const s of stats) {
          const sandbox = sandboxes.get(s.attributes?.id ?? '');
          if (!sandbox) continue;
          const linux = s.linux;
          out.push({
            sandbox,
            ...(linux?.cpu ? { cpu: linux.cpu } : {}),
            ...(linux?.memory ? { memory: linux.memory } : {}),
            ...(linux?.network ? { network: linux.network } : {}),
            ...(linux?.process?.processCount !== undefined
              ? { processCount: linux.process.processCount.value }
              : {}),
            containers: containersOf(linux?.containers ?? []).filter(
              (c) => c.container.podSandboxId === sandbox.id,
            ),
            summed: false,
          });
        }
        return out;
      } catch (err) {
        if (!isCriError(err, CriCode.UNIMPLEMENTED)) throw err;
        this.log.info('the runtime has no pod sandbox stats; pod figures are the sums of their containers');
        this.noSandboxStats = true;
      }
    }
    const { stats } = await this.opts.runtime.listContainerStats({});
    const bySandbox = new Map<string, PodSample>();
    for (const entry of containersOf(stats)) {
      const sandbox = sandboxes.get(entry.container.podSandboxId);
      if (!sandbox) continue;
      let sample = bySandbox.get(sandbox.id);
      if (!sample) bySandbox.set(sandbox.id, (sample = { sandbox, containers: [], summed: true }));
      sample.containers.push(entry);
    }
    return [...bySandbox.values()];
  }
}

/**
 * The sandboxes that stand for pods: for each namespace/name, the ready sandboxes, or the newest one
 * when none is ready (a pod whose sandbox was recreated keeps only its current one).
 */
export function currentSandboxes(list: PodSandbox[]): PodSandbox[] {
  const groups = new Map<string, PodSandbox[]>();
  for (const s of [...list].sort((a, b) => a.createdAt - b.createdAt)) {
    const key = `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push(s);
    groups.set(key, group);
  }
  const out: PodSandbox[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(...group);
      continue;
    }
    const ready = group.filter((s) => s.state === 'SANDBOX_READY');
    const last = group[group.length - 1];
    out.push(...(ready.length ? ready : last ? [last] : []));
  }
  return out;
}

/** Running containers (upstream leaves exited ones out of usage figures). */
export function runningContainers(list: Container[]): Container[] {
  return list.filter((c) => c.state === 'CONTAINER_RUNNING');
}

/** The stats provider the agent gives the kubelet server. */
export function createStatsProvider(opts: StatsProviderOptions): CriStatsProvider {
  return new CriStatsProvider(opts);
}

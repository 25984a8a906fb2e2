/**
 * A small in-memory CRI for stats tests: pod sandboxes and containers with usage figures the test
 * sets, answered as ListPodSandbox / ListContainers / ListPodSandboxStats / ListContainerStats /
 * ImageFsInfo would (containerd 1.6's shape: every counter present, `availableBytes` 0 without a
 * limit, the pod network's default interface only).
 */
import type { ImageService } from '../../../cri/client.js';
import { CriCode, CriError } from '../../../cri/client.js';
import type * as T from '../../../cri/types.js';
import type { StatsRuntime } from '../provider.js';

/** Usage of a container or a pod cgroup, as the test sets it. */
export interface FakeUsage {
  /** Cumulative CPU ns. */
  cpuNs: number;
  /** What the runtime puts in usageNanoCores (containerd: 0 on its first sample). */
  runtimeNanoCores?: number;
  workingSetBytes: number;
  usageBytes?: number;
  rssBytes?: number;
  /** Writable layer usage (containers). */
  writableBytes?: number;
  writableInodes?: number;
}

interface FakePod {
  sandbox: T.PodSandbox;
  usage: FakeUsage;
  rxBytes: number;
  txBytes: number;
  processCount: number;
}

interface FakeContainer {
  container: T.Container;
  usage: FakeUsage;
}

/** See the module comment. */
export class FakeStatsCri implements StatsRuntime, Pick<ImageService, 'imageFsInfo'> {
  readonly pods = new Map<string, FakePod>();
  readonly containers = new Map<string, FakeContainer>();
  /** Answer ListPodSandboxStats with Unimplemented (a runtime without pod-level stats). */
  sandboxStatsUnimplemented = false;
  /** Fail every list call with this error. */
  failWith: Error | undefined;
  /** Mount point of the image filesystem (ImageFsInfo). */
  imageFsMount = '/';
  imageFsUsedBytes = 0;
  readonly calls: string[] = [];

  /** `nowNs` gives the timestamps of the stats answers. */
  constructor(private readonly nowNs: () => number) {}

  /** Adds a ready pod sandbox. */
  addPod(id: string, ref: { name: string; namespace: string; uid: string }, createdAtNs: number): void {
    this.pods.set(id, {
      sandbox: {
        id,
        metadata: { ...ref, attempt: 0 },
        state: 'SANDBOX_READY',
        createdAt: createdAtNs,
        labels: {
          'io.kubernetes.pod.name': ref.name,
          'io.kubernetes.pod.namespace': ref.namespace,
          'io.kubernetes.pod.uid': ref.uid,
        },
        annotations: {},
        runtimeHandler: '',
      },
      usage: { cpuNs: 0, workingSetBytes: 0 },
      rxBytes: 0,
      txBytes: 0,
      processCount: 1,
    });
  }

  /** Adds a running container to a pod. */
  addContainer(id: string, podId: string, name: string, createdAtNs: number): void {
    const pod = this.pods.get(podId);
    if (!pod) throw new Error(`no pod ${podId}`);
    this.containers.set(id, {
      container: {
        id,
        podSandboxId: podId,
        metadata: { name, attempt: 0 },
        imageRef: 'sha256:0',
        state: 'CONTAINER_RUNNING',
        createdAt: createdAtNs,
        labels: { ...pod.sandbox.labels, 'io.kubernetes.container.name': name },
        annotations: {},
        imageId: '',
      },
      usage: { cpuNs: 0, workingSetBytes: 0 },
    });
  }

  /** Sets the figures of a pod (by sandbox id) or a container (by container id). */
  setUsage(id: string, usage: Partial<FakeUsage>): void {
    const target = this.pods.get(id) ?? this.containers.get(id);
    if (!target) throw new Error(`no pod or container ${id}`);
    target.usage = { ...target.usage, ...usage };
  }

  private check(call: string): void {
    this.calls.push(call);
    if (this.failWith) throw this.failWith;
  }

  private u(v: number): T.UInt64Value {
    return { value: v };
  }

  private cpu(u: FakeUsage): T.CpuUsage {
    return {
      timestamp: this.nowNs(),
      usageCoreNanoSeconds: this.u(u.cpuNs),
      usageNanoCores: this.u(u.runtimeNanoCores ?? 0),
    };
  }

  private memory(u: FakeUsage): T.MemoryUsage {
    return {
      timestamp: this.nowNs(),
      workingSetBytes: this.u(u.workingSetBytes),
      availableBytes: this.u(0),
      usageBytes: this.u(u.usageBytes ?? u.workingSetBytes),
      rssBytes: this.u(u.rssBytes ?? 0),
      pageFaults: this.u(10),
      majorPageFaults: this.u(0),
    };
  }

  private containerStats(c: FakeContainer): T.ContainerStats {
    return {
      attributes: {
        id: c.container.id,
        ...(c.container.metadata ? { metadata: c.container.metadata } : {}),
        labels: c.container.labels,
        annotations: {},
      },
      cpu: this.cpu(c.usage),
      memory: this.memory(c.usage),
      writableLayer: {
        timestamp: this.nowNs(),
        fsId: { mountpoint: this.imageFsMount },
        usedBytes: this.u(c.usage.writableBytes ?? 0),
        inodesUsed: this.u(c.usage.writableInodes ?? 0),
      },
    };
  }

  listPodSandbox(): Promise<T.ListPodSandboxResponse> {
    this.check('ListPodSandbox');
    return Promise.resolve({ items: [...this.pods.values()].map((p) => p.sandbox) });
  }

  listContainers(): Promise<T.ListContainersResponse> {
    this.check('ListContainers');
    return Promise.resolve({ containers: [...this.containers.values()].map((c) => c.container) });
  }

  listContainerStats(): Promise<T.ListContainerStatsResponse> {
    this.check('ListContainerStats');
    return Promise.resolve({ stats: [...this.containers.values()].map((c) => this.containerStats(c)) });
  }

  listPodSandboxStats(): Promise<T.ListPodSandboxStatsResponse> {
    this.check('ListPodSandboxStats');
    if (this.sandboxStatsUnimplemented)
      return Promise.reject(
        new CriError('RuntimeService/ListPodSandboxStats', CriCode.UNIMPLEMENTED, 'not implemented'),
      );
    const stats: T.PodSandboxStats[] = [...this.pods.values()]
      .filter((p) => p.sandbox.state === 'SANDBOX_READY')
      .map((p) => ({
        attributes: {
          id: p.sandbox.id,
          ...(p.sandbox.metadata ? { metadata: p.sandbox.metadata } : {}),
          labels: p.sandbox.labels,
          annotations: {},
        },
        linux: {
          cpu: this.cpu(p.usage),
          memory: this.memory(p.usage),
          network: {
            timestamp: 0,
            defaultInterface: {
              name: 'eth0',
              rxBytes: this.u(p.rxBytes),
              rxErrors: this.u(0),
              txBytes: this.u(p.txBytes),
              txErrors: this.u(0),
            },
            interfaces: [],
          },
          process: { timestamp: this.nowNs(), processCount: this.u(p.processCount) },
          containers: [...this.containers.values()]
            .filter((c) => c.container.podSandboxId === p.sandbox.id)
            .map((c) => this.containerStats(c)),
        },
      }));
    return Promise.resolve({ stats });
  }

  imageFsInfo(): Promise<T.ImageFsInfoResponse> {
    this.check('ImageFsInfo');
    return Promise.resolve({
      imageFilesystems: [
        {
          timestamp: this.nowNs(),
          fsId: { mountpoint: this.imageFsMount },
          usedBytes: this.u(this.imageFsUsedBytes),
          inodesUsed: this.u(12),
        },
      ],
      containerFilesystems: [],
    });
  }
}

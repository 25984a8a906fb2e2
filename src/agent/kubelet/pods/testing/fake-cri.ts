/**
 * An in-memory CRI runtime for unit tests of the pod worker: sandboxes and containers with states
 * the test drives (exit a container, fail a start, remove an image).
 */
import { CriError, type ImageService, type RuntimeService } from '../../../cri/client.js';
import type * as T from '../../../cri/types.js';

interface FakeContainer {
  id: string;
  sandboxId: string;
  config: T.ContainerConfig;
  state: T.ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
}

interface FakeSandbox {
  id: string;
  config: T.PodSandboxConfig;
  state: T.PodSandboxState;
  createdAt: number;
}

export class FakeCri {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>(['k8ts.local/busybox:1']);
  /** Commands whose start fails (as a missing executable does). */
  readonly failStart = new Set<string>();
  /** Images whose pull fails. */
  readonly failPull = new Set<string>();
  readonly calls: string[] = [];
  /** Read calls (`listPodSandbox`, `listPodSandbox:<uid>` when filtered by pod, `containerStatus:<id>` …). */
  readonly reads: string[] = [];
  private seq = 0;
  private tick = 0;

  /** `nowMs` is the test's clock; CRI timestamps are in nanoseconds. */
  constructor(private readonly nowMs: () => number = () => Date.now()) {}

  private ts(): number {
    return this.nowMs() * 1e6 + ++this.tick;
  }

  private id(prefix: string): string {
    return `${prefix}${++this.seq}`;
  }

  /** Ends a running container with an exit code. */
  exit(id: string, code: number, reason = ''): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    c.state = 'CONTAINER_EXITED';
    c.exitCode = code;
    c.reason = reason;
    c.finishedAt = this.ts();
  }

  /** The latest container of a name. */
  latest(name: string): FakeContainer | undefined {
    return [...this.containers.values()].filter((c) => c.config.metadata?.name === name).pop();
  }

  /** Records a list call (with the pod uid it is filtered by); adds nothing to the answer. */
  private read(call: string, sel: Record<string, string> | undefined): Record<string, never> {
    const uid = sel?.['io.kubernetes.pod.uid'];
    this.reads.push(uid ? `${call}:${uid}` : call);
    return {};
  }

  private matches(labels: Record<string, string>, sel: Record<string, string> | undefined): boolean {
    return Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);
  }

  private status(c: FakeContainer): T.ContainerStatus {
    return {
      id: c.id,
      metadata: c.config.metadata,
      state: c.state,
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      image: c.config.image,
      imageRef: `sha256:${c.config.image?.image ?? ''}`,
      reason: c.reason,
      message: '',
      labels: c.config.labels ?? {},
      annotations: c.config.annotations ?? {},
      mounts: [],
      logPath: '',
      imageId: '',
      stopSignal: 'RUNTIME_DEFAULT',
    } as T.ContainerStatus;
  }

  runtime(): RuntimeService {
    const rt: Partial<RuntimeService> = {
      runPodSandbox: async (req) => {
        this.calls.push('runPodSandbox');
        const id = this.id('s');
        this.sandboxes.set(id, {
          id,
          config: req.config,
          state: 'SANDBOX_READY',
          createdAt: this.ts(),
        });
        return { podSandboxId: id };
      },
      stopPodSandbox: async (req) => {
        this.calls.push('stopPodSandbox');
        const s = this.sandboxes.get(req.podSandboxId);
        if (s) s.state = 'SANDBOX_NOTREADY';
        for (const c of this.containers.values())
          if (c.sandboxId === req.podSandboxId && c.state === 'CONTAINER_RUNNING') this.exit(c.id, 137);
        return {};
      },
      removePodSandbox: async (req) => {
        this.calls.push('removePodSandbox');
        this.sandboxes.delete(req.podSandboxId);
        for (const c of [...this.containers.values()])
          if (c.sandboxId === req.podSandboxId) this.containers.delete(c.id);
        return {};
      },
      podSandboxStatus: async (req) => {
        this.reads.push(`podSandboxStatus:${req.podSandboxId}`);
        const s = this.sandboxes.get(req.podSandboxId);
        if (!s) throw new Error('not found');
        return {
          status: {
            id: s.id,
            metadata: s.config.metadata,
            state: s.state,
            createdAt: s.createdAt,
            network: { ip: '10.42.0.9', additionalIps: [] },
            labels: s.config.labels ?? {},
            annotations: {},
            runtimeHandler: '',
          },
          info: {},
        } as unknown as T.PodSandboxStatusResponse;
      },
      listPodSandbox: async (req) => ({
        ...this.read('listPodSandbox', req?.filter?.labelSelector),
        items: [...this.sandboxes.values()]
          .filter((s) => this.matches(s.config.labels ?? {}, req?.filter?.labelSelector))
          .map((s) => ({
            id: s.id,
            metadata: s.config.metadata,
            state: s.state,
            createdAt: s.createdAt,
            labels: s.config.labels ?? {},
            annotations: {},
            runtimeHandler: '',
          })),
      }),
      createContainer: async (req) => {
        this.calls.push(
          `createContainer:${req.config.metadata?.name ?? ''}:${req.config.metadata?.attempt ?? 0}`,
        );
        const id = this.id('c');
        this.containers.set(id, {
          id,
          sandboxId: req.podSandboxId,
          config: req.config,
          state: 'CONTAINER_CREATED',
          createdAt: this.ts(),
          startedAt: 0,
          finishedAt: 0,
          exitCode: 0,
          reason: '',
        });
        return { containerId: id };
      },
      startContainer: async (req) => {
        const c = this.containers.get(req.containerId);
        if (!c) throw new Error('not found');
        if (this.failStart.has(c.config.command?.[0] ?? '')) {
          c.state = 'CONTAINER_EXITED';
          c.exitCode = 128;
          c.reason = 'StartError';
          c.finishedAt = this.ts();
          throw new CriError(
            'RuntimeService/StartContainer',
            2,
            `failed to create containerd task: exec: "${c.config.command?.[0] ?? ''}": executable file not found in $PATH`,
          );
        }
        c.state = 'CONTAINER_RUNNING';
        c.startedAt = this.ts();
        return {};
      },
      stopContainer: async (req) => {
        this.calls.push(`stopContainer:${req.containerId}`);
        const c = this.containers.get(req.containerId);
        if (c && c.state === 'CONTAINER_RUNNING') this.exit(c.id, 137);
        return {};
      },
      removeContainer: async (req) => {
        this.containers.delete(req.containerId);
        return {};
      },
      listContainers: async (req) => ({
        ...this.read('listContainers', req?.filter?.labelSelector),
        containers: [...this.containers.values()]
          .filter((c) => this.matches(c.config.labels ?? {}, req?.filter?.labelSelector))
          .map((c) => ({
            id: c.id,
            podSandboxId: c.sandboxId,
            metadata: c.config.metadata,
            image: c.config.image,
            imageRef: '',
            state: c.state,
            createdAt: c.createdAt,
            labels: c.config.labels ?? {},
            annotations: c.config.annotations ?? {},
            imageId: '',
          })),
      }),
      containerStatus: async (req) => {
        this.reads.push(`containerStatus:${req.containerId}`);
        const c = this.containers.get(req.containerId);
        if (!c) throw new Error('not found');
        return { status: this.status(c), info: {} };
      },
    };
    return rt as RuntimeService;
  }

  imageService(): ImageService {
    const is: Partial<ImageService> = {
      imageStatus: async (req) =>
        this.images.has(req.image.image)
          ? ({
              image: {
                id: `sha256:${req.image.image}`,
                repoTags: [req.image.image],
                repoDigests: [],
                size: 1000,
                username: '',
                pinned: false,
              },
              info: {},
            } as T.ImageStatusResponse)
          : ({ info: {} } as T.ImageStatusResponse),
      pullImage: async (req) => {
        this.calls.push(`pullImage:${req.image.image}`);
        if (this.failPull.has(req.image.image))
          throw new Error(`failed to pull and unpack image "${req.image.image}": not found`);
        this.images.add(req.image.image);
        return { imageRef: `sha256:${req.image.image}` };
      },
    };
    return is as ImageService;
  }
}

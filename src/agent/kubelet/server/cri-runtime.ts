/**
 * A {@link StreamingRuntime} over the CRI RuntimeService: containers and sandboxes are found by the
 * labels the agent puts on them (`io.kubernetes.pod.namespace`, `io.kubernetes.pod.name`,
 * `io.kubernetes.container.name`), the current instance of a container is the one with the highest
 * attempt (= restart count) and the previous one the next highest, and exec/attach/port-forward ask the
 * runtime for its streaming URL.
 *
 * {@link CriStreamingService} names the few RPCs used, shaped as the agent's CRI client
 * (`src/agent/cri/client.ts`, AGENT-PLAN.md conventions) so that its RuntimeService fits as is.
 */
import {
  KubeletHttpError,
  type ContainerLogTarget,
  type ContainerRef,
  type PortForwardRequest,
  type StreamingRuntime,
  type StreamRequest,
} from './types.js';

/** The CRI labels on sandboxes and containers. */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

/** A CRI Container as ListContainers returns it (the fields used here). */
export interface CriContainer {
  id: string;
  podSandboxId?: string;
  metadata?: { name?: string; attempt?: number };
  state?: string;
  createdAt?: number;
  labels?: Record<string, string>;
}

/** A CRI PodSandbox as ListPodSandbox returns it (the fields used here). */
export interface CriPodSandbox {
  id: string;
  state?: string;
  createdAt?: number;
  labels?: Record<string, string>;
}

/** The RuntimeService RPCs the kubelet server needs. */
export interface CriStreamingService {
  listContainers(req: {
    filter?: { labelSelector?: Record<string, string>; podSandboxId?: string };
  }): Promise<{ containers: CriContainer[] }>;
  containerStatus(req: { containerId: string; verbose?: boolean }): Promise<{
    status?: { id?: string; state?: string; logPath?: string };
  }>;
  listPodSandbox(req: {
    filter?: { labelSelector?: Record<string, string> };
  }): Promise<{ items: CriPodSandbox[] }>;
  exec(req: {
    containerId: string;
    cmd: string[];
    tty: boolean;
    stdin: boolean;
    stdout: boolean;
    stderr: boolean;
  }): Promise<{ url: string }>;
  attach(req: {
    containerId: string;
    stdin: boolean;
    tty: boolean;
    stdout: boolean;
    stderr: boolean;
  }): Promise<{ url: string }>;
  portForward(req: { podSandboxId: string; port: number[] }): Promise<{ url: string }>;
}

const RUNNING = 'CONTAINER_RUNNING';
const READY = 'SANDBOX_READY';

function newestFirst<T extends { createdAt?: number }>(a: T, b: T): number {
  return (b.createdAt ?? 0) - (a.createdAt ?? 0);
}

/** The StreamingRuntime of a CRI runtime. */
export class CriStreamingRuntime implements StreamingRuntime {
  constructor(private readonly cri: CriStreamingService) {}

  private async sandboxes(namespace: string, pod: string, uid?: string): Promise<CriPodSandbox[]> {
    const labelSelector: Record<string, string> = { [POD_NAMESPACE_LABEL]: namespace, [POD_NAME_LABEL]: pod };
    if (uid) labelSelector[POD_UID_LABEL] = uid;
    const { items } = await this.cri.listPodSandbox({ filter: { labelSelector } });
    return [...items].sort(newestFirst);
  }

  /** Instances of a container, current first (highest attempt, then newest). */
  private async instances(ref: ContainerRef): Promise<CriContainer[]> {
    const labelSelector: Record<string, string> = {
      [POD_NAMESPACE_LABEL]: ref.namespace,
      [POD_NAME_LABEL]: ref.pod,
      [CONTAINER_NAME_LABEL]: ref.container,
    };
    if (ref.uid) labelSelector[POD_UID_LABEL] = ref.uid;
    const { containers } = await this.cri.listContainers({ filter: { labelSelector } });
    return [...containers].sort(
      (a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0) || newestFirst(a, b),
    );
  }

  async containerLog(ref: ContainerRef, opts: { previous: boolean }): Promise<ContainerLogTarget> {
    if ((await this.sandboxes(ref.namespace, ref.pod, ref.uid)).length === 0) {
      throw new KubeletHttpError(404, `pod "${ref.pod}" does not exist`);
    }
    const all = await this.instances(ref);
    const chosen = opts.previous ? all[1] : all[0];
    if (!chosen) {
      throw new KubeletHttpError(
        400,
        opts.previous
          ? `previous terminated container "${ref.container}" in pod "${ref.pod}" not found`
          : `container "${ref.container}" in pod "${ref.pod}" is waiting to start: ContainerCreating`,
      );
    }
    const { status } = await this.cri.containerStatus({ containerId: chosen.id });
    if (!status?.logPath) {
      throw new KubeletHttpError(400, `container "${ref.container}" in pod "${ref.pod}" has no log file`);
    }
    return { containerId: chosen.id, logPath: status.logPath };
  }

  async containerRunning(containerId: string): Promise<boolean> {
    try {
      const { status } = await this.cri.containerStatus({ containerId });
      return status?.state === RUNNING;
    } catch {
      // Removed meanwhile: not running.
      return false;
    }
  }

  private async running(req: StreamRequest): Promise<string> {
    if ((await this.sandboxes(req.namespace, req.pod, req.uid)).length === 0) {
      throw new KubeletHttpError(404, 'pod does not exist');
    }
    const current = (await this.instances(req))[0];
    if (!current || current.state !== RUNNING) {
      throw new KubeletHttpError(404, `container not found ("${req.container}")`);
    }
    return current.id;
  }

  async exec(req: StreamRequest): Promise<string> {
    const containerId = await this.running(req);
    const { url } = await this.cri.exec({
      containerId,
      cmd: req.cmd,
      tty: req.tty,
      stdin: req.stdin,
      stdout: req.stdout,
      stderr: req.stderr,
    });
    return url;
  }

  async attach(req: StreamRequest): Promise<string> {
    const containerId = await this.running(req);
    const { url } = await this.cri.attach({
      containerId,
      stdin: req.stdin,
      tty: req.tty,
      stdout: req.stdout,
      stderr: req.stderr,
    });
    return url;
  }

  async portForward(req: PortForwardRequest): Promise<string> {
    const sandbox = (await this.sandboxes(req.namespace, req.pod, req.uid)).find((s) => s.state === READY);
    if (!sandbox) throw new KubeletHttpError(404, 'pod does not exist');
    const { url } = await this.cri.portForward({ podSandboxId: sandbox.id, port: req.ports });
    return url;
  }
}

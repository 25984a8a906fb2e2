/**
 * The raw CRI floor of starting a pod: RunPodSandbox + CreateContainer + StartContainer straight to
 * the agent's containerd, with the configs the agent itself would send for the same pod (built with
 * the agent's own sandbox-config.ts and container-config.ts from a pod as the API server stored it,
 * with the same environment, DNS, cgroup parent, log paths and bind mounts), so the runtime does the
 * same work. What the agent does around those calls (watching, volume set-up, status reads and
 * writes) is what k8ts adds on top.
 *
 * The floor's sandboxes and containers carry no `io.kubernetes.pod.uid` label: the agent would take
 * them for leftovers of deleted pods and remove them.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { defaultClusterDNS } from '../../src/agent/agent.js';
import type { CriConnection } from '../../src/agent/cri/client.js';
import type { ContainerConfig, Mount, PodSandboxConfig } from '../../src/agent/cri/types.js';
import { containerConfig } from '../../src/agent/kubelet/pods/container-config.js';
import { parseResolvConf, podDns, type NodeDns } from '../../src/agent/kubelet/pods/dns.js';
import { containerEnv, type ServiceLink } from '../../src/agent/kubelet/pods/env.js';
import { POD_UID_LABEL } from '../../src/agent/kubelet/pods/labels.js';
import { sandboxConfig } from '../../src/agent/kubelet/pods/sandbox-config.js';
import { containerSpecHash } from '../../src/agent/kubelet/pods/spec-hash.js';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/config.js';
import { DEFAULT_CONFIG } from '../../src/server/config.js';

/** The label that marks the floor's sandboxes (for clean-up). */
const FLOOR_LABEL = 'k8ts.io/bench-floor';

/** Everything needed to start floor pods shaped like `template`. */
export interface FloorOptions {
  cri: CriConnection;
  /** A pod as the API server stored it (defaults and admission applied), run once by the agent. */
  template: Pod;
  /** The mounts the agent gave the template's container (from CRI ContainerStatus). */
  mounts: Mount[];
  /** Services whose link variables the agent put in the environment. */
  services: ServiceLink[];
  /** Scratch directory for the floor's copies of the mount sources and its logs. */
  dir: string;
  cgroupRoot: string;
  nodeIP: string;
}

/** Starts floor pods; {@link CriFloor.cleanup} removes them all. */
export class CriFloor {
  private imageRef = '';
  private mounts: Mount[] = [];
  private readonly logsRoot: string;
  private seq = 0;

  constructor(private readonly o: FloorOptions) {
    this.logsRoot = path.join(o.dir, 'pod-logs');
  }

  /** Resolves the image and copies the template's mount sources (outside any timed region). */
  async prepare(): Promise<void> {
    const c = this.o.template.spec?.containers[0];
    if (!c?.image) throw new Error('template pod has no container image');
    const st = await this.o.cri.images.imageStatus({ image: { image: c.image } });
    if (!st.image?.id) throw new Error(`image ${c.image} is not in the runtime`);
    this.imageRef = st.image.id;
    fs.mkdirSync(this.logsRoot, { recursive: true });
    // Copies, so the floor does not depend on the template pod's volumes staying around.
    this.mounts = this.o.mounts.map((m, i) => {
      if (!m.hostPath) return m;
      const copy = path.join(this.o.dir, 'mounts', String(i), path.basename(m.hostPath));
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.cpSync(m.hostPath, copy, { recursive: true, dereference: false });
      return { ...m, hostPath: copy };
    });
  }

  /** The configs for the next floor pod (built before its timer starts). */
  async configs(): Promise<{ sandbox: PodSandboxConfig; container: ContainerConfig }> {
    const t = this.o.template;
    const name = `floor-${this.seq++}`;
    const pod: Pod = {
      ...t,
      metadata: { ...t.metadata, name, uid: randomUUID(), resourceVersion: undefined },
    };
    const c = pod.spec?.containers[0];
    if (!c) throw new Error('template pod has no container');
    const ns = pod.metadata?.namespace ?? 'default';
    const nodeDns: NodeDns = {
      clusterDNS: [defaultClusterDNS(DEFAULT_CONFIG.serviceCidr)],
      clusterDomain: DEFAULT_AGENT_CONFIG.clusterDomain,
      host: parseResolvConf(
        fs.existsSync('/etc/resolv.conf') ? fs.readFileSync('/etc/resolv.conf', 'utf8') : '',
      ),
    };
    const sandbox = sandboxConfig(pod, 0, {
      logsRoot: this.logsRoot,
      dns: podDns(pod.spec ?? { containers: [] }, ns, nodeDns),
      cgroupRoot: this.o.cgroupRoot,
    });
    sandbox.labels = { ...withoutUid(sandbox.labels), [FLOOR_LABEL]: 'true' };
    const env = await containerEnv(
      pod,
      c,
      { configMap: () => Promise.resolve(undefined), secret: () => Promise.resolve(undefined) },
      this.o.services,
      { hostIP: this.o.nodeIP, podIPs: [], nodeAllocatable: {} },
    );
    const container = containerConfig(pod, c, {
      attempt: 0,
      image: this.imageRef,
      env,
      mounts: this.mounts,
      logPath: `${c.name}/0.log`,
      specHash: containerSpecHash(c),
      isInit: false,
      nodeMemoryBytes: os.totalmem(),
    });
    container.labels = withoutUid(container.labels);
    return { sandbox, container };
  }

  /** The floor of one pod: RunPodSandbox, CreateContainer, StartContainer. */
  async start(cfg: { sandbox: PodSandboxConfig; container: ContainerConfig }): Promise<void> {
    const rt = this.o.cri.runtime;
    const { podSandboxId } = await rt.runPodSandbox({ config: cfg.sandbox });
    const { containerId } = await rt.createContainer({
      podSandboxId,
      config: cfg.container,
      sandboxConfig: cfg.sandbox,
    });
    await rt.startContainer({ containerId });
  }

  /** Stops and removes every floor sandbox (with its containers), `concurrency` at a time. */
  async cleanup(concurrency = 10): Promise<void> {
    const rt = this.o.cri.runtime;
    const res = await rt.listPodSandbox({ filter: { labelSelector: { [FLOOR_LABEL]: 'true' } } });
    const ids = (res.items ?? []).map((s) => s.id);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] ?? '';
        await rt.stopPodSandbox({ podSandboxId: id });
        await rt.removePodSandbox({ podSandboxId: id });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}

function withoutUid(labels: Record<string, string> | undefined): Record<string, string> {
  const out = { ...labels };
  delete out[POD_UID_LABEL];
  return out;
}

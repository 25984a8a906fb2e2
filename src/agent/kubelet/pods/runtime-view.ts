/** Reads a pod's sandboxes and containers from the CRI into the kubelet's own terms. */
import type { RuntimeService } from '../../cri/client.js';
import type {
  Container as CriContainer,
  ContainerStatus as CriContainerStatus,
  PodSandbox,
} from '../../cri/types.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL, SPEC_HASH_ANNOTATION } from './labels.js';
import type { ObservedContainer, ObservedSandbox } from './runtime-state.js';

const fromNanos = (ns: number | undefined): Date | undefined =>
  ns ? new Date(Math.floor(ns / 1e6)) : undefined;

const STATE: Record<string, ObservedContainer['state']> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
};

/** One CRI container status in kubelet terms. */
export function observedContainer(c: CriContainerStatus): ObservedContainer {
  return {
    id: c.id,
    name: c.metadata?.name ?? c.labels?.[CONTAINER_NAME_LABEL] ?? '',
    attempt: c.metadata?.attempt ?? 0,
    state: STATE[c.state] ?? 'unknown',
    createdAt: fromNanos(c.createdAt),
    startedAt: fromNanos(c.startedAt),
    finishedAt: fromNanos(c.finishedAt),
    exitCode: c.exitCode ?? 0,
    reason: c.reason ?? '',
    message: c.message ?? '',
    imageRef: c.imageRef ?? '',
    image: c.image?.image ?? '',
    specHash: c.annotations?.[SPEC_HASH_ANNOTATION] ?? '',
  };
}

/** The pod's sandboxes, newest first. */
export async function podSandboxes(
  rt: RuntimeService,
  uid: string,
): Promise<(PodSandbox & { ips: string[] })[]> {
  const res = await rt.listPodSandbox({ filter: { labelSelector: { [POD_UID_LABEL]: uid } } });
  const items = [...(res.items ?? [])].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  const out: (PodSandbox & { ips: string[] })[] = [];
  for (const s of items) {
    let ips: string[] = [];
    if (s.state === 'SANDBOX_READY') {
      try {
        const st = await rt.podSandboxStatus({ podSandboxId: s.id });
        const net = st.status?.network;
        ips = [net?.ip ?? '', ...(net?.additionalIps ?? []).map((a) => a.ip)].filter((ip) => ip !== '');
      } catch {
        ips = [];
      }
    }
    out.push({ ...s, ips });
  }
  return out;
}

export function observedSandbox(s: PodSandbox & { ips: string[] }): ObservedSandbox {
  return {
    id: s.id,
    ready: s.state === 'SANDBOX_READY',
    attempt: s.metadata?.attempt ?? 0,
    ips: s.ips,
    createdAt: fromNanos(s.createdAt),
  };
}

/** Every container of the pod (all attempts, all sandboxes) with full status. */
export async function podContainers(rt: RuntimeService, uid: string): Promise<ObservedContainer[]> {
  const res = await rt.listContainers({ filter: { labelSelector: { [POD_UID_LABEL]: uid } } });
  const out: ObservedContainer[] = [];
  for (const c of res.containers ?? []) {
    try {
      const st = await rt.containerStatus({ containerId: c.id });
      if (st.status) out.push({ ...observedContainer(st.status), ...sandboxOf(c) });
    } catch {
      // Removed between list and status: skip it.
    }
  }
  return out;
}

function sandboxOf(c: CriContainer): { sandboxId: string } {
  return { sandboxId: c.podSandboxId };
}

/**
 * The Node object the agent registers and keeps current: capacity, allocatable, addresses, labels,
 * nodeInfo and the four conditions, computed from machine facts (pure functions, tested alone).
 */
import type { NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../../client/types.js';
import type { MachineInfo } from './machine.js';

/** Pods per node, as upstream's default `maxPods`. */
export const MAX_PODS = 110;
/** Memory held back from allocatable, as upstream's default hard eviction threshold (100Mi). */
export const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
/** Share of the node filesystem held back from allocatable (upstream: nodefs.available<10%). */
export const EVICTION_NODEFS_FRACTION = 0.1;
export const KUBELET_PORT = 10250;

/** What the agent knows about itself beyond the machine. */
export interface NodeIdentity {
  name: string;
  /** The node's address for other nodes and the API server. */
  internalIP: string;
  /** "containerd://1.6.20" from the CRI Version call. */
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeletPort: number;
  /** Servers carry the control-plane role label. */
  controlPlane: boolean;
  /** Extra labels from flags (`--node-label`). */
  extraLabels?: Record<string, string>;
  /** Taints from flags (`--node-taint`), set only when the Node is created. */
  taints?: { key: string; value?: string; effect: string }[];
  /**
   * The node's service proxy mode (`nftables`) when it runs one: the {@link SERVICE_PROXY_LABEL}
   * value, which other nodes select to know whom to ask before stopping a pod.
   */
  serviceProxy?: string;
}

/**
 * Label of nodes that run the service proxy (value: its mode). A label rather than an annotation so
 * that agents can watch just these nodes (a label selector), not every Node of a large cluster.
 */
export const SERVICE_PROXY_LABEL = 'k8ts.io/service-proxy';

/** Live readings behind the pressure conditions and readiness. */
export interface NodeHealth {
  /** MemAvailable in bytes. */
  memoryAvailableBytes: number;
  /** Free bytes of the data dir's filesystem. */
  diskAvailableBytes: number;
  /** Processes running / pid_max. */
  pidsUsed: number;
  pidsMax: number;
  /** Why the node is not ready ('' when ready): runtime down, network not ready… */
  notReadyMessage: string;
}

const KI = 1024;
const ki = (bytes: number): string => `${Math.floor(bytes / KI)}Ki`;

/** Labels every node carries (kubernetes.io/hostname, os, arch, and the role of servers). */
export function nodeLabels(id: NodeIdentity, m: MachineInfo): Record<string, string> {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': m.architecture,
    'beta.kubernetes.io/os': m.operatingSystem,
    'kubernetes.io/arch': m.architecture,
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': m.operatingSystem,
  };
  if (id.controlPlane) labels['node-role.kubernetes.io/control-plane'] = 'true';
  if (id.serviceProxy) labels[SERVICE_PROXY_LABEL] = id.serviceProxy;
  return { ...labels, ...id.extraLabels };
}

/** capacity and allocatable. */
export function nodeResources(m: MachineInfo): Pick<NodeStatus, 'capacity' | 'allocatable'> {
  const capacity = {
    cpu: String(m.cpus),
    'ephemeral-storage': ki(m.ephemeralStorageBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: ki(m.memoryBytes),
    pods: String(MAX_PODS),
  };
  const allocatable = {
    ...capacity,
    'ephemeral-storage': String(Math.floor(m.ephemeralStorageBytes * (1 - EVICTION_NODEFS_FRACTION))),
    memory: ki(Math.max(0, m.memoryBytes - EVICTION_MEMORY_BYTES)),
  };
  return { capacity, allocatable };
}

interface ConditionValue {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** The four conditions as upstream's kubelet words them. */
export function conditionValues(h: NodeHealth, m: MachineInfo): Record<string, ConditionValue> {
  const memoryLow = h.memoryAvailableBytes < EVICTION_MEMORY_BYTES;
  const diskLow =
    m.ephemeralStorageBytes > 0 && h.diskAvailableBytes < m.ephemeralStorageBytes * EVICTION_NODEFS_FRACTION;
  const pidsLow = h.pidsMax > 0 && h.pidsMax - h.pidsUsed < h.pidsMax * 0.05;
  return {
    MemoryPressure: memoryLow
      ? {
          status: 'True',
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
        }
      : {
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
        },
    DiskPressure: diskLow
      ? { status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    PIDPressure: pidsLow
      ? {
          status: 'True',
          reason: 'KubeletHasInsufficientPID',
          message: 'kubelet has insufficient PID available',
        }
      : {
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available',
        },
    Ready: h.notReadyMessage
      ? { status: 'False', reason: 'KubeletNotReady', message: h.notReadyMessage }
      : { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  };
}

/**
 * Merges new condition values into the previous conditions: lastHeartbeatTime is `now` for all,
 * lastTransitionTime moves only when the status changes.
 */
export function mergeConditions(
  previous: readonly NodeCondition[] | undefined,
  values: Record<string, ConditionValue>,
  now: string,
): NodeCondition[] {
  const order = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];
  const out: NodeCondition[] = [];
  for (const type of order) {
    const v = values[type];
    if (!v) continue;
    const prev = previous?.find((c) => c.type === type);
    out.push({
      type,
      status: v.status,
      lastHeartbeatTime: now,
      lastTransitionTime:
        prev && prev.status === v.status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      reason: v.reason,
      message: v.message,
    });
  }
  // Conditions other components own (e.g. NetworkUnavailable) are kept as they are.
  for (const c of previous ?? []) if (!order.includes(c.type)) out.push(c);
  return out;
}

/** The full status the agent reports (conditions merged with the previous ones). */
export function nodeStatus(
  id: NodeIdentity,
  m: MachineInfo,
  h: NodeHealth,
  previous: NodeStatus | undefined,
  now: string,
  images: NodeStatus['images'] = [],
): NodeStatus {
  const addresses = [
    { type: 'InternalIP', address: id.internalIP },
    { type: 'Hostname', address: id.name },
  ];
  return {
    ...previous,
    ...nodeResources(m),
    conditions: mergeConditions(previous?.conditions, conditionValues(h, m), now),
    addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.systemUUID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: id.containerRuntimeVersion,
      kubeletVersion: id.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: m.operatingSystem,
      architecture: m.architecture,
    },
    images,
  };
}

/** A new Node object for registration. */
export function newNode(id: NodeIdentity, m: MachineInfo): ApiObject {
  const spec: Record<string, unknown> = {};
  if (id.taints?.length) spec['taints'] = id.taints;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: nodeLabels(id, m),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec,
  };
}

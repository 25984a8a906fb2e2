/**
 * The Node objects hollow nodes register: names, labels (hostname, zone, os, arch), capacity,
 * addresses, node info and the kubelet's four conditions, as pure functions of the options.
 */
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { createHash } from 'node:crypto';
import { ipToString } from '../util/cidr.js';
import { VERSION } from '../version.js';
import type { ApiObject } from '../client/types.js';
import type { HollowOptions } from './options.js';

/** A Node as the client returns it. */
export type NodeObject = Node & ApiObject;

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const KUBELET_PORT = 10250;

/** `zone-a` … `zone-z`, then `zone-26` and up. */
export function zoneName(index: number): string {
  return index < 26 ? `zone-${String.fromCharCode(97 + index)}` : `zone-${index}`;
}

/** The name of node `index`. */
export function hollowNodeName(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

/** A small stable hash (FNV-1a, 32 bits). */
export function fnv32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The simulated InternalIP of node `index`: in 172.16.0.0/12, offset by a hash of the name prefix so
 * that two processes with different prefixes rarely collide.
 */
export function hollowNodeIP(prefix: string, index: number): string {
  const slot = ((fnv32(prefix) % 256) * 4096 + index) % (1 << 20);
  // Avoid .0 and .255 of each /24.
  const third = Math.floor(slot / 254);
  const fourth = (slot % 254) + 1;
  return ipToString(0xac100000 + third * 256 + fourth);
}

/** Labels of node `index`: what a kubelet sets, the zone, and the extra labels. */
export function hollowNodeLabels(opts: HollowOptions, index: number): Record<string, string> {
  const name = hollowNodeName(opts.namePrefix, index);
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    [ZONE_LABEL]: zoneName(index % Math.max(1, opts.zones)),
    ...opts.labels,
  };
}

/** The kubelet's four conditions, all healthy; `since` is the Ready transition time. */
export function hollowConditions(now: string, since: string): NodeCondition[] {
  const c = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: since,
    reason,
    message,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The full status of node `index` at `now` (RFC 3339), Ready since `since`. */
export function hollowNodeStatus(
  opts: HollowOptions,
  index: number,
  now: string,
  since: string,
): NonNullable<Node['status']> {
  const name = hollowNodeName(opts.namePrefix, index);
  const resources = {
    cpu: opts.cpu,
    'ephemeral-storage': '100Gi',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: opts.memory,
    pods: String(opts.pods),
  };
  const id = hex(name, 32);
  return {
    capacity: resources,
    allocatable: resources,
    conditions: hollowConditions(now, since),
    addresses: [
      { type: 'InternalIP', address: hollowNodeIP(opts.namePrefix, index) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: id,
      systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
      bootID: hex(`${name}/${since}`, 32),
      kernelVersion: '6.1.0-hollow',
      osImage: 'k8ts hollow node',
      containerRuntimeVersion: 'hollow://0.1.0',
      kubeletVersion: VERSION.gitVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node object node `index` registers with (status included: the server keeps it on create). */
export function hollowNode(opts: HollowOptions, index: number, now: string): NodeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: hollowNodeName(opts.namePrefix, index),
      labels: hollowNodeLabels(opts, index),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: opts.taints.length ? { taints: opts.taints.map((t) => ({ ...t })) } : {},
    status: hollowNodeStatus(opts, index, now, now),
  };
}

/** The Ready condition's status of a node ('' when it has none). */
export function readyStatus(node: Node | undefined): string {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';
}

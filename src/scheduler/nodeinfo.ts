/**
 * NodeInfo: one node and the aggregates of the pods on it (bound and assumed): requested and
 * non-zero requested resources, host ports in use, pods with affinity, images present. Kept up to
 * date incrementally as pods come and go, so scheduling a pod never re-adds a node's pods.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { HostPort, PodInfo } from './podinfo.js';
import { nodeAllocatable, Resource } from './resources.js';

/** An image on a node and the number of nodes that have it (for ImageLocality's spread factor). */
export interface ImageState {
  size: number;
  /** Shared across nodes: how many nodes have this image. */
  numNodes: { count: number };
}

/** A node with the aggregates of its pods. */
export class NodeInfo {
  node: Node;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Taints with effect NoSchedule or NoExecute (the ones the filter checks). */
  hardTaints: Taint[];
  /** Taints with effect PreferNoSchedule (scoring). */
  softTaints: Taint[];
  unschedulable: boolean;
  allocatable: Resource;
  readonly requested = new Resource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** Pods on this node with any pod (anti-)affinity. */
  readonly podsWithAffinity = new Set<PodInfo>();
  /** Pods on this node with required anti-affinity. */
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** `protocol/port` → host IPs in use. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** Image name (every name of status.images) → state. Filled by the cache. */
  images = new Map<string, ImageState>();
  /** Bumped on every change. */
  generation = 0;

  constructor(node: Node) {
    this.node = node;
    this.name = '';
    this.labels = {};
    this.hardTaints = [];
    this.softTaints = [];
    this.unschedulable = false;
    this.allocatable = new Resource();
    this.setNode(node);
  }

  /** Replaces the node object (labels, taints, allocatable). */
  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? {};
    const taints = node.spec?.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    this.softTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable = nodeAllocatable(node.status);
    this.generation++;
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.key, p);
    this.requested.add(p.requests);
    this.nonZeroMilliCPU += p.nonZeroMilliCPU;
    this.nonZeroMemory += p.nonZeroMemory;
    if (p.hasAffinity) this.podsWithAffinity.add(p);
    if (p.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity.add(p);
    for (const hp of p.hostPorts) this.usePort(hp, 1);
    this.generation++;
  }

  /** Removes the pod with `p.key`; false when it was not here. */
  removePod(p: PodInfo): boolean {
    const cur = this.pods.get(p.key);
    if (!cur) return false;
    this.pods.delete(p.key);
    this.requested.sub(cur.requests);
    this.nonZeroMilliCPU -= cur.nonZeroMilliCPU;
    this.nonZeroMemory -= cur.nonZeroMemory;
    this.podsWithAffinity.delete(cur);
    this.podsWithRequiredAntiAffinity.delete(cur);
    for (const hp of cur.hostPorts) this.usePort(hp, -1);
    this.generation++;
    return true;
  }

  private usePort(hp: HostPort, delta: number): void {
    const k = `${hp.protocol}/${hp.port}`;
    let ips = this.usedPorts.get(k);
    if (!ips) this.usedPorts.set(k, (ips = new Map()));
    const n = (ips.get(hp.ip) ?? 0) + delta;
    if (n > 0) ips.set(hp.ip, n);
    else ips.delete(hp.ip);
    if (ips.size === 0) this.usedPorts.delete(k);
  }

  /** Whether `hp` conflicts with a port in use (0.0.0.0 conflicts with every address). */
  portConflict(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === '0.0.0.0') return true;
    return ips.has(hp.ip) || ips.has('0.0.0.0');
  }
}

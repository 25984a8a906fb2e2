/**
 * Nominated pods: pods that preempted others and wait for room on their nominated node
 * (status.nominatedNodeName). While they wait, the scheduler counts them as already on that node
 * for pods of equal or lower priority, so the room they made is not taken by someone else.
 */
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

const NONE: PodInfo[] = [];

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Records (or clears, with '') the node `pod` is nominated to. */
  set(pod: PodInfo, node: string): void {
    this.delete(pod.key);
    if (!node) return;
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(pod.key, pod);
    this.nodeOf.set(pod.key, node);
  }

  delete(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const m = this.byNode.get(node);
    m?.delete(key);
    if (m && m.size === 0) this.byNode.delete(node);
  }

  /** The node a pod is nominated to. */
  nominatedNode(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  /** Pods nominated to `node` with at least `pod`'s priority (other than `pod`). */
  forNode(node: NodeInfo, pod: PodInfo): PodInfo[] {
    if (this.nodeOf.size === 0) return NONE;
    const m = this.byNode.get(node.name);
    if (!m) return NONE;
    const out: PodInfo[] = [];
    for (const p of m.values())
      if (p.key !== pod.key && p.priority >= pod.priority && !node.pods.has(p.key)) out.push(p);
    return out;
  }

  /** Every pod nominated to `node`. */
  all(node: string): PodInfo[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  get size(): number {
    return this.nodeOf.size;
  }
}

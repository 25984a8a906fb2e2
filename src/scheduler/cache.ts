/**
 * The scheduler's cache: every node with the pods bound or assumed on it. A pod is *assumed* on a
 * node the moment the scheduler picks it (its resources count at once, before the binding is
 * observed); it becomes bound when the informer shows spec.nodeName, and is forgotten if binding
 * fails. Plugins read it through {@link ClusterView}; scheduling cycles run synchronously, so the
 * live cache is the snapshot.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import type { ClusterView, SelectorCounts } from './framework/types.js';
import { NodeInfo, type ImageState } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { normalizedImageName } from './podinfo.js';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
}

class CountIndex implements SelectorCounts {
  readonly perNode = new Map<string, Map<string, number>>();
  /** Topology key → value → namespace → count; dropped when node labels change. */
  readonly domains = new Map<string, Map<string, Map<string, number>>>();
  lastUsed = 0;

  constructor(
    readonly matches: (pod: PodInfo) => boolean,
    private readonly labelsOf: (node: string) => Readonly<Record<string, string>> | undefined,
  ) {}

  perDomain(topologyKey: string): ReadonlyMap<string, ReadonlyMap<string, number>> {
    let m = this.domains.get(topologyKey);
    if (m) return m;
    m = new Map();
    for (const [node, perNs] of this.perNode) {
      const labels = this.labelsOf(node);
      if (!labels) continue;
      const v = labels[topologyKey] ?? '';
      for (const [ns, n] of perNs) bumpNested(m, v, ns, n);
    }
    this.domains.set(topologyKey, m);
    return m;
  }

  bump(node: string, ns: string, delta: number): void {
    bumpNested(this.perNode, node, ns, delta);
    if (this.domains.size === 0) return;
    const labels = this.labelsOf(node);
    if (!labels) return;
    for (const [key, m] of this.domains) bumpNested(m, labels[key] ?? '', ns, delta);
  }
}

/** Selector count indexes kept at most (least recently used dropped first). */
const MAX_COUNT_INDEXES = 64;

export class SchedulerCache implements ClusterView {
  /** Every NodeInfo, including placeholders for nodes whose Node object is not (yet) known. */
  private readonly infos = new Map<string, NodeInfo>();
  /** Nodes with a Node object, in a stable order (zones interleaved is not attempted). */
  private readonly list: NodeInfo[] = [];
  private readonly listIndex = new Map<NodeInfo, number>();
  private readonly pods = new Map<string, PodState>();
  private readonly images = new Map<string, { size: number; numNodes: { count: number } }>();
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();
  private readonly counts = new Map<string, CountIndex>();
  /** Nodes with pods that have (anti-)affinity, and required anti-affinity. */
  private readonly affinityNodes = new Set<NodeInfo>();
  /** Topology key → value → number of nodes. */
  private readonly domainCounts = new Map<string, Map<string, number>>();
  private readonly antiAffinityNodes = new Set<NodeInfo>();
  private useTick = 0;

  // ---- ClusterView ----

  nodes(): readonly NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.infos.get(name);
    return n && this.listIndex.has(n) ? n : undefined;
  }

  /** Labels of a node with a Node object (count indexes aggregate by them). */
  private readonly labelsOf = (node: string): Readonly<Record<string, string>> | undefined => {
    const info = this.infos.get(node);
    return info && this.listIndex.has(info) ? info.labels : undefined;
  };

  domains(topologyKey: string): ReadonlyMap<string, number> {
    let m = this.domainCounts.get(topologyKey);
    if (m) return m;
    m = new Map();
    for (const n of this.list) {
      const v = n.labels[topologyKey];
      if (v !== undefined) m.set(v, (m.get(v) ?? 0) + 1);
    }
    this.domainCounts.set(topologyKey, m);
    return m;
  }

  /** Node labels or the set of nodes changed: per-domain aggregates are rebuilt when next asked for. */
  private labelsChanged(): void {
    this.domainCounts.clear();
    for (const idx of this.counts.values()) idx.domains.clear();
  }

  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined {
    return this.nsLabels.get(ns);
  }

  *nodesWithAffinityPods(): Iterable<NodeInfo> {
    for (const n of this.affinityNodes) if (this.listIndex.has(n)) yield n;
  }

  *nodesWithRequiredAntiAffinityPods(): Iterable<NodeInfo> {
    for (const n of this.antiAffinityNodes) if (this.listIndex.has(n)) yield n;
  }

  private trackAffinity(info: NodeInfo): void {
    if (info.podsWithAffinity.size > 0) this.affinityNodes.add(info);
    else this.affinityNodes.delete(info);
    if (info.podsWithRequiredAntiAffinity.size > 0) this.antiAffinityNodes.add(info);
    else this.antiAffinityNodes.delete(info);
  }

  selectorCounts(selectorKey: string, matches: (pod: PodInfo) => boolean): SelectorCounts {
    let idx = this.counts.get(selectorKey);
    if (!idx) {
      if (this.counts.size >= MAX_COUNT_INDEXES) {
        let oldest: string | undefined;
        let oldestUse = Infinity;
        for (const [k, v] of this.counts)
          if (v.lastUsed < oldestUse) {
            oldestUse = v.lastUsed;
            oldest = k;
          }
        if (oldest !== undefined) this.counts.delete(oldest);
      }
      idx = new CountIndex(matches, this.labelsOf);
      for (const st of this.pods.values()) if (matches(st.info)) idx.bump(st.node, st.info.namespace, 1);
      this.counts.set(selectorKey, idx);
    }
    idx.lastUsed = ++this.useTick;
    return idx;
  }

  /** Set by the scheduler: the default spreading selector of a pod (see ClusterView). */
  spreadSelectorSource: ((pod: PodInfo) => LabelSelector | undefined) | undefined;

  defaultSpreadSelector(pod: PodInfo): LabelSelector | undefined {
    return this.spreadSelectorSource?.(pod);
  }

  // ---- nodes ----

  addOrUpdateNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    let info = this.infos.get(name);
    let changed: boolean;
    if (info) {
      const before = info.labels;
      this.untrackImages(info);
      info.setNode(node);
      changed = !sameLabels(before, info.labels) || !this.listIndex.has(info);
    } else {
      info = new NodeInfo(node);
      this.infos.set(name, info);
      changed = true;
    }
    this.trackImages(info);
    if (!this.listIndex.has(info)) {
      this.listIndex.set(info, this.list.length);
      this.list.push(info);
    }
    if (changed) this.labelsChanged();
    return info;
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    this.untrackImages(info);
    const i = this.listIndex.get(info);
    if (i !== undefined) {
      const last = this.list.pop() as NodeInfo;
      if (last !== info) {
        this.list[i] = last;
        this.listIndex.set(last, i);
      }
      this.listIndex.delete(info);
    }
    // Pods still on the node keep a placeholder until they are deleted.
    if (info.pods.size === 0) this.infos.delete(name);
    this.labelsChanged();
  }

  private trackImages(info: NodeInfo): void {
    info.images = new Map<string, ImageState>();
    for (const img of info.node.status?.images ?? []) {
      for (const raw of img.names ?? []) {
        const name = normalizedImageName(raw);
        let st = this.images.get(name);
        if (!st) this.images.set(name, (st = { size: img.sizeBytes ?? 0, numNodes: { count: 0 } }));
        if (!info.images.has(name)) {
          st.numNodes.count++;
          info.images.set(name, { size: img.sizeBytes ?? 0, numNodes: st.numNodes });
        }
      }
    }
  }

  private untrackImages(info: NodeInfo): void {
    for (const name of info.images.keys()) {
      const st = this.images.get(name);
      if (!st) continue;
      st.numNodes.count--;
      if (st.numNodes.count <= 0) this.images.delete(name);
    }
    info.images = new Map();
  }

  private infoFor(nodeName: string): NodeInfo {
    let info = this.infos.get(nodeName);
    if (!info) {
      info = new NodeInfo({ metadata: { name: nodeName } });
      this.infos.set(nodeName, info);
    }
    return info;
  }

  // ---- namespaces ----

  setNamespace(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    if (labels) this.nsLabels.set(name, labels);
    else this.nsLabels.delete(name);
  }

  // ---- pods ----

  /** Whether the pod is assumed (picked, binding not yet observed). */
  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  /** The node a pod is bound or assumed on. */
  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.node;
  }

  /** Counts `pod` on `nodeName` before the binding is observed. */
  assumePod(pod: PodInfo, nodeName: string): void {
    this.removePodByKey(pod.key);
    this.place(pod, nodeName, true);
  }

  /**
   * The binding of an assumed pod was observed: it becomes bound, keeping its PodInfo (whose pod
   * object is replaced by `pod`). False when the pod is not assumed.
   */
  confirm(key: string, pod: Pod): boolean {
    const st = this.pods.get(key);
    if (!st?.assumed) return false;
    st.assumed = false;
    st.info.pod = pod;
    return true;
  }

  /**
   * A bound pod's later version with the same labels and spec (a status update): its PodInfo adopts
   * it (see {@link PodInfo.refresh}), so the cache holds the informer's current object rather than
   * an old copy. False when the pod is not bound here.
   */
  refreshBoundPod(key: string, pod: Pod): boolean {
    const st = this.pods.get(key);
    if (!st || st.assumed) return false;
    st.info.refresh(pod);
    return true;
  }

  /** Drops an assumed pod (binding failed). Bound pods are left alone. */
  forgetPod(key: string): void {
    if (this.pods.get(key)?.assumed) this.removePodByKey(key);
  }

  /** A pod with spec.nodeName seen by the informer (added or updated): bound there. */
  addOrUpdateBoundPod(pod: PodInfo, nodeName: string): void {
    this.removePodByKey(pod.key);
    this.place(pod, nodeName, false);
  }

  /** A pod gone (deleted, or finished: terminal pods hold no resources). */
  removePod(key: string): void {
    this.removePodByKey(key);
  }

  private place(pod: PodInfo, nodeName: string, assumed: boolean): void {
    const info = this.infoFor(nodeName);
    info.addPod(pod);
    if (pod.hasAffinity) this.trackAffinity(info);
    this.pods.set(pod.key, { info: pod, node: nodeName, assumed });
    for (const idx of this.counts.values()) if (idx.matches(pod)) idx.bump(nodeName, pod.namespace, 1);
  }

  private removePodByKey(key: string): void {
    const st = this.pods.get(key);
    if (!st) return;
    this.pods.delete(key);
    const info = this.infos.get(st.node);
    if (info) {
      info.removePod(st.info);
      if (st.info.hasAffinity) this.trackAffinity(info);
      if (info.pods.size === 0 && !this.listIndex.has(info)) this.infos.delete(st.node);
    }
    for (const idx of this.counts.values())
      if (idx.matches(st.info)) idx.bump(st.node, st.info.namespace, -1);
  }

  /** Number of pods known (bound and assumed). */
  get podCount(): number {
    return this.pods.size;
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function bumpNested(outer: Map<string, Map<string, number>>, k1: string, k2: string, delta: number): void {
  let m = outer.get(k1);
  if (!m) outer.set(k1, (m = new Map()));
  const n = (m.get(k2) ?? 0) + delta;
  if (n > 0) m.set(k2, n);
  else m.delete(k2);
  if (m.size === 0) outer.delete(k1);
}

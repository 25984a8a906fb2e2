/**
 * PodInfo: what the scheduler needs of a pod, computed once per pod version (requests, host ports,
 * tolerations, compiled node affinity, inter-pod affinity terms, topology spread constraints), so
 * filters and scores over many nodes read prepared fields instead of re-parsing the spec.
 */
import type {
  Pod,
  PodAffinityTerm,
  Toleration,
  TopologySpreadConstraint,
  WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.js';
import { fromLabelSelectorObject, LabelSelector, type Requirement } from '../api/selectors/labels.js';
import { objectKey } from '../client/types.js';
import { compileTerm, NodeSelectorMatcher, type CompiledNodeSelectorTerm } from './nodeselector.js';
import { podRequests, type Resource } from './resources.js';

/** One host port a pod asks for. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term, compiled. */
export interface AffinityTerm {
  /** Namespaces named by the term (or the pod's own when neither namespaces nor a selector is set). */
  namespaces: ReadonlySet<string>;
  /** undefined: no namespace selector (matches no namespace by labels). */
  namespaceSelector: LabelSelector | undefined;
  selector: LabelSelector;
  /** The selector's canonical text: the key of per-node match counts. */
  selectorKey: string;
  topologyKey: string;
}

/** A preferred (anti-)affinity term with its weight. */
export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** A topology spread constraint, compiled. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  selector: LabelSelector;
  selectorKey: string;
  minDomains: number;
  /** Honor (default): only nodes matching the pod's node affinity/selector count. */
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  /** Ignore (default): tainted nodes count too. */
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** A pod as the scheduler sees it. */
export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  /** The pod's labels (replaced by {@link PodInfo.refresh} with an equal object). */
  labels: Readonly<Record<string, string>>;
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: HostPort[];
  tolerations: readonly Toleration[];
  readonly priority: number;
  nodeSelector: Readonly<Record<string, string>> | undefined;
  readonly requiredNodeAffinity: NodeSelectorMatcher | undefined;
  readonly preferredNodeAffinity: { weight: number; term: CompiledNodeSelectorTerm }[];
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: WeightedAffinityTerm[];
  readonly preferredAntiAffinity: WeightedAffinityTerm[];
  readonly spread: SpreadConstraint[];
  /** Images of all containers, init containers included, `:latest` made explicit (ImageLocality). */
  readonly images: string[];
  /** The pod is being deleted (topology spread does not count it). */
  readonly terminating: boolean;
  /** A message when an affinity term could not be parsed (the pod is then unschedulable). */
  readonly parseError: string | undefined;

  /**
   * The pod object. Replaced (by the cache) only with a later version of the same pod whose
   * scheduling-relevant fields are unchanged.
   */
  pod: Pod;

  constructor(pod: Pod) {
    this.pod = pod;
    const meta = pod.metadata ?? {};
    const spec = pod.spec ?? { containers: [] };
    this.key = objectKey(pod);
    this.namespace = meta.namespace ?? '';
    this.labels = meta.labels ?? {};
    const r = podRequests(pod);
    this.requests = r.requests;
    this.nonZeroMilliCPU = r.nonZeroMilliCPU;
    this.nonZeroMemory = r.nonZeroMemory;
    this.hostPorts = [];
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort || p.hostPort <= 0) continue;
        this.hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
      }
    }
    this.tolerations = spec.tolerations ?? [];
    this.priority = spec.priority ?? 0;
    this.nodeSelector =
      spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined;
    const na = spec.affinity?.nodeAffinity;
    const required = na?.requiredDuringSchedulingIgnoredDuringExecution;
    this.requiredNodeAffinity = required ? new NodeSelectorMatcher(required) : undefined;
    this.preferredNodeAffinity = (na?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter((p) => p.weight !== 0)
      .map((p) => ({ weight: p.weight, term: compileTerm(p.preference) }));
    const errors: string[] = [];
    const pa = spec.affinity?.podAffinity;
    const paa = spec.affinity?.podAntiAffinity;
    this.requiredAffinity = this.terms(pa?.requiredDuringSchedulingIgnoredDuringExecution, errors);
    this.requiredAntiAffinity = this.terms(paa?.requiredDuringSchedulingIgnoredDuringExecution, errors);
    this.preferredAffinity = this.weighted(pa?.preferredDuringSchedulingIgnoredDuringExecution, errors);
    this.preferredAntiAffinity = this.weighted(paa?.preferredDuringSchedulingIgnoredDuringExecution, errors);
    this.spread = this.constraints(spec.topologySpreadConstraints ?? [], errors);
    this.images = [...(spec.initContainers ?? []), ...spec.containers]
      .map((c) => c.image ?? '')
      .filter((i) => i !== '')
      .map(normalizedImageName);
    this.terminating = !!meta.deletionTimestamp;
    this.parseError = errors.length ? errors.join('; ') : undefined;
  }

  /**
   * Adopts a later version of the same pod whose labels and spec are deep-equal to this one's (a
   * status update): the prepared fields stay as they are, and the fields that pointed into the old
   * object point into the new one, so the old version is no longer kept alive by the scheduler.
   */
  refresh(pod: Pod): void {
    this.pod = pod;
    const spec = pod.spec ?? { containers: [] };
    this.labels = pod.metadata?.labels ?? {};
    this.tolerations = spec.tolerations ?? [];
    this.nodeSelector =
      spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined;
  }

  /** True when the pod has any inter-pod affinity or anti-affinity (required or preferred). */
  get hasAffinity(): boolean {
    return (
      this.requiredAffinity.length > 0 ||
      this.requiredAntiAffinity.length > 0 ||
      this.preferredAffinity.length > 0 ||
      this.preferredAntiAffinity.length > 0
    );
  }

  private term(t: PodAffinityTerm): AffinityTerm {
    const namespaces = new Set(t.namespaces ?? []);
    const nsSel = t.namespaceSelector;
    if (namespaces.size === 0 && (nsSel === undefined || nsSel === null)) namespaces.add(this.namespace);
    const selector = fromLabelSelectorObject(t.labelSelector);
    return {
      namespaces,
      namespaceSelector: nsSel === undefined || nsSel === null ? undefined : fromLabelSelectorObject(nsSel),
      selector,
      selectorKey: t.labelSelector ? selector.toString() : '<none>',
      topologyKey: t.topologyKey,
    };
  }

  private terms(list: PodAffinityTerm[] | undefined, errors: string[]): AffinityTerm[] {
    const out: AffinityTerm[] = [];
    for (const t of list ?? []) {
      try {
        out.push(this.term(t));
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  private weighted(list: WeightedPodAffinityTerm[] | undefined, errors: string[]): WeightedAffinityTerm[] {
    const out: WeightedAffinityTerm[] = [];
    for (const t of list ?? []) {
      try {
        out.push({ ...this.term(t.podAffinityTerm), weight: t.weight });
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  private constraints(list: TopologySpreadConstraint[], errors: string[]): SpreadConstraint[] {
    const out: SpreadConstraint[] = [];
    for (const c of list) {
      try {
        let selector = fromLabelSelectorObject(c.labelSelector);
        // matchLabelKeys: the pod's own values for those keys narrow the selector.
        const extra: Requirement[] = [];
        for (const k of c.matchLabelKeys ?? []) {
          const v = this.labels[k];
          if (v !== undefined) extra.push({ key: k, operator: 'in', values: [v] });
        }
        if (extra.length) selector = new LabelSelector([...selector.requirements, ...extra]);
        out.push({
          maxSkew: c.maxSkew,
          topologyKey: c.topologyKey,
          whenUnsatisfiable: c.whenUnsatisfiable === 'ScheduleAnyway' ? 'ScheduleAnyway' : 'DoNotSchedule',
          selector,
          selectorKey: c.labelSelector ? selector.toString() : '<none>',
          minDomains: c.minDomains ?? 1,
          nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
          nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
        });
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }
}

/** An image name with the `:latest` tag made explicit, as node.status.images lists names. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/** Whether an affinity term selects `pod` (namespace by name or by namespace labels, then labels). */
export function termMatchesPod(
  t: AffinityTerm,
  pod: PodInfo,
  nsLabels: (ns: string) => Readonly<Record<string, string>> | undefined,
): boolean {
  if (!t.namespaces.has(pod.namespace)) {
    if (!t.namespaceSelector) return false;
    const labels = nsLabels(pod.namespace);
    if (!labels || !t.namespaceSelector.matches(labels)) return false;
  }
  return t.selector.matches(pod.labels);
}

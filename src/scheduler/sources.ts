/**
 * Cluster objects the scheduler reads besides pods and nodes: Services, ReplicaSets and
 * StatefulSets (the selector default topology spreading uses for a pod) and PodDisruptionBudgets
 * (which victims preemption prefers to spare).
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { fromLabelSelectorObject, LabelSelector, type Requirement } from '../api/selectors/labels.js';
import { PDBS, REPLICASETS, SERVICES, STATEFULSETS } from '../client/resources.js';
import type { ApiObject, Informer } from '../client/types.js';
import type { InformerFactory } from '../controllers/framework/types.js';
import type { PdbInfo } from './framework/types.js';
import type { PodInfo } from './podinfo.js';

type WithSelector = ApiObject & { spec?: { selector?: LabelSelectorObject } };
type ServiceObj = ApiObject & { spec?: { selector?: Record<string, string> } };

/** Reads owners, services and PDBs from shared informers. */
export class ClusterSources {
  private readonly services: Informer<ServiceObj>;
  private readonly replicaSets: Informer<WithSelector>;
  private readonly statefulSets: Informer<WithSelector>;
  private readonly pdbInformer: Informer<PodDisruptionBudget & ApiObject>;
  /** namespace → service name → selector. */
  private readonly serviceSelectors = new Map<string, Map<string, Record<string, string>>>();
  private pdbCache: PdbInfo[] | undefined;
  readonly unregister: (() => void)[] = [];

  constructor(informers: InformerFactory) {
    this.services = informers.informer<ServiceObj>(SERVICES);
    this.replicaSets = informers.informer<WithSelector>(REPLICASETS);
    this.statefulSets = informers.informer<WithSelector>(STATEFULSETS);
    this.pdbInformer = informers.informer<PodDisruptionBudget & ApiObject>(PDBS);
    const setService = (s: ServiceObj): void => {
      const ns = s.metadata.namespace ?? '';
      let m = this.serviceSelectors.get(ns);
      if (!m) this.serviceSelectors.set(ns, (m = new Map()));
      const sel = s.spec?.selector ?? {};
      if (Object.keys(sel).length > 0) m.set(s.metadata.name ?? '', sel);
      else m.delete(s.metadata.name ?? '');
    };
    this.unregister.push(
      this.services.addHandlers({
        add: setService,
        update: (_o, s) => setService(s),
        delete: (s) => this.serviceSelectors.get(s.metadata.namespace ?? '')?.delete(s.metadata.name ?? ''),
      }),
      this.pdbInformer.addHandlers({
        add: () => (this.pdbCache = undefined),
        update: () => (this.pdbCache = undefined),
        delete: () => (this.pdbCache = undefined),
      }),
    );
  }

  /**
   * The selector default spreading uses: labels of the Services selecting the pod, plus its
   * controlling ReplicaSet's or StatefulSet's selector (upstream's DefaultSelector).
   */
  defaultSpreadSelector(pod: PodInfo): LabelSelector | undefined {
    const labelSet: Record<string, string> = {};
    for (const sel of this.serviceSelectors.get(pod.namespace)?.values() ?? []) {
      let all = true;
      for (const k in sel)
        if (pod.labels[k] !== sel[k]) {
          all = false;
          break;
        }
      if (all) Object.assign(labelSet, sel);
    }
    const reqs: Requirement[] = Object.entries(labelSet).map(([key, v]) => ({
      key,
      operator: '=',
      values: [v],
    }));
    const owner = pod.pod.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (
      owner &&
      owner.apiVersion === 'apps/v1' &&
      (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')
    ) {
      const inf = owner.kind === 'ReplicaSet' ? this.replicaSets : this.statefulSets;
      const obj = inf.get(`${pod.namespace}/${owner.name}`);
      if (obj?.spec?.selector) {
        try {
          reqs.push(...fromLabelSelectorObject(obj.spec.selector).requirements);
        } catch {
          // An invalid selector adds nothing, as upstream ignores conversion errors here.
        }
      }
    }
    return reqs.length > 0 ? new LabelSelector(reqs) : undefined;
  }

  /** PodDisruptionBudgets, compiled (cached until one changes). */
  pdbs(): readonly PdbInfo[] {
    if (this.pdbCache) return this.pdbCache;
    this.pdbCache = this.pdbInformer.list().map((p) => {
      let selector: LabelSelector | undefined;
      try {
        selector = p.spec?.selector ? fromLabelSelectorObject(p.spec.selector) : undefined;
      } catch {
        selector = undefined;
      }
      return {
        namespace: p.metadata.namespace ?? '',
        selector,
        disruptionsAllowed: p.status?.disruptionsAllowed ?? 0,
        disruptedPods: new Set(Object.keys(p.status?.disruptedPods ?? {})),
      };
    });
    return this.pdbCache;
  }
}

/**
 * DefaultIngressClass, as upstream: a new Ingress that names no class (neither
 * `spec.ingressClassName` nor the legacy `kubernetes.io/ingress.class` annotation) gets the default
 * IngressClass, the one annotated `ingressclass.kubernetes.io/is-default-class: "true"` (the newest
 * when several are), so `kubectl get ingress` shows its CLASS. k8ts bootstraps `k8ts` as the default.
 */
import { isObject, type KubeObject } from '../../api/meta.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

const DEFAULT_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The default IngressClass among `classes`: the newest marked default, if any. */
export function defaultIngressClass(classes: readonly KubeObject[]): string | undefined {
  let best: KubeObject | undefined;
  for (const c of classes) {
    if (c.metadata?.annotations?.[DEFAULT_ANNOTATION] !== 'true') continue;
    const at = c.metadata.creationTimestamp ?? '';
    const bestAt = best?.metadata?.creationTimestamp ?? '';
    if (!best || at > bestAt || (at === bestAt && (c.metadata.name ?? '') > (best.metadata?.name ?? '')))
      best = c;
  }
  return best?.metadata?.name;
}

export function defaultIngressClassAdmission(classes: () => KubeObject[]): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    admit(a: AdmissionAttributes): void {
      if (a.operation !== 'CREATE' || a.subresource !== '') return;
      if (a.resource.group !== 'networking.k8s.io' || a.resource.plural !== 'ingresses') return;
      const obj = a.object;
      if (!obj || obj.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return;
      const spec = (obj as Record<string, unknown>)['spec'];
      if (!isObject(spec)) return;
      if (typeof spec['ingressClassName'] === 'string' && spec['ingressClassName'] !== '') return;
      const name = defaultIngressClass(classes());
      if (name) spec['ingressClassName'] = name;
    },
  };
}

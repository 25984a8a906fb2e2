/**
 * networking.k8s.io/v1 defaulting: NetworkPolicy ports default to TCP and policyTypes to Ingress
 * (plus Egress when egress rules exist); IngressClass parameters default to cluster scope.
 */
import type { KubeObject } from '../meta.js';
import { ensureObject } from '../validation/fieldchecks.js';

type Obj = Record<string, unknown>;

function objects(v: unknown): Obj[] {
  return Array.isArray(v)
    ? v.filter((x): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x))
    : [];
}

/** Applies the NetworkPolicy defaults in place. */
export function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = ensureObject<Obj>(obj, 'spec');
  for (const rules of ['ingress', 'egress']) {
    for (const rule of objects(spec[rules])) {
      for (const port of objects(rule['ports'])) {
        if (port['protocol'] === undefined || port['protocol'] === null) port['protocol'] = 'TCP';
      }
    }
  }
  const types = spec['policyTypes'];
  if (!Array.isArray(types) || types.length === 0) {
    const egress = spec['egress'];
    spec['policyTypes'] = Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

/** Applies the IngressClass defaults in place. */
export function defaultIngressClass(obj: KubeObject): void {
  const spec = obj['spec'];
  if (typeof spec !== 'object' || spec === null) return;
  const params = (spec as Obj)['parameters'];
  if (typeof params === 'object' && params !== null) {
    const p = params as Obj;
    if (p['scope'] === undefined || p['scope'] === null) p['scope'] = 'Cluster';
  }
}

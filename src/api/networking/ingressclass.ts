/**
 * Which Ingresses k8ts serves: those of IngressClass `k8ts`, and class-less ones while `k8ts` is
 * the default class. Shared by the node agent's data path and the server's Ingress status controller.
 */
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';

/** The IngressClass name k8ts serves. */
export const INGRESS_CLASS = 'k8ts';
/** `spec.controller` of that class. */
export const INGRESS_CONTROLLER = 'k8ts.io/ingress';
/** The annotation that makes an IngressClass the default one. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated annotation older manifests name their class with. */
export const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** True when k8ts serves `ing`: class `k8ts`, or no class while `k8ts` is the default class. */
export function servesIngress(ing: Ingress, classes: readonly IngressClass[]): boolean {
  const name = ing.spec?.ingressClassName;
  if (name !== undefined && name !== '') return name === INGRESS_CLASS;
  const annotated = ing.metadata?.annotations?.[CLASS_ANNOTATION];
  if (annotated !== undefined) return annotated === INGRESS_CLASS;
  const own = classes.find((c) => c.metadata?.name === INGRESS_CLASS);
  return own?.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

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

/** True when `cls` is implemented by k8ts: named `k8ts`, or any class whose controller is k8ts's. */
function isOurs(cls: IngressClass): boolean {
  return cls.metadata?.name === INGRESS_CLASS || cls.spec?.controller === INGRESS_CONTROLLER;
}

/**
 * True when k8ts serves `ing`: its class is `k8ts` or another IngressClass with controller
 * `k8ts.io/ingress`; or it names no class (field nor deprecated annotation) and one of those classes
 * is marked the default.
 */
export function servesIngress(ing: Ingress, classes: readonly IngressClass[]): boolean {
  const name = ing.spec?.ingressClassName || ing.metadata?.annotations?.[CLASS_ANNOTATION];
  if (name) {
    if (name === INGRESS_CLASS) return true;
    const cls = classes.find((c) => c.metadata?.name === name);
    return cls !== undefined && isOurs(cls);
  }
  return classes.some((c) => isOurs(c) && c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
}

/** The node agent's Ingress data path (HAProxy driven by generated configuration). */
export {
  IngressController,
  TLS_SECRETS,
  type IngressControllerOptions,
  type IngressInformers,
  type IngressListen,
} from './controller.js';
export {
  INGRESS_CLASS,
  INGRESS_CONTROLLER,
  DEFAULT_CLASS_ANNOTATION,
  servesIngress,
} from '../../api/networking/ingressclass.js';
export { buildModel } from './model.js';
export type { IngressModel, Backend, Problem, TlsCertificate } from './model.js';

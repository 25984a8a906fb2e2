/**
 * Protobuf field numbers of the networking.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/networking/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, inline, keep } from './types.js';

const P = 'io.k8s.api.networking.v1.';

/** Field numbers of networking.k8s.io/v1. */
export const networkingV1Fields: FieldTable = {
  [P + 'HTTPIngressPath']: { path: 1, pathType: always(3), backend: 2 },
  [P + 'HTTPIngressRuleValue']: { paths: always(1) },
  [P + 'IPAddress']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2 },
  [P + 'IPAddressList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'IPAddressSpec']: { parentRef: 1 },
  [P + 'IPBlock']: { cidr: keep(1), except: 2 },
  [P + 'Ingress']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'IngressBackend']: { service: 4, resource: 3 },
  [P + 'IngressClass']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2 },
  [P + 'IngressClassList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'IngressClassParametersReference']: {
    apiGroup: keep(1),
    kind: keep(2),
    name: keep(3),
    scope: always(4),
    namespace: keep(5),
  },
  [P + 'IngressClassSpec']: { controller: 1, parameters: 2 },
  [P + 'IngressList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'IngressLoadBalancerIngress']: { ip: 1, hostname: 2, ports: 4 },
  [P + 'IngressLoadBalancerStatus']: { ingress: 1 },
  [P + 'IngressPortStatus']: { port: keep(1), protocol: keep(2), error: keep(3) },
  [P + 'IngressRule']: { host: 1, '...IngressRuleValue': inline(2, P + 'IngressRuleValue') },
  [P + 'IngressRuleValue']: { http: 1 },
  [P + 'IngressServiceBackend']: { name: keep(1), port: 2 },
  [P + 'IngressSpec']: { ingressClassName: keep(4), defaultBackend: 1, tls: 2, rules: 3 },
  [P + 'IngressStatus']: { loadBalancer: 1 },
  [P + 'IngressTLS']: { hosts: 1, secretName: 2 },
  [P + 'NetworkPolicy']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2 },
  [P + 'NetworkPolicyEgressRule']: { ports: 1, to: 2 },
  [P + 'NetworkPolicyIngressRule']: { ports: 1, from: 2 },
  [P + 'NetworkPolicyList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'NetworkPolicyPeer']: { podSelector: 1, namespaceSelector: 2, ipBlock: 3 },
  [P + 'NetworkPolicyPort']: { protocol: keep(1), port: 2, endPort: keep(3) },
  [P + 'NetworkPolicySpec']: { podSelector: 1, ingress: 2, egress: 3, policyTypes: 4 },
  [P + 'ParentReference']: { group: 1, resource: 2, namespace: 3, name: 4 },
  [P + 'ServiceBackendPort']: { name: 1, number: 2 },
  [P + 'ServiceCIDR']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  [P + 'ServiceCIDRList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'ServiceCIDRSpec']: { cidrs: 1 },
  [P + 'ServiceCIDRStatus']: { conditions: 1 },
};

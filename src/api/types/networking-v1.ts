/**
 * Schema definitions for networking.k8s.io/v1: Ingress, IngressClass and NetworkPolicy, plus the
 * ServiceCIDR and IPAddress kinds that reached v1 in Kubernetes v1.33.
 */
import { CORE, META, list, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const NET = 'io.k8s.api.networking.v1.';
const gvk = (kind: string) => ({ group: 'networking.k8s.io', version: 'v1', kind });
const protocols = ['SCTP', 'TCP', 'UDP'] as const;

const ingress: Definition[] = [
  obj(
    NET + 'Ingress',
    'Routes outside HTTP(S) traffic to Services by host and path, with optional TLS termination.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(NET + 'IngressSpec', 'The desired routing of the Ingress.'),
      status: p.ref(NET + 'IngressStatus', 'The state of the Ingress as reported by its controller.'),
    },
    { gvk: [gvk('Ingress')] },
  ),
  list(NET + 'Ingress', gvk('IngressList')),
  obj(NET + 'IngressSpec', 'The routing an Ingress asks for.', {
    ingressClassName: p.string('The IngressClass, and so the controller, that implements this Ingress.'),
    defaultBackend: p.ref(NET + 'IngressBackend', 'Where requests go that match no rule.'),
    tls: p.array(t.ref(NET + 'IngressTLS'), 'TLS settings for port 443; hosts are told apart by SNI.', {
      listType: 'atomic',
    }),
    rules: p.array(
      t.ref(NET + 'IngressRule'),
      'Host rules; traffic that matches none goes to the default backend.',
      { listType: 'atomic' },
    ),
  }),
  obj(NET + 'IngressTLS', 'A TLS certificate and the hosts it serves.', {
    hosts: p.array(t.string, 'Hosts covered by the certificate; unset means the controller default host.', {
      listType: 'atomic',
    }),
    secretName: p.string('The Secret holding the certificate and key; may be empty for SNI-only routing.'),
  }),
  obj(NET + 'IngressRule', 'Routing for one host (or for every host when host is empty).', {
    host: p.string('A DNS name, or a wildcard such as *.example.com matching one label; no IPs or ports.'),
    http: p.ref(NET + 'HTTPIngressRuleValue', 'The HTTP paths served for this host.'),
  }),
  obj(
    NET + 'HTTPIngressRuleValue',
    'A list of HTTP paths, each with a backend.',
    {
      paths: p.array(t.ref(NET + 'HTTPIngressPath'), 'Each path and the backend it leads to.', {
        listType: 'atomic',
      }),
    },
    { required: ['paths'] },
  ),
  obj(
    NET + 'HTTPIngressPath',
    'One request path and the backend that serves it.',
    {
      path: p.string('The path to match; must start with / for the Exact and Prefix types.'),
      pathType: p.enum(
        ['Exact', 'Prefix', 'ImplementationSpecific'],
        'Exact matches the whole path, Prefix matches whole path segments, ImplementationSpecific leaves it to the class.',
      ),
      backend: p.ref(NET + 'IngressBackend', 'Where matching requests are sent.'),
    },
    { required: ['pathType', 'backend'] },
  ),
  obj(NET + 'IngressBackend', 'A destination for requests: a Service or another resource, not both.', {
    service: p.ref(NET + 'IngressServiceBackend', 'A Service in the namespace of the Ingress.'),
    resource: p.ref(
      CORE + 'TypedLocalObjectReference',
      'Another object in the namespace of the Ingress, such as a storage bucket.',
    ),
  }),
  obj(
    NET + 'IngressServiceBackend',
    'A Service used as a backend.',
    {
      name: p.string('The Service name, in the namespace of the Ingress.'),
      port: p.ref(NET + 'ServiceBackendPort', 'The Service port, by name or by number.'),
    },
    { required: ['name'] },
  ),
  obj(NET + 'ServiceBackendPort', 'A Service port, given by name or by number (not both).', {
    name: p.string('The name of the Service port.'),
    number: p.int32('The number of the Service port, such as 80.'),
  }),
  obj(NET + 'IngressStatus', 'The observed state of an Ingress.', {
    loadBalancer: p.ref(
      NET + 'IngressLoadBalancerStatus',
      'The load balancer addresses serving the Ingress.',
    ),
  }),
  obj(NET + 'IngressLoadBalancerStatus', 'The load balancer in front of an Ingress.', {
    ingress: p.array(t.ref(NET + 'IngressLoadBalancerIngress'), 'The addresses where traffic enters.', {
      listType: 'atomic',
    }),
  }),
  obj(NET + 'IngressLoadBalancerIngress', 'One entry point of an Ingress load balancer.', {
    ip: p.string('The IP address, for IP-based load balancers.'),
    hostname: p.string('The DNS name, for DNS-based load balancers.'),
    ports: p.array(t.ref(NET + 'IngressPortStatus'), 'The state of each port of this entry point.', {
      listType: 'atomic',
    }),
  }),
  obj(
    NET + 'IngressPortStatus',
    'The state of one port of an Ingress entry point.',
    {
      port: p.int32('The port number.'),
      protocol: p.enum(protocols, 'The port protocol: TCP, UDP or SCTP.'),
      error: p.string('A problem with the port, as a CamelCase or domain-prefixed reason.'),
    },
    { required: ['port', 'protocol'] },
  ),
];

const ingressClass: Definition[] = [
  obj(
    NET + 'IngressClass',
    'Names an Ingress controller and its settings; an annotation can make one class the default.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(NET + 'IngressClassSpec', 'The controller and parameters of the class.'),
    },
    { gvk: [gvk('IngressClass')] },
  ),
  list(NET + 'IngressClass', gvk('IngressClassList')),
  obj(NET + 'IngressClassSpec', 'Which controller implements a class, and how.', {
    controller: p.string(
      'The domain-prefixed name of the controller, such as example.com/ingress-controller; immutable.',
    ),
    parameters: p.ref(
      NET + 'IngressClassParametersReference',
      'An object holding extra configuration for the controller.',
    ),
  }),
  obj(
    NET + 'IngressClassParametersReference',
    'A reference to a cluster-scoped or namespaced parameters object.',
    {
      apiGroup: p.string('The API group of the object; empty means the core group.'),
      kind: p.string('The kind of the object.'),
      name: p.string('The name of the object.'),
      scope: p.string('Cluster (the default) or Namespace.'),
      namespace: p.string('The namespace of the object; set exactly when scope is Namespace.'),
    },
    { required: ['kind', 'name'] },
  ),
];

const networkPolicy: Definition[] = [
  obj(
    NET + 'NetworkPolicy',
    'Declares which traffic may reach, or leave, a set of pods.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(NET + 'NetworkPolicySpec', 'The pods this policy isolates and the traffic it allows.'),
    },
    { gvk: [gvk('NetworkPolicy')] },
  ),
  list(NET + 'NetworkPolicy', gvk('NetworkPolicyList')),
  obj(
    NET + 'NetworkPolicySpec',
    'The pods a policy applies to and the traffic it allows.',
    {
      podSelector: p.ref(
        META + 'LabelSelector',
        'The pods in this namespace the policy applies to; empty selects every pod.',
      ),
      ingress: p.array(
        t.ref(NET + 'NetworkPolicyIngressRule'),
        'Allowed incoming traffic; empty means the selected pods accept none.',
        { listType: 'atomic' },
      ),
      egress: p.array(
        t.ref(NET + 'NetworkPolicyEgressRule'),
        'Allowed outgoing traffic; empty means the selected pods may send none.',
        { listType: 'atomic' },
      ),
      policyTypes: p.array(
        t.enum(['Ingress', 'Egress']),
        'Which directions the policy governs; by default Ingress, plus Egress when egress rules exist.',
        { listType: 'atomic' },
      ),
    },
    { required: ['podSelector'] },
  ),
  obj(NET + 'NetworkPolicyIngressRule', 'Incoming traffic that must match both the ports and the sources.', {
    ports: p.array(t.ref(NET + 'NetworkPolicyPort'), 'Allowed destination ports; empty allows every port.', {
      listType: 'atomic',
    }),
    from: p.array(t.ref(NET + 'NetworkPolicyPeer'), 'Allowed sources; empty allows every source.', {
      listType: 'atomic',
    }),
  }),
  obj(
    NET + 'NetworkPolicyEgressRule',
    'Outgoing traffic that must match both the ports and the destinations.',
    {
      ports: p.array(
        t.ref(NET + 'NetworkPolicyPort'),
        'Allowed destination ports; empty allows every port.',
        {
          listType: 'atomic',
        },
      ),
      to: p.array(t.ref(NET + 'NetworkPolicyPeer'), 'Allowed destinations; empty allows every destination.', {
        listType: 'atomic',
      }),
    },
  ),
  obj(NET + 'NetworkPolicyPort', 'A port, or a range of ports, on a protocol.', {
    protocol: p.enum(protocols, 'The protocol: TCP (the default), UDP or SCTP.'),
    port: p.intOrString('A port number or a named pod port; unset means every port.'),
    endPort: p.int32('The last port of a range that starts at port; needs a numeric port.'),
  }),
  obj(NET + 'NetworkPolicyPeer', 'A source or destination: pods, namespaces, or an IP block.', {
    podSelector: p.ref(
      META + 'LabelSelector',
      'Selects pods, in the policy namespace or in the namespaces chosen by namespaceSelector.',
    ),
    namespaceSelector: p.ref(META + 'LabelSelector', 'Selects namespaces by label; empty selects all.'),
    ipBlock: p.ref(NET + 'IPBlock', 'A CIDR range; cannot be combined with the selectors.'),
  }),
  obj(
    NET + 'IPBlock',
    'A CIDR range with optional holes.',
    {
      cidr: p.string('The range, such as 192.168.1.0/24 or 2001:db8::/64.'),
      except: p.array(t.string, 'Ranges inside cidr to leave out.', { listType: 'atomic' }),
    },
    { required: ['cidr'] },
  ),
];

const serviceCIDR: Definition[] = [
  obj(
    NET + 'ServiceCIDR',
    'A range of addresses from which ClusterIPs are allocated.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(NET + 'ServiceCIDRSpec', 'The ranges this object provides.'),
      status: p.ref(NET + 'ServiceCIDRStatus', 'The observed state of the ranges.'),
    },
    { gvk: [gvk('ServiceCIDR')] },
  ),
  list(NET + 'ServiceCIDR', gvk('ServiceCIDRList')),
  obj(NET + 'ServiceCIDRSpec', 'The address ranges of a ServiceCIDR.', {
    cidrs: p.array(t.string, 'At most one IPv4 and one IPv6 range; immutable.', { listType: 'atomic' }),
  }),
  obj(NET + 'ServiceCIDRStatus', 'The observed state of a ServiceCIDR.', {
    conditions: p.array(t.ref(META + 'Condition'), 'The latest observations, such as Ready.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  obj(
    NET + 'IPAddress',
    'Records that one IP address is allocated; its name is the address in canonical form.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      spec: p.ref(NET + 'IPAddressSpec', 'What the address is allocated to.'),
    },
    { gvk: [gvk('IPAddress')] },
  ),
  list(NET + 'IPAddress', gvk('IPAddressList')),
  obj(
    NET + 'IPAddressSpec',
    'The owner of an allocated IP address.',
    { parentRef: p.ref(NET + 'ParentReference', 'The object the address is allocated to; required.') },
    { required: ['parentRef'] },
  ),
  obj(
    NET + 'ParentReference',
    'Identifies the object an IP address belongs to.',
    {
      group: p.string('The API group of the object; empty means the core group.'),
      resource: p.string('The resource of the object, such as services.'),
      namespace: p.string('The namespace of the object, if it is namespaced.'),
      name: p.string('The name of the object.'),
    },
    { required: ['resource', 'name'] },
  ),
];

/** Every networking.k8s.io/v1 definition. */
export const networkingV1Definitions: Definition[] = [
  ...ingress,
  ...ingressClass,
  ...networkPolicy,
  ...serviceCIDR,
];

/**
 * core/v1 networking and identity kinds: Service (spec, ports, load-balancer status), Endpoints
 * and ServiceAccount.
 */
import { META, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';
import { PROTOCOLS, c, coreKind, coreList, cref } from './core-v1-util.js';

const TRAFFIC_POLICIES = ['Cluster', 'Local'];

const service: Definition[] = [
  coreKind('Service', 'A stable virtual address and DNS name in front of a set of pods.', {
    spec: p.ref(c('ServiceSpec'), 'Desired behaviour of the service.'),
    status: p.ref(c('ServiceStatus'), 'Observed state of the service, such as its load balancer.'),
  }),
  coreList('Service'),
  obj(c('ServiceSpec'), 'Desired behaviour of a Service.', {
    ports: p.array(cref('ServicePort'), 'Ports the service exposes.', {
      patchStrategy: 'merge',
      patchMergeKey: 'port',
      listType: 'map',
      listMapKeys: ['port', 'protocol'],
    }),
    selector: p.map(
      t.string,
      'Labels of the pods that receive the traffic; endpoints are managed by hand when empty.',
      {
        mapType: 'atomic',
      },
    ),
    clusterIP: p.string('Virtual IP of the service, usually allocated; "None" makes a headless service.'),
    clusterIPs: p.array(
      t.string,
      'Virtual IPs of the service, one per IP family; the first equals clusterIP.',
      {
        listType: 'atomic',
      },
    ),
    type: p.enum(
      ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
      'How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.',
    ),
    externalIPs: p.array(t.string, 'Extra IPs, not managed by the cluster, on which nodes accept traffic.', {
      listType: 'atomic',
    }),
    sessionAffinity: p.enum(
      ['ClientIP', 'None'],
      'Whether a client keeps reaching the same pod: ClientIP or None.',
    ),
    loadBalancerIP: p.string('Deprecated: IP to request from the load-balancer implementation.'),
    loadBalancerSourceRanges: p.array(t.string, 'Client CIDRs allowed through the cloud load balancer.', {
      listType: 'atomic',
    }),
    externalName: p.string('DNS name returned as a CNAME, for type ExternalName.'),
    externalTrafficPolicy: p.enum(
      TRAFFIC_POLICIES,
      'For external traffic: Cluster spreads over all endpoints; Local keeps the source IP and uses node-local ones.',
    ),
    healthCheckNodePort: p.int32(
      'Node port answering health checks, for LoadBalancer with Local traffic policy.',
    ),
    publishNotReadyAddresses: p.bool('If true, endpoints include pods that are not ready.'),
    sessionAffinityConfig: p.ref(c('SessionAffinityConfig'), 'Settings of session affinity.'),
    ipFamilies: p.array(
      t.enum(['', 'IPv4', 'IPv6']),
      'IP families of the service, in order: IPv4, IPv6 or both.',
      {
        listType: 'atomic',
      },
    ),
    ipFamilyPolicy: p.enum(
      ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
      'Whether the service gets one or two IP families.',
    ),
    allocateLoadBalancerNodePorts: p.bool('Whether a LoadBalancer service gets node ports; default true.'),
    loadBalancerClass: p.string(
      'Load-balancer implementation that handles the service; the default when unset.',
    ),
    internalTrafficPolicy: p.enum(
      TRAFFIC_POLICIES,
      'For traffic to the cluster IP: Cluster uses all endpoints; Local only those on the client’s node.',
    ),
    trafficDistribution: p.string('Routing preference hint, such as "PreferClose".'),
  }),
  obj(
    c('ServicePort'),
    'A port a Service exposes and where it sends the traffic.',
    {
      name: p.string('Name of the port (a DNS label), unique in the service; optional with a single port.'),
      protocol: p.enum(PROTOCOLS, 'Protocol of the port: TCP, UDP or SCTP.', { default: 'TCP' }),
      appProtocol: p.string('Application protocol, such as "http" or "kubernetes.io/h2c", as a hint.'),
      port: p.int32('Port the service listens on.'),
      targetPort: p.intOrString('Port number or named container port on the pods; defaults to port.'),
      nodePort: p.int32('Port opened on every node, for NodePort and LoadBalancer services.'),
    },
    { required: ['port'] },
  ),
  obj(c('SessionAffinityConfig'), 'Settings of session affinity.', {
    clientIP: p.ref(c('ClientIPConfig'), 'Settings of ClientIP affinity.'),
  }),
  obj(c('ClientIPConfig'), 'Settings of ClientIP session affinity.', {
    timeoutSeconds: p.int32('How long a client sticks to a pod, 1 to 86400 seconds; default 10800.'),
  }),
  obj(c('ServiceStatus'), 'Observed state of a Service.', {
    loadBalancer: p.ref(c('LoadBalancerStatus'), 'State of the load balancer, if there is one.'),
    conditions: p.array(t.ref(META + 'Condition'), 'Current conditions of the service.', {
      patchStrategy: 'merge',
      patchMergeKey: 'type',
      listType: 'map',
      listMapKeys: ['type'],
    }),
  }),
  obj(c('LoadBalancerStatus'), 'State of a load balancer.', {
    ingress: p.array(cref('LoadBalancerIngress'), 'Addresses where the load balancer receives traffic.', {
      listType: 'atomic',
    }),
  }),
  obj(c('LoadBalancerIngress'), 'One address of a load balancer.', {
    ip: p.string('IP address, for IP-based load balancers.'),
    hostname: p.string('Host name, for DNS-based load balancers.'),
    ipMode: p.string(
      'With ip: "VIP" delivers traffic addressed to the IP, "Proxy" delivers it to the node or pod.',
    ),
    ports: p.array(cref('PortStatus'), 'Status of each service port on this address.', {
      listType: 'atomic',
    }),
  }),
  obj(
    c('PortStatus'),
    'Status of one service port.',
    {
      port: p.int32('The port number.'),
      protocol: p.enum(PROTOCOLS, 'Protocol of the port: TCP, UDP or SCTP.'),
      error: p.string('Problem with the port, as a CamelCase reason; empty when none.'),
    },
    { required: ['port', 'protocol'] },
  ),
];

const endpoints: Definition[] = [
  coreKind('Endpoints', 'Deprecated in favour of EndpointSlice: the addresses behind a Service.', {
    subsets: p.array(cref('EndpointSubset'), 'Groups of addresses that share a set of ports.', {
      listType: 'atomic',
    }),
  }),
  coreList('Endpoints', 'A list of Endpoints objects.'),
  obj(c('EndpointSubset'), 'Addresses that all serve the same ports.', {
    addresses: p.array(cref('EndpointAddress'), 'Ready addresses.', { listType: 'atomic' }),
    notReadyAddresses: p.array(cref('EndpointAddress'), 'Addresses that are not ready yet or are failing.', {
      listType: 'atomic',
    }),
    ports: p.array(cref('EndpointPort'), 'Ports served on every address.', { listType: 'atomic' }),
  }),
  obj(
    c('EndpointAddress'),
    'One endpoint IP.',
    {
      ip: p.string('The IP; not loopback, link-local or link-local multicast.'),
      hostname: p.string('Host name of the endpoint.'),
      nodeName: p.string('Node hosting the endpoint.'),
      targetRef: p.ref(c('ObjectReference'), 'Object providing the endpoint, usually a Pod.'),
    },
    { required: ['ip'], mapType: 'atomic' },
  ),
  obj(
    c('EndpointPort'),
    'One port of an endpoint subset.',
    {
      name: p.string('Name matching the service port’s name; optional with a single port.'),
      port: p.int32('The port number.'),
      protocol: p.enum(PROTOCOLS, 'Protocol of the port: TCP (default), UDP or SCTP.'),
      appProtocol: p.string('Application protocol of the port, as a hint.'),
    },
    { required: ['port'], mapType: 'atomic' },
  ),
];

const serviceAccount: Definition[] = [
  coreKind('ServiceAccount', 'An identity for processes that run in pods.', {
    secrets: p.array(
      cref('ObjectReference'),
      'Secrets pods of this account may use, when mountable secrets are enforced.',
      { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    ),
    imagePullSecrets: p.array(
      cref('LocalObjectReference'),
      'Image pull secrets added to pods that run as this account.',
      { listType: 'atomic' },
    ),
    automountServiceAccountToken: p.bool(
      'Whether pods of this account get an API token mounted; pods may override.',
    ),
  }),
  coreList('ServiceAccount'),
];

/** Service, Endpoints and ServiceAccount definitions of core/v1. */
export const coreV1ServiceDefinitions: Definition[] = [...service, ...endpoints, ...serviceAccount];

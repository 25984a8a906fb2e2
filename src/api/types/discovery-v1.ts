/**
 * Schema definitions for discovery.k8s.io/v1: EndpointSlice and its endpoint, port and topology
 * hint types (Kubernetes v1.33).
 */
import { CORE, list, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const DISC = 'io.k8s.api.discovery.v1.';
const gvk = (kind: string) => ({ group: 'discovery.k8s.io', version: 'v1', kind });

/** Every discovery.k8s.io/v1 definition. */
export const discoveryV1Definitions: Definition[] = [
  obj(
    DISC + 'EndpointSlice',
    'A slice of the network endpoints behind a Service, all of one address type.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      addressType: p.enum(['IPv4', 'IPv6', 'FQDN'], 'The kind of address every endpoint carries; immutable.'),
      endpoints: p.array(t.ref(DISC + 'Endpoint'), 'The endpoints of the slice (at most 1000).', {
        listType: 'atomic',
      }),
      ports: p.array(
        t.ref(DISC + 'EndpointPort'),
        'The ports every endpoint exposes (at most 100); empty means no ports are known.',
        { listType: 'atomic' },
      ),
    },
    { required: ['addressType', 'endpoints'], gvk: [gvk('EndpointSlice')] },
  ),
  list(DISC + 'EndpointSlice', gvk('EndpointSliceList')),
  obj(
    DISC + 'Endpoint',
    'One backend: its addresses, readiness and where it runs.',
    {
      addresses: p.array(t.string, 'The addresses of this endpoint, of the slice address type (1 to 100).', {
        listType: 'set',
      }),
      conditions: p.ref(
        DISC + 'EndpointConditions',
        'Whether the endpoint is ready, serving or terminating.',
      ),
      hostname: p.string('A DNS label that names this endpoint, used by DNS servers.'),
      targetRef: p.ref(CORE + 'ObjectReference', 'The object, usually a pod, that provides this endpoint.'),
      deprecatedTopology: p.map(
        t.string,
        'Topology labels copied from the old Endpoints API; deprecated in favour of nodeName and zone.',
      ),
      nodeName: p.string('The node that hosts this endpoint.'),
      zone: p.string('The zone this endpoint runs in.'),
      hints: p.ref(DISC + 'EndpointHints', 'Hints for topology-aware routing.'),
    },
    { required: ['addresses'] },
  ),
  obj(DISC + 'EndpointConditions', 'The readiness state of an endpoint.', {
    ready: p.bool('Whether the endpoint should receive traffic; unset means ready.'),
    serving: p.bool('Like ready, but also true while the endpoint is terminating; unset means serving.'),
    terminating: p.bool('Whether the endpoint is shutting down; unset means not terminating.'),
  }),
  obj(DISC + 'EndpointHints', 'Where an endpoint should preferably be used.', {
    forZones: p.array(t.ref(DISC + 'ForZone'), 'Zones whose clients should use this endpoint.', {
      listType: 'atomic',
    }),
    forNodes: p.array(
      t.ref(DISC + 'ForNode'),
      'Nodes whose clients should use this endpoint (alpha; PreferSameTrafficDistribution gate).',
      { listType: 'atomic' },
    ),
  }),
  obj(
    DISC + 'ForZone',
    'A zone that should use an endpoint.',
    { name: p.string('The name of the zone.') },
    { required: ['name'] },
  ),
  obj(
    DISC + 'ForNode',
    'A node that should use an endpoint.',
    { name: p.string('The name of the node.') },
    { required: ['name'] },
  ),
  obj(
    DISC + 'EndpointPort',
    'A port that the endpoints of a slice expose.',
    {
      name: p.string(
        'The port name, which must match the Service port name; may be empty if there is one port.',
      ),
      protocol: p.enum(['SCTP', 'TCP', 'UDP'], 'The protocol: TCP (the default), UDP or SCTP.'),
      port: p.int32('The port number; unset means every port.'),
      appProtocol: p.string(
        'The application protocol, such as http or a domain-prefixed name like example.com/proto.',
      ),
    },
    { mapType: 'atomic' },
  ),
];

/**
 * Protobuf field numbers of the discovery.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/discovery/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.discovery.v1.';

/** Field numbers of discovery.k8s.io/v1. */
export const discoveryV1Fields: FieldTable = {
  [P + 'Endpoint']: {
    addresses: always(1),
    conditions: 2,
    hostname: keep(3),
    targetRef: 4,
    deprecatedTopology: 5,
    nodeName: keep(6),
    zone: keep(7),
    hints: 8,
  },
  [P + 'EndpointConditions']: { ready: keep(1), serving: keep(2), terminating: keep(3) },
  [P + 'EndpointHints']: { forZones: 1, forNodes: 2 },
  [P + 'EndpointPort']: { name: keep(1), protocol: keep(2), port: keep(3), appProtocol: keep(4) },
  [P + 'EndpointSlice']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    addressType: keep(4),
    endpoints: always(2),
    ports: always(3),
  },
  [P + 'EndpointSliceList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
  [P + 'ForNode']: { name: keep(1) },
  [P + 'ForZone']: { name: keep(1) },
};

/**
 * Protobuf field numbers of the storage.k8s.io/v1 definitions, from the protobuf struct tags of
 * k8s.io/api/storage/v1 (Kubernetes v1.33). See ./types.ts for the notation.
 */
import type { FieldTable } from './types.js';
import { TYPE_META, always, keep } from './types.js';

const P = 'io.k8s.api.storage.v1.';

/** Field numbers of storage.k8s.io/v1. */
export const storageV1Fields: FieldTable = {
  [P + 'StorageClass']: {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    provisioner: keep(2),
    parameters: 3,
    reclaimPolicy: keep(4),
    mountOptions: 5,
    allowVolumeExpansion: keep(6),
    volumeBindingMode: keep(7),
    allowedTopologies: 8,
  },
  [P + 'StorageClassList']: { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, items: always(2) },
};

/**
 * storage.k8s.io/v1 StorageClass defaulting: reclaimPolicy Delete, volumeBindingMode Immediate.
 */
import type { KubeObject } from '../meta.js';

/** Applies the StorageClass defaults in place. */
export function defaultStorageClass(obj: KubeObject): void {
  if (obj['reclaimPolicy'] === undefined || obj['reclaimPolicy'] === null) obj['reclaimPolicy'] = 'Delete';
  if (obj['volumeBindingMode'] === undefined || obj['volumeBindingMode'] === null)
    obj['volumeBindingMode'] = 'Immediate';
}

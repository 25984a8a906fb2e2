/** Schema definitions for storage.k8s.io/v1: StorageClass, the recipe for dynamically provisioned volumes. */
import { CORE, list, obj, p, t } from '../schema/dsl.js';
import type { Definition } from '../schema/types.js';

const STORAGE = 'io.k8s.api.storage.v1.';
const gvk = (kind: string) => ({ group: 'storage.k8s.io', version: 'v1', kind });

/** Every storage.k8s.io/v1 definition k8ts serves. */
export const storageV1Definitions: Definition[] = [
  obj(
    STORAGE + 'StorageClass',
    'Describes a class of storage: which provisioner creates its volumes and with which settings.',
    {
      apiVersion: p.apiVersion(),
      kind: p.kind(),
      metadata: p.metadata(),
      provisioner: p.string('The volume plugin or CSI driver that provisions volumes of this class.'),
      parameters: p.map(t.string, 'Settings passed to the provisioner (at most 512, 256kB in total).'),
      reclaimPolicy: p.enum(
        ['Delete', 'Recycle', 'Retain'],
        'What happens to provisioned volumes when their claim is released: Delete (the default) or Retain.',
      ),
      mountOptions: p.array(
        t.string,
        'Mount options given to volumes of this class, such as ro or soft; invalid ones fail the mount.',
        { listType: 'atomic' },
      ),
      allowVolumeExpansion: p.bool('Whether claims of this class may ask for more storage later.'),
      volumeBindingMode: p.enum(
        ['Immediate', 'WaitForFirstConsumer'],
        'When volumes are provisioned and bound: Immediate (the default) or once a pod uses the claim.',
      ),
      allowedTopologies: p.array(
        t.ref(CORE + 'TopologySelectorTerm'),
        'Where volumes may be provisioned; empty means anywhere.',
        { listType: 'atomic' },
      ),
    },
    { required: ['provisioner'], gvk: [gvk('StorageClass')] },
  ),
  list(STORAGE + 'StorageClass', gvk('StorageClassList')),
];

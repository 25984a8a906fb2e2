/**
 * core/v1 volume types: the pod Volume with every volume source (including the legacy in-tree
 * plugins), projections, the downward API files, and the persistent-volume variants of the sources.
 */
import { META, obj, p, t } from '../schema/dsl.js';
import type { Definition, Property } from '../schema/types.js';
import { PULL_POLICIES, c, cref } from './core-v1-util.js';

const readOnly = (what = 'the volume'): Property => p.bool(`If true, ${what} is mounted read-only.`);
const fsType = (extra = ''): Property =>
  p.string(`Filesystem type to mount, such as "ext4" or "xfs"${extra}.`);
const localSecret = (description: string): Property => p.ref(c('LocalObjectReference'), description);
const secretRef = (description: string): Property => p.ref(c('SecretReference'), description);
const mode = (description: string): Property => p.int32(description);

/**
 * The fields of `VolumeSource`, which upstream inlines into Volume (it has no definition of its own).
 * Exactly one of them is set.
 */
export const volumeSourceProperties: Record<string, Property> = {
  hostPath: p.ref(c('HostPathVolumeSource'), 'A file or directory of the node, exposed to the pod.'),
  emptyDir: p.ref(c('EmptyDirVolumeSource'), 'A scratch directory that lives as long as the pod.'),
  gcePersistentDisk: p.ref(
    c('GCEPersistentDiskVolumeSource'),
    'A Google Compute Engine disk (legacy in-tree).',
  ),
  awsElasticBlockStore: p.ref(c('AWSElasticBlockStoreVolumeSource'), 'An AWS EBS disk (legacy in-tree).'),
  gitRepo: p.ref(c('GitRepoVolumeSource'), 'Deprecated: a git repository cloned into the volume.'),
  secret: p.ref(c('SecretVolumeSource'), 'The keys of a Secret, written as files.'),
  nfs: p.ref(c('NFSVolumeSource'), 'An NFS export mounted from a server.'),
  iscsi: p.ref(c('ISCSIVolumeSource'), 'An iSCSI disk attached to the node.'),
  glusterfs: p.ref(c('GlusterfsVolumeSource'), 'A GlusterFS volume (legacy in-tree).'),
  persistentVolumeClaim: p.ref(
    c('PersistentVolumeClaimVolumeSource'),
    'The volume bound to a PersistentVolumeClaim in the pod’s namespace.',
  ),
  rbd: p.ref(c('RBDVolumeSource'), 'A Ceph RADOS block device (legacy in-tree).'),
  flexVolume: p.ref(c('FlexVolumeSource'), 'A volume provided by an exec-based FlexVolume driver.'),
  cinder: p.ref(c('CinderVolumeSource'), 'An OpenStack Cinder volume (legacy in-tree).'),
  cephfs: p.ref(c('CephFSVolumeSource'), 'A CephFS filesystem (legacy in-tree).'),
  flocker: p.ref(c('FlockerVolumeSource'), 'A Flocker dataset (legacy in-tree).'),
  downwardAPI: p.ref(c('DownwardAPIVolumeSource'), 'Files holding information about the pod itself.'),
  fc: p.ref(c('FCVolumeSource'), 'A Fibre Channel disk attached to the node.'),
  azureFile: p.ref(c('AzureFileVolumeSource'), 'An Azure File share (legacy in-tree).'),
  configMap: p.ref(c('ConfigMapVolumeSource'), 'The keys of a ConfigMap, written as files.'),
  vsphereVolume: p.ref(c('VsphereVirtualDiskVolumeSource'), 'A vSphere virtual disk (legacy in-tree).'),
  quobyte: p.ref(c('QuobyteVolumeSource'), 'A Quobyte volume (legacy in-tree).'),
  azureDisk: p.ref(c('AzureDiskVolumeSource'), 'An Azure data disk (legacy in-tree).'),
  photonPersistentDisk: p.ref(
    c('PhotonPersistentDiskVolumeSource'),
    'A Photon Controller persistent disk (legacy in-tree).',
  ),
  projected: p.ref(
    c('ProjectedVolumeSource'),
    'Secrets, ConfigMaps, downward API data and tokens combined in one directory.',
  ),
  portworxVolume: p.ref(c('PortworxVolumeSource'), 'A Portworx volume (legacy in-tree).'),
  scaleIO: p.ref(c('ScaleIOVolumeSource'), 'A ScaleIO volume (legacy in-tree).'),
  storageos: p.ref(c('StorageOSVolumeSource'), 'A StorageOS volume (legacy in-tree).'),
  csi: p.ref(c('CSIVolumeSource'), 'An inline ephemeral volume provided by a CSI driver.'),
  ephemeral: p.ref(
    c('EphemeralVolumeSource'),
    'A volume provisioned through a PersistentVolumeClaim created for, and deleted with, the pod.',
  ),
  image: p.ref(c('ImageVolumeSource'), 'The contents of an OCI image or artifact, mounted read-only.'),
};

/**
 * The fields of `PersistentVolumeSource`, which upstream inlines into PersistentVolumeSpec.
 * Exactly one of them is set.
 */
export const persistentVolumeSourceProperties: Record<string, Property> = {
  gcePersistentDisk: p.ref(
    c('GCEPersistentDiskVolumeSource'),
    'A Google Compute Engine disk (legacy in-tree).',
  ),
  awsElasticBlockStore: p.ref(c('AWSElasticBlockStoreVolumeSource'), 'An AWS EBS disk (legacy in-tree).'),
  hostPath: p.ref(c('HostPathVolumeSource'), 'A directory of one node; for single-node testing only.'),
  glusterfs: p.ref(c('GlusterfsPersistentVolumeSource'), 'A GlusterFS volume (legacy in-tree).'),
  nfs: p.ref(c('NFSVolumeSource'), 'An NFS export mounted from a server.'),
  rbd: p.ref(c('RBDPersistentVolumeSource'), 'A Ceph RADOS block device (legacy in-tree).'),
  iscsi: p.ref(c('ISCSIPersistentVolumeSource'), 'An iSCSI disk attached to the node.'),
  cinder: p.ref(c('CinderPersistentVolumeSource'), 'An OpenStack Cinder volume (legacy in-tree).'),
  cephfs: p.ref(c('CephFSPersistentVolumeSource'), 'A CephFS filesystem (legacy in-tree).'),
  fc: p.ref(c('FCVolumeSource'), 'A Fibre Channel disk attached to the node.'),
  flocker: p.ref(c('FlockerVolumeSource'), 'A Flocker dataset (legacy in-tree).'),
  flexVolume: p.ref(c('FlexPersistentVolumeSource'), 'A volume provided by an exec-based FlexVolume driver.'),
  azureFile: p.ref(c('AzureFilePersistentVolumeSource'), 'An Azure File share (legacy in-tree).'),
  vsphereVolume: p.ref(c('VsphereVirtualDiskVolumeSource'), 'A vSphere virtual disk (legacy in-tree).'),
  quobyte: p.ref(c('QuobyteVolumeSource'), 'A Quobyte volume (legacy in-tree).'),
  azureDisk: p.ref(c('AzureDiskVolumeSource'), 'An Azure data disk (legacy in-tree).'),
  photonPersistentDisk: p.ref(
    c('PhotonPersistentDiskVolumeSource'),
    'A Photon Controller persistent disk (legacy in-tree).',
  ),
  portworxVolume: p.ref(c('PortworxVolumeSource'), 'A Portworx volume (legacy in-tree).'),
  scaleIO: p.ref(c('ScaleIOPersistentVolumeSource'), 'A ScaleIO volume (legacy in-tree).'),
  local: p.ref(c('LocalVolumeSource'), 'A disk, partition or directory local to one node.'),
  storageos: p.ref(c('StorageOSPersistentVolumeSource'), 'A StorageOS volume (legacy in-tree).'),
  csi: p.ref(c('CSIPersistentVolumeSource'), 'A volume managed by an external CSI driver.'),
};

const HOST_PATH_TYPES = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

const podVolumes: Definition[] = [
  obj(
    c('Volume'),
    'A named volume of a pod, which its containers can mount. Exactly one source is set.',
    {
      name: p.string('Name of the volume, unique within the pod (a DNS label); volume mounts refer to it.'),
      ...volumeSourceProperties,
    },
    { required: ['name'] },
  ),
  obj(
    c('HostPathVolumeSource'),
    'A file or directory on the node’s filesystem.',
    {
      path: p.string('Path on the node; symlinks are followed.'),
      type: p.enum(HOST_PATH_TYPES, 'What must exist at the path (or be created); empty means no check.'),
    },
    { required: ['path'] },
  ),
  obj(c('EmptyDirVolumeSource'), 'An initially empty directory that shares the pod’s lifetime.', {
    medium: p.string('Storage medium: "" for the node’s default disk, or "Memory" for tmpfs.'),
    sizeLimit: p.quantity('Maximum size of the directory; exceeding it gets the pod evicted.'),
  }),
  obj(
    c('GCEPersistentDiskVolumeSource'),
    'A Google Compute Engine persistent disk.',
    {
      pdName: p.string('Name of the disk in GCE.'),
      fsType: fsType(', defaulting to ext4'),
      partition: p.int32('Partition number to mount; 0 or empty mounts the whole disk.'),
      readOnly: readOnly(),
    },
    { required: ['pdName'] },
  ),
  obj(
    c('AWSElasticBlockStoreVolumeSource'),
    'An Amazon EBS volume.',
    {
      volumeID: p.string('ID of the EBS volume.'),
      fsType: fsType(', defaulting to ext4'),
      partition: p.int32('Partition number to mount; 0 or empty mounts the whole disk.'),
      readOnly: readOnly(),
    },
    { required: ['volumeID'] },
  ),
  obj(
    c('GitRepoVolumeSource'),
    'Deprecated: a directory populated by cloning a git repository.',
    {
      repository: p.string('URL of the repository.'),
      revision: p.string('Commit to check out.'),
      directory: p.string('Directory to clone into; "." clones into the volume root.'),
    },
    { required: ['repository'] },
  ),
  obj(c('SecretVolumeSource'), 'Presents the keys of a Secret as files.', {
    secretName: p.string('Name of the Secret in the pod’s namespace.'),
    items: p.array(cref('KeyToPath'), 'Keys to project and their file paths; all keys when empty.', {
      listType: 'atomic',
    }),
    defaultMode: mode('Permission bits of the created files (0 to 0777), defaulting to 0644.'),
    optional: p.bool('If true, the pod starts even when the Secret or a listed key is missing.'),
  }),
  obj(
    c('NFSVolumeSource'),
    'An NFS export.',
    {
      server: p.string('Host name or IP address of the NFS server.'),
      path: p.string('Path exported by the server.'),
      readOnly: readOnly('the export'),
    },
    { required: ['server', 'path'] },
  ),
  obj(
    c('ISCSIVolumeSource'),
    'An iSCSI disk, mounted read-write by one node at a time.',
    iscsiProperties(localSecret('Secret with the CHAP credentials.')),
    { required: ['targetPortal', 'iqn', 'lun'] },
  ),
  obj(
    c('GlusterfsVolumeSource'),
    'A GlusterFS volume.',
    {
      endpoints: p.string('Name of the Endpoints object listing the Gluster servers.'),
      path: p.string('Name of the Gluster volume.'),
      readOnly: readOnly(),
    },
    { required: ['endpoints', 'path'] },
  ),
  obj(
    c('PersistentVolumeClaimVolumeSource'),
    'Mounts the volume bound to a claim in the pod’s namespace.',
    {
      claimName: p.string('Name of the PersistentVolumeClaim.'),
      readOnly: readOnly(),
    },
    { required: ['claimName'] },
  ),
  obj(c('RBDVolumeSource'), 'A Ceph RADOS block device.', rbdProperties(localSecret), {
    required: ['monitors', 'image'],
  }),
  obj(
    c('FlexVolumeSource'),
    'A volume set up by an exec-based FlexVolume driver.',
    {
      driver: p.string('Name of the driver.'),
      fsType: fsType('; the default depends on the driver'),
      secretRef: localSecret('Secret whose keys are passed to the driver.'),
      readOnly: readOnly(),
      options: p.map(t.string, 'Extra options passed to the driver.'),
    },
    { required: ['driver'] },
  ),
  obj(
    c('CinderVolumeSource'),
    'An OpenStack Cinder volume.',
    {
      volumeID: p.string('ID of the Cinder volume.'),
      fsType: fsType(', defaulting to ext4'),
      readOnly: readOnly(),
      secretRef: localSecret('Secret with the OpenStack connection parameters.'),
    },
    { required: ['volumeID'] },
  ),
  obj(c('CephFSVolumeSource'), 'A CephFS filesystem.', cephfsProperties(localSecret), {
    required: ['monitors'],
  }),
  obj(c('FlockerVolumeSource'), 'A Flocker dataset; set exactly one of the two fields.', {
    datasetName: p.string('Name of the dataset (deprecated in favour of datasetUUID).'),
    datasetUUID: p.string('UUID of the dataset.'),
  }),
  obj(c('DownwardAPIVolumeSource'), 'Files that expose fields of the pod and its containers.', {
    items: p.array(cref('DownwardAPIVolumeFile'), 'The files to create.', { listType: 'atomic' }),
    defaultMode: mode('Permission bits of the created files (0 to 0777), defaulting to 0644.'),
  }),
  obj(
    c('DownwardAPIVolumeFile'),
    'One downward API file: a pod field or container resource written to a path.',
    {
      path: p.string('Relative path of the file; may not be absolute or contain "..".'),
      fieldRef: p.ref(
        c('ObjectFieldSelector'),
        'Pod field to write: name, namespace, uid, labels or annotations.',
      ),
      resourceFieldRef: p.ref(c('ResourceFieldSelector'), 'Container resource limit or request to write.'),
      mode: mode('Permission bits of this file (0 to 0777); defaults to the volume’s defaultMode.'),
    },
    { required: ['path'] },
  ),
  obj(c('FCVolumeSource'), 'A Fibre Channel disk; give either wwids or targetWWNs with lun.', {
    targetWWNs: p.array(t.string, 'World wide names of the targets.', { listType: 'atomic' }),
    lun: p.int32('Logical unit number on the target.'),
    fsType: fsType(', defaulting to ext4'),
    readOnly: readOnly(),
    wwids: p.array(t.string, 'World wide identifiers of the volume.', { listType: 'atomic' }),
  }),
  obj(
    c('AzureFileVolumeSource'),
    'An Azure File share.',
    {
      secretName: p.string('Secret holding the storage account name and key.'),
      shareName: p.string('Name of the share.'),
      readOnly: readOnly(),
    },
    { required: ['secretName', 'shareName'] },
  ),
  obj(c('ConfigMapVolumeSource'), 'Presents the keys of a ConfigMap as files.', {
    name: p.string('Name of the ConfigMap in the pod’s namespace.', { default: '' }),
    items: p.array(cref('KeyToPath'), 'Keys to project and their file paths; all keys when empty.', {
      listType: 'atomic',
    }),
    defaultMode: mode('Permission bits of the created files (0 to 0777), defaulting to 0644.'),
    optional: p.bool('If true, the pod starts even when the ConfigMap or a listed key is missing.'),
  }),
  obj(
    c('VsphereVirtualDiskVolumeSource'),
    'A vSphere virtual disk.',
    {
      volumePath: p.string('Path of the VMDK file.'),
      fsType: fsType(', defaulting to ext4'),
      storagePolicyName: p.string('Name of the storage policy (SPBM profile).'),
      storagePolicyID: p.string('ID of the storage policy (SPBM profile).'),
    },
    { required: ['volumePath'] },
  ),
  obj(
    c('QuobyteVolumeSource'),
    'A Quobyte volume.',
    {
      registry: p.string('Quobyte registry services as host:port pairs, comma separated.'),
      volume: p.string('Name of an existing Quobyte volume.'),
      readOnly: readOnly(),
      user: p.string('User to map access to; defaults to the service account user.'),
      group: p.string('Group to map access to; none by default.'),
      tenant: p.string('Tenant owning the volume, for dynamically provisioned volumes.'),
    },
    { required: ['registry', 'volume'] },
  ),
  obj(
    c('AzureDiskVolumeSource'),
    'An Azure data disk.',
    {
      diskName: p.string('Name of the data disk in blob storage.'),
      diskURI: p.string('URI of the data disk in blob storage.'),
      cachingMode: p.enum(['None', 'ReadOnly', 'ReadWrite'], 'Host caching mode of the disk.', {
        default: 'ReadWrite',
      }),
      fsType: p.string('Filesystem type to mount, such as "ext4" or "xfs".', { default: 'ext4' }),
      readOnly: p.bool('If true, the disk is mounted read-only.', { default: false }),
      kind: p.enum(
        ['Dedicated', 'Managed', 'Shared'],
        'Disk kind: a shared or dedicated blob disk, or an Azure managed disk.',
        { default: 'Shared' },
      ),
    },
    { required: ['diskName', 'diskURI'] },
  ),
  obj(
    c('PhotonPersistentDiskVolumeSource'),
    'A Photon Controller persistent disk.',
    {
      pdID: p.string('ID of the disk.'),
      fsType: fsType(', defaulting to ext4'),
    },
    { required: ['pdID'] },
  ),
  obj(c('ProjectedVolumeSource'), 'Several sources projected into one directory.', {
    sources: p.array(cref('VolumeProjection'), 'The sources, each handled in turn.', { listType: 'atomic' }),
    defaultMode: mode('Permission bits of the created files (0 to 0777), defaulting to 0644.'),
  }),
  obj(c('VolumeProjection'), 'One source of a projected volume; exactly one field is set.', {
    secret: p.ref(c('SecretProjection'), 'Keys of a Secret to project.'),
    downwardAPI: p.ref(c('DownwardAPIProjection'), 'Downward API files to project.'),
    configMap: p.ref(c('ConfigMapProjection'), 'Keys of a ConfigMap to project.'),
    serviceAccountToken: p.ref(c('ServiceAccountTokenProjection'), 'A service account token to project.'),
    clusterTrustBundle: p.ref(
      c('ClusterTrustBundleProjection'),
      'Certificates of ClusterTrustBundle objects to project, kept up to date.',
    ),
  }),
  obj(c('SecretProjection'), 'Keys of a Secret in a projected volume.', {
    name: p.string('Name of the Secret in the pod’s namespace.', { default: '' }),
    items: p.array(cref('KeyToPath'), 'Keys to project and their file paths; all keys when empty.', {
      listType: 'atomic',
    }),
    optional: p.bool('If true, the pod starts even when the Secret or a listed key is missing.'),
  }),
  obj(c('ConfigMapProjection'), 'Keys of a ConfigMap in a projected volume.', {
    name: p.string('Name of the ConfigMap in the pod’s namespace.', { default: '' }),
    items: p.array(cref('KeyToPath'), 'Keys to project and their file paths; all keys when empty.', {
      listType: 'atomic',
    }),
    optional: p.bool('If true, the pod starts even when the ConfigMap or a listed key is missing.'),
  }),
  obj(c('DownwardAPIProjection'), 'Downward API files in a projected volume.', {
    items: p.array(cref('DownwardAPIVolumeFile'), 'The files to create.', { listType: 'atomic' }),
  }),
  obj(
    c('ServiceAccountTokenProjection'),
    'A token of the pod’s service account, written to a file and rotated by the kubelet.',
    {
      audience: p.string('Intended audience of the token; defaults to the API server.'),
      expirationSeconds: p.int64('Requested lifetime of the token in seconds: at least 600, default 3600.'),
      path: p.string('Path of the token file, relative to the volume root.'),
    },
    { required: ['path'] },
  ),
  obj(
    c('ClusterTrustBundleProjection'),
    'Selects ClusterTrustBundle objects, by name or by signer and labels, and writes their certificates.',
    {
      name: p.string('Name of a single ClusterTrustBundle; excludes signerName and labelSelector.'),
      signerName: p.string('Select every bundle of this signer.'),
      labelSelector: p.ref(META + 'LabelSelector', 'With signerName, restricts the bundles by label.'),
      optional: p.bool('If true, the pod starts even when no matching bundle exists.'),
      path: p.string('Path of the bundle file, relative to the volume root.'),
    },
    { required: ['path'] },
  ),
  obj(
    c('KeyToPath'),
    'Maps one key of a Secret or ConfigMap to a file path.',
    {
      key: p.string('The key to project.'),
      path: p.string('Relative path of the file; may not be absolute or contain "..".'),
      mode: mode('Permission bits of this file (0 to 0777); defaults to the volume’s defaultMode.'),
    },
    { required: ['key', 'path'] },
  ),
  obj(
    c('PortworxVolumeSource'),
    'A Portworx volume.',
    {
      volumeID: p.string('ID of the Portworx volume.'),
      fsType: fsType(', defaulting to ext4'),
      readOnly: readOnly(),
    },
    { required: ['volumeID'] },
  ),
  obj(c('ScaleIOVolumeSource'), 'A ScaleIO volume.', scaleIOProperties(localSecret), {
    required: ['gateway', 'system', 'secretRef'],
  }),
  obj(c('StorageOSVolumeSource'), 'A StorageOS volume.', {
    volumeName: p.string('Name of the StorageOS volume, unique within its StorageOS namespace.'),
    volumeNamespace: p.string('StorageOS namespace of the volume; defaults to the pod’s namespace.'),
    fsType: fsType(', defaulting to ext4'),
    readOnly: readOnly(),
    secretRef: localSecret('Secret with the StorageOS API credentials.'),
  }),
  obj(
    c('CSIVolumeSource'),
    'An inline volume provided by a CSI driver that supports ephemeral volumes.',
    {
      driver: p.string('Name of the CSI driver.'),
      readOnly: p.bool('If true, the volume is read-only.'),
      fsType: p.string('Filesystem type to mount; the driver chooses when empty.'),
      volumeAttributes: p.map(t.string, 'Driver-specific attributes of the volume.'),
      nodePublishSecretRef: localSecret('Secret passed to the driver when the volume is published.'),
    },
    { required: ['driver'] },
  ),
  obj(c('EphemeralVolumeSource'), 'A volume backed by a claim the pod creates and owns.', {
    volumeClaimTemplate: p.ref(
      c('PersistentVolumeClaimTemplate'),
      'Template of the claim, named "<pod>-<volume>" and deleted with the pod.',
    ),
  }),
  obj(
    c('PersistentVolumeClaimTemplate'),
    'A claim template inside an ephemeral volume.',
    {
      metadata: p.ref(META + 'ObjectMeta', 'Labels and annotations copied into the created claim.'),
      spec: p.ref(c('PersistentVolumeClaimSpec'), 'Spec of the claim, copied unchanged.'),
    },
    { required: ['spec'] },
  ),
  obj(c('ImageVolumeSource'), 'An OCI image or artifact mounted read-only as a volume.', {
    reference: p.string('Image or artifact reference, as for a container image.'),
    pullPolicy: p.enum(
      PULL_POLICIES,
      'When to pull: Always, Never or IfNotPresent; Always for ":latest", otherwise IfNotPresent.',
    ),
  }),
];

const persistentSources: Definition[] = [
  obj(
    c('GlusterfsPersistentVolumeSource'),
    'A GlusterFS volume, as a persistent volume.',
    {
      endpoints: p.string('Name of the Endpoints object listing the Gluster servers.'),
      path: p.string('Name of the Gluster volume.'),
      readOnly: readOnly(),
      endpointsNamespace: p.string('Namespace of the Endpoints object; defaults to the claim’s namespace.'),
    },
    { required: ['endpoints', 'path'] },
  ),
  obj(
    c('RBDPersistentVolumeSource'),
    'A Ceph RADOS block device, as a persistent volume.',
    rbdProperties(secretRef),
    {
      required: ['monitors', 'image'],
    },
  ),
  obj(
    c('ISCSIPersistentVolumeSource'),
    'An iSCSI disk, as a persistent volume.',
    iscsiProperties(secretRef('Secret with the CHAP credentials.')),
    { required: ['targetPortal', 'iqn', 'lun'] },
  ),
  obj(
    c('CinderPersistentVolumeSource'),
    'An OpenStack Cinder volume, as a persistent volume.',
    {
      volumeID: p.string('ID of the Cinder volume.'),
      fsType: fsType(', defaulting to ext4'),
      readOnly: readOnly(),
      secretRef: secretRef('Secret with the OpenStack connection parameters.'),
    },
    { required: ['volumeID'] },
  ),
  obj(
    c('CephFSPersistentVolumeSource'),
    'A CephFS filesystem, as a persistent volume.',
    cephfsProperties(secretRef),
    {
      required: ['monitors'],
    },
  ),
  obj(
    c('FlexPersistentVolumeSource'),
    'A volume set up by an exec-based FlexVolume driver, as a persistent volume.',
    {
      driver: p.string('Name of the driver.'),
      fsType: fsType('; the default depends on the driver'),
      secretRef: secretRef('Secret whose keys are passed to the driver.'),
      readOnly: readOnly(),
      options: p.map(t.string, 'Extra options passed to the driver.'),
    },
    { required: ['driver'] },
  ),
  obj(
    c('AzureFilePersistentVolumeSource'),
    'An Azure File share, as a persistent volume.',
    {
      secretName: p.string('Secret holding the storage account name and key.'),
      shareName: p.string('Name of the share.'),
      readOnly: readOnly(),
      secretNamespace: p.string('Namespace of the secret; defaults to the pod’s namespace.'),
    },
    { required: ['secretName', 'shareName'] },
  ),
  obj(
    c('ScaleIOPersistentVolumeSource'),
    'A ScaleIO volume, as a persistent volume.',
    scaleIOProperties(secretRef),
    {
      required: ['gateway', 'system', 'secretRef'],
    },
  ),
  obj(
    c('LocalVolumeSource'),
    'Storage attached directly to one node.',
    {
      path: p.string('Full path of the directory or block device on the node.'),
      fsType: p.string('Filesystem type, for block devices only; chosen automatically when empty.'),
    },
    { required: ['path'] },
  ),
  obj(c('StorageOSPersistentVolumeSource'), 'A StorageOS volume, as a persistent volume.', {
    volumeName: p.string('Name of the StorageOS volume, unique within its StorageOS namespace.'),
    volumeNamespace: p.string('StorageOS namespace of the volume; defaults to the pod’s namespace.'),
    fsType: fsType(', defaulting to ext4'),
    readOnly: readOnly(),
    secretRef: p.ref(c('ObjectReference'), 'Secret with the StorageOS API credentials.'),
  }),
  obj(
    c('CSIPersistentVolumeSource'),
    'A volume managed by an external CSI driver.',
    {
      driver: p.string('Name of the CSI driver.'),
      volumeHandle: p.string('ID the driver returned when it created the volume.'),
      readOnly: p.bool('Value passed to the driver when the volume is published to a node.'),
      fsType: p.string('Filesystem type to mount, such as "ext4" or "xfs".'),
      volumeAttributes: p.map(t.string, 'Driver-specific attributes of the volume.'),
      controllerPublishSecretRef: secretRef('Secret passed to the controller publish and unpublish calls.'),
      nodeStageSecretRef: secretRef('Secret passed to the node stage and unstage calls.'),
      nodePublishSecretRef: secretRef('Secret passed to the node publish and unpublish calls.'),
      controllerExpandSecretRef: secretRef('Secret passed to the controller expand call.'),
      nodeExpandSecretRef: secretRef('Secret passed to the node expand call.'),
    },
    { required: ['driver', 'volumeHandle'] },
  ),
];

function iscsiProperties(secret: Property): Record<string, Property> {
  return {
    targetPortal: p.string('Target portal: an IP, or ip:port when the port is not 860 or 3260.'),
    iqn: p.string('iSCSI qualified name of the target.'),
    lun: p.int32('Logical unit number on the target.'),
    iscsiInterface: p.string('iSCSI interface (transport) to use.', { default: 'default' }),
    fsType: fsType(', defaulting to ext4'),
    readOnly: readOnly(),
    portals: p.array(t.string, 'Further target portals, as IP or ip:port.', { listType: 'atomic' }),
    chapAuthDiscovery: p.bool('Whether to use CHAP authentication for discovery.'),
    chapAuthSession: p.bool('Whether to use CHAP authentication for the session.'),
    secretRef: secret,
    initiatorName: p.string('Custom initiator name; with iscsiInterface, a new interface is created.'),
  };
}

function rbdProperties(secret: (d: string) => Property): Record<string, Property> {
  return {
    monitors: p.array(t.string, 'Addresses of the Ceph monitors.', { listType: 'atomic' }),
    image: p.string('Name of the RADOS image.'),
    fsType: fsType(', defaulting to ext4'),
    pool: p.string('RADOS pool holding the image.', { default: 'rbd' }),
    user: p.string('RADOS user name.', { default: 'admin' }),
    keyring: p.string('Path of the keyring of the user.', { default: '/etc/ceph/keyring' }),
    secretRef: secret('Secret with the user’s key; overrides keyring.'),
    readOnly: readOnly(),
  };
}

function cephfsProperties(secret: (d: string) => Property): Record<string, Property> {
  return {
    monitors: p.array(t.string, 'Addresses of the Ceph monitors.', { listType: 'atomic' }),
    path: p.string('Path within the filesystem to mount as the root; defaults to "/".'),
    user: p.string('RADOS user name; defaults to "admin".'),
    secretFile: p.string('Path of the user’s key ring; defaults to /etc/ceph/user.secret.'),
    secretRef: secret('Secret with the user’s key; overrides secretFile.'),
    readOnly: readOnly(),
  };
}

function scaleIOProperties(secret: (d: string) => Property): Record<string, Property> {
  return {
    gateway: p.string('Address of the ScaleIO API gateway.'),
    system: p.string('Name of the ScaleIO storage system.'),
    secretRef: secret('Secret with the ScaleIO user credentials; required to log in.'),
    sslEnabled: p.bool('Whether to talk to the gateway over TLS.'),
    protectionDomain: p.string('ScaleIO protection domain of the storage.'),
    storagePool: p.string('ScaleIO storage pool within the protection domain.'),
    storageMode: p.string('ThickProvisioned or ThinProvisioned.', { default: 'ThinProvisioned' }),
    volumeName: p.string('Name of an existing ScaleIO volume.'),
    fsType: p.string('Filesystem type to mount, such as "ext4" or "xfs".', { default: 'xfs' }),
    readOnly: readOnly(),
  };
}

/** Volume definitions of core/v1. */
export const coreV1VolumeDefinitions: Definition[] = [...podVolumes, ...persistentSources];

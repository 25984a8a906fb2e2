/** Pod volumes on a node: the manager, container mounts, and per-pod files (see types.ts). */
export * from './types.js';
export {
  HostVolumeManager,
  createVolumeManager,
  failedMountMessage,
  type HostVolumeManagerOptions,
} from './manager.js';
export {
  ContainerMountError,
  containerMounts,
  expandSubPathExpr,
  mountPropagation,
  type ContainerMount,
  type MountPropagation,
  type SubPathBinding,
} from './container-mounts.js';
export { etcHostsFile, podHostnameAndDomain, terminationLogFile, type EtcHostsOptions } from './etc-hosts.js';
export { systemMounter, parseMountInfo, type Mounter } from './mounter.js';
export { PLUGINS, podDir, podsRoot, volumeDir } from './paths.js';

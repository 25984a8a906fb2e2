/**
 * The volume contract between the pod worker and the volume plugins: the worker asks for a pod's
 * volumes to be set up before its containers start, gets a host path per volume, and tears them
 * down once the pod's containers are gone.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

/** A volume ready on the host. */
export interface MountedVolume {
  /** Host path to bind-mount into containers. */
  hostPath: string;
  /** The volume itself is read-only (configMap, secret, downwardAPI, projected …). */
  readOnly: boolean;
  /** The plugin's name (kubernetes.io~empty-dir …), for status and cleanup. */
  plugin: string;
}

/** Reads the objects volumes are made of; undefined when the object does not exist. */
export interface VolumeSources {
  configMap(
    namespace: string,
    name: string,
  ): Promise<{ data: Record<string, string>; binaryData: Record<string, Buffer> } | undefined>;
  secret(namespace: string, name: string): Promise<{ data: Record<string, Buffer> } | undefined>;
  /** A service account token for projected serviceAccountToken sources (absent until tokens exist). */
  serviceAccountToken?(
    namespace: string,
    serviceAccount: string,
    audience: string,
    expirationSeconds: number,
  ): Promise<string>;
}

/** Facts for downwardAPI volumes. */
export interface VolumeContext {
  hostIP: string;
  podIPs: string[];
  nodeAllocatable: Record<string, string>;
}

/** A volume that cannot be set up: its message becomes a FailedMount event. */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sets up and tears down the volumes of pods. */
export interface VolumeManager {
  /**
   * Sets up (or refreshes: configMap/secret/downwardAPI/projected content is swapped atomically when
   * it changed) every volume of the pod. Throws VolumeError for a volume that cannot be set up.
   */
  setUp(pod: Pod, ctx: VolumeContext): Promise<Map<string, MountedVolume>>;
  /** Removes everything the pod's volumes left on the host (unmounts tmpfs, deletes directories). */
  tearDown(podUid: string): Promise<void>;
  /** UIDs of pods that still have volume directories (to clean up pods that went away). */
  podsOnDisk(): Promise<string[]>;
}

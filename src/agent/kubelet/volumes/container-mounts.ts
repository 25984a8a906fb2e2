/**
 * A container's volume mounts as CRI wants them: host path, container path, read-only flag and
 * propagation, with subPath / subPathExpr resolved safely inside the volume. Errors carry upstream's
 * messages and become the container's CreateContainerConfigError; details that could reveal the host
 * filesystem stay in `cause` (for the agent's log), as upstream keeps them out of the pod status.
 */
import type { Container, Pod, VolumeMount } from 'kubernetes-types/core/v1.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { expandVars } from '../pods/expand.js';
import type { Mounter } from './mounter.js';
import { subPathDir } from './paths.js';
import { bindSubPath, openSubPath, safeMakeDir } from './subpath.js';
import type { MountedVolume } from './types.js';

/** CRI mount propagation names. */
export type MountPropagation =
  'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

/** One mount of a container, ready for CRI's `Mount` message. */
export interface ContainerMount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  propagation: MountPropagation;
}

/** A volume mount that cannot be made: the container cannot be created until it is fixed. */
export class ContainerMountError extends Error {}

/** Bind-mount subPaths (recommended on a real node): the pod directory and a mounter. */
export interface SubPathBinding {
  podDir: string;
  mounter: Mounter;
}

/** Translates a volumeMount's mountPropagation into CRI's enum name. */
export function mountPropagation(mode: string | undefined): MountPropagation {
  switch (mode) {
    case undefined:
    case 'None':
      return 'PROPAGATION_PRIVATE';
    case 'HostToContainer':
      return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional':
      return 'PROPAGATION_BIDIRECTIONAL';
    default:
      throw new ContainerMountError(`invalid MountPropagation mode: ${JSON.stringify(mode)}`);
  }
}

/** Expands `$(VAR)` in a subPathExpr; every referenced variable must be set and non-empty. */
export function expandSubPathExpr(expr: string, lookup: (name: string) => string | undefined): string {
  const missing = new Set<string>();
  const out = expandVars(expr, (name) => {
    const v = lookup(name);
    if (v === undefined || v === '') missing.add(name);
    return v ?? '';
  });
  if (missing.size > 0) throw new ContainerMountError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function resolveSubPath(
  mount: VolumeMount,
  index: number,
  container: Container,
  volumePath: string,
  subPath: string,
  binding: SubPathBinding | undefined,
): Promise<string> {
  if (path.isAbsolute(subPath))
    throw new ContainerMountError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..'))
    throw new ContainerMountError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  if (!(await exists(path.join(volumePath, subPath)))) {
    try {
      const mode = (await stat(volumePath)).mode & 0o7777;
      await safeMakeDir(volumePath, subPath, mode);
    } catch (cause) {
      throw new ContainerMountError(
        `failed to create subPath directory for volumeMount "${mount.name}" of container "${container.name}"`,
        { cause },
      );
    }
  }
  try {
    const opened = await openSubPath(volumePath, subPath);
    try {
      if (!binding) return opened.realPath;
      const target = subPathDir(binding.podDir, mount.name, container.name, index);
      return await bindSubPath(opened, target, binding.mounter);
    } finally {
      await opened.handle.close();
    }
  } catch (cause) {
    throw new ContainerMountError(
      `failed to prepare subPath for volumeMount "${mount.name}" of container "${container.name}"`,
      { cause },
    );
  }
}

/**
 * The mounts of `container`, from the volumes `setUp` returned. `lookup` reads the container's
 * environment (for subPathExpr). With `binding`, subPaths are bind-mounted under the pod directory
 * (they stay until the pod's volumes are torn down); without it the checked real path is returned.
 */
export async function containerMounts(
  pod: Pod,
  container: Container,
  volumes: Map<string, MountedVolume>,
  lookup: (name: string) => string | undefined,
  binding?: SubPathBinding,
): Promise<ContainerMount[]> {
  void pod; // part of the contract; the mounts depend only on the container and its volumes today
  const out: ContainerMount[] = [];
  const mounts = container.volumeMounts ?? [];
  for (const [index, mount] of mounts.entries()) {
    const vol = volumes.get(mount.name);
    if (!vol)
      throw new ContainerMountError(
        `cannot find volume "${mount.name}" to mount into container "${container.name}"`,
      );
    let hostPath = vol.hostPath;
    const subPath = mount.subPathExpr ? expandSubPathExpr(mount.subPathExpr, lookup) : (mount.subPath ?? '');
    if (subPath !== '')
      hostPath = await resolveSubPath(mount, index, container, vol.hostPath, subPath, binding);
    out.push({
      containerPath: mount.mountPath,
      hostPath,
      readonly: mount.readOnly === true || vol.readOnly,
      propagation: mountPropagation(mount.mountPropagation),
    });
  }
  return out;
}

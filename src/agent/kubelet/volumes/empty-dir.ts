/**
 * emptyDir volumes: a world-writable directory on the node's disk, or a tmpfs for `medium: Memory`.
 * A memory-backed volume is sized like upstream: the node's allocatable memory, lowered to the pod's
 * memory limit and then to the volume's sizeLimit when those are smaller.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { Quantity } from '../../../api/quantity.js';
import { modeSurvivesUmask } from './umask.js';

/** Mode of an emptyDir directory (as upstream). */
export const EMPTY_DIR_MODE = 0o777;

/** Creates `dir` (and parents) and gives it exactly `mode`. */
export async function ensureDir(dir: string, mode: number = EMPTY_DIR_MODE): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode });
  // Just created, by this call, with a mode the umask kept whole: nothing to check.
  if (made === dir && modeSurvivesUmask(mode)) return;
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if ((st.mode & 0o777) !== mode) await chmod(dir, mode);
}

function bytes(q: unknown): bigint | undefined {
  return Quantity.tryParse(q)?.value();
}

function memoryLimit(c: Container): bigint | undefined {
  return bytes(c.resources?.limits?.['memory']);
}

/**
 * The pod's memory limit as its cgroup gets it: undefined unless every container has one; then the
 * larger of the regular (plus sidecar) containers' sum and the largest init container, plus overhead.
 */
export function podMemoryLimit(pod: Pod): bigint | undefined {
  const spec = pod.spec;
  if (!spec) return undefined;
  let sum = 0n;
  let initMax = 0n;
  for (const c of spec.containers ?? []) {
    const l = memoryLimit(c);
    if (l === undefined) return undefined;
    sum += l;
  }
  for (const c of spec.initContainers ?? []) {
    const l = memoryLimit(c);
    if (l === undefined) return undefined;
    if (c.restartPolicy === 'Always') sum += l;
    else if (l > initMax) initMax = l;
  }
  const overhead = bytes(spec.overhead?.['memory']) ?? 0n;
  return (sum > initMax ? sum : initMax) + overhead;
}

/** Size of a memory-backed emptyDir in bytes (undefined: tmpfs's own default). */
export function memoryVolumeSize(
  pod: Pod,
  sizeLimit: unknown,
  nodeAllocatable: Record<string, string>,
): bigint | undefined {
  let size = bytes(nodeAllocatable['memory']);
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0n && (size === undefined || podLimit <= size)) size = podLimit;
  const volumeLimit = bytes(sizeLimit);
  if (volumeLimit !== undefined && volumeLimit > 0n && (size === undefined || volumeLimit <= size))
    size = volumeLimit;
  return size;
}

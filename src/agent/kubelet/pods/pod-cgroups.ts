/**
 * A pod's own cgroup (`<root>/kubepods[/burstable|/besteffort]/pod<uid>`, cgroupfs layout) outlives its
 * sandbox: runc removes the cgroups of the sandbox and the containers below it, never their parent.
 * Once the pod is gone the agent removes it in every hierarchy, as upstream's kubelet does.
 */
import { readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The mount points of the cgroup hierarchies (v1 controllers and the v2 unified one) in a mountinfo text. */
export function cgroupHierarchies(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    const fstype = after?.split(' ')[0];
    const mountPoint = before?.split(' ')[4];
    if (mountPoint && (fstype === 'cgroup' || fstype === 'cgroup2')) out.push(mountPoint);
  }
  return out;
}

/** Where the pod's cgroup can be, whatever its QoS class was, in each hierarchy. */
export function podCgroupDirs(hierarchies: string[], cgroupRoot: string, uid: string): string[] {
  const tiers = ['kubepods', 'kubepods/burstable', 'kubepods/besteffort'];
  return hierarchies.flatMap((h) => tiers.map((t) => join(h, cgroupRoot, t, `pod${uid}`)));
}

/**
 * Removes a cgroup directory and the (empty) cgroups below it, deepest first. The directory alone is
 * tried first: usually runc already removed the cgroups below, and listing a cgroup directory (dozens
 * of control files in each of a dozen v1 hierarchies) is what made removing a pod costly.
 */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rmdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EBUSY' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory()) await removeTree(join(dir, e.name));
  try {
    await rmdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The cgroup hierarchies of this machine, read once (they are mounted at boot). */
let hierarchies: Promise<string[]> | undefined;

async function readHierarchies(): Promise<string[]> {
  const found = cgroupHierarchies(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
  if (found.length === 0) hierarchies = undefined; // try again next time
  return found;
}

/**
 * Removes the pod's cgroups in every hierarchy: the one at `podCgroup` (the pod's cgroup parent, e.g.
 * `/k8ts/kubepods/besteffort/pod<uid>`) when the caller knows it, else wherever it can be. Returns
 * the directories that could not be removed (still holding processes) with why; an empty list when
 * all are gone.
 */
export async function removePodCgroups(
  cgroupRoot: string,
  uid: string,
  podCgroup?: string,
): Promise<string[]> {
  if (!uid) return [];
  const roots = await (hierarchies ??= readHierarchies());
  const dirs = podCgroup ? roots.map((h) => join(h, podCgroup)) : podCgroupDirs(roots, cgroupRoot, uid);
  const failed: string[] = [];
  for (const dir of dirs) {
    try {
      await removeTree(dir);
    } catch (err) {
      failed.push(`${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return failed;
}

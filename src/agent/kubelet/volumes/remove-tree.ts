/**
 * Deletes a pod directory without ever leaving it: symlinks are unlinked, never followed, and a
 * directory on another filesystem (a mount still in place) stops the deletion instead of being
 * emptied, so a leftover bind mount of host data can never be wiped through the pod directory.
 */
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A deletion refused because something is still mounted inside the tree. */
export class MountedInsideError extends Error {}

async function remove(p: string, dev: number): Promise<void> {
  const st = await lstat(p);
  if (!st.isDirectory()) {
    await unlink(p);
    return;
  }
  if (st.dev !== dev)
    throw new MountedInsideError(`refusing to delete ${p}: it is on another filesystem (still mounted?)`);
  for (const name of await readdir(p)) await remove(path.join(p, name), dev);
  await rmdir(p);
}

/** Removes `root` and everything below it on the same filesystem; a missing root is fine. */
export async function removeTree(root: string): Promise<void> {
  let st;
  try {
    st = await lstat(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isDirectory()) {
    await unlink(root);
    return;
  }
  await remove(root, st.dev);
}
